"""Sampled field spot checks (统计数字质量抽查): plan a sample, write the field worksheet, score it.

`plan` draws the sample from a submission and writes the worksheet, `worksheet`
holds the worksheet's layout as data (shared by the writer and the reader),
`score` reads a completed worksheet back and hands the tallies to the pure
statistics in `audit.core.spotcheck`.
"""

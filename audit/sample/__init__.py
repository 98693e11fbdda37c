"""Synthetic townships for demos, tests and benchmarks (`audit sample`).

`generator.generate` writes one; `generator.build_township` returns its tables
and the truth about its planted faults; `demo.build_demo` rebuilds the shipped
sample_data/demo.
"""

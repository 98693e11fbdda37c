"""The shipped suite files (*.json), packaged as `audit.expectations`.

pyproject.toml maps this folder onto the package so the files have one home:
a checkout, an editable install and a wheel all read them from here.
"""

"""Test-session set-up shared by every test module."""

from __future__ import annotations

from audit.io.gx_shim import quiet_exit

# GX and DuckDB's SQLAlchemy dialect make DuckDB's bindings print "nanobind: leaked"
# lines at interpreter teardown; they would bury pytest's closing summary line.
quiet_exit()

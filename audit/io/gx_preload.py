"""GX imported and adapted, as an audit does it, by importing this module.

The county run's fork server preloads modules by name before it forks the
workers (`audit.county.PRELOAD`); naming this module instead of
``great_expectations`` gives the workers GX through `audit.io.gx_shim.apply`:
with GX's and pyspark's start-up noise kept off the run's stderr, and with the
guard that stops pyspark ending the fork server (whose ``__main__`` is bare).
"""

from audit.io.gx_shim import apply

apply()

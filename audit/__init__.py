"""fourcheck: the four-number consistency audit (四数一致) of a township's ledgers."""

__version__ = "0.1.0"

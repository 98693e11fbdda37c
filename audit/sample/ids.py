"""Resident ID numbers (GB 11643-1999) for whole columns at once.

`audit.core.idcard` is the reference (one ID at a time); this module repeats
its MOD 11-2 rule with numpy so a million IDs are built in milliseconds. The
sequence digits are assigned per (division, birth date) so IDs never collide,
and are even: every person on a women's register is a woman.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from audit.core.idcard import CHECK_CHARS, WEIGHTS
from audit.sample.timeline import ymd

_CHECKS = pl.Series(list(CHECK_CHARS))


def _weighted(values: np.ndarray, weights: tuple[int, ...]) -> np.ndarray:
    """Sum of digit x weight over the decimal digits of `values` (as many as weights)."""
    total = np.zeros(len(values), dtype=np.int64)
    for i, w in enumerate(weights):
        total += w * ((values // 10 ** (len(weights) - 1 - i)) % 10)
    return total


def build_ids(division: np.ndarray, birth: np.ndarray, sequence: np.ndarray) -> pl.Series:
    """IDs from 6-digit division codes, birth day numbers and 3-digit sequences."""
    division = np.asarray(division, dtype=np.int64)
    sequence = np.asarray(sequence, dtype=np.int64)
    year, month, dom = ymd(np.asarray(birth, dtype=np.int64))
    date8 = year * 10000 + month * 100 + dom
    total = (
        _weighted(division, WEIGHTS[:6])
        + _weighted(date8, WEIGHTS[6:14])
        + _weighted(sequence, WEIGHTS[14:])
    )
    check = _CHECKS.gather(pl.Series((total % 11).astype(np.uint32)))
    return (
        pl.Series(division).cast(pl.String).str.zfill(6)
        + pl.Series(date8).cast(pl.String)
        + pl.Series(sequence).cast(pl.String).str.zfill(3)
        + check
    )


SEQUENCES = 499  # even sequence numbers 002..998: women per birth date and division


def _sequences(
    rng: np.random.Generator, division: np.ndarray, birth: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Even sequence numbers within each (division, birth date), and each woman's rank in
    her group (ranks from `SEQUENCES` on have no number of their own)."""
    n = len(division)
    order = np.lexsort((birth, division))
    d, b = division[order], birth[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (d[1:] != d[:-1]) | (b[1:] != b[:-1])
    group_first = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    rank_sorted = np.arange(n) - group_first
    offset = rng.integers(0, SEQUENCES, n)[group_first]  # each date starts somewhere random
    seq = np.empty(n, dtype=np.int64)
    seq[order] = 2 * (1 + (offset + rank_sorted) % SEQUENCES)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = rank_sorted
    return seq, rank


def women_sequences(
    rng: np.random.Generator,
    division: np.ndarray,
    birth: np.ndarray,
    spare_divisions: tuple[int, ...] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Each woman's division and a distinct even sequence number (002..998) within her
    (division, birth date).

    A division has 499 numbers per birth date. In a township of millions more women than
    that share a birth date; the rest hold IDs first issued elsewhere, as women who married
    in from another county do: they take the next of `spare_divisions` in turn. ValueError
    when even those run out.
    """
    division = np.array(division, dtype=np.int64)
    spares = iter(spare_divisions)
    while True:
        seq, rank = _sequences(rng, division, birth)
        over = rank >= SEQUENCES
        if not over.any():
            return division, seq
        spare = next(spares, None)
        if spare is None:
            raise ValueError(
                f"more than {SEQUENCES} women share a birth date in each of "
                f"{len(spare_divisions) + 1} divisions"
            )
        division[over] = spare

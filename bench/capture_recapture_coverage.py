"""Simulation: how often the capture–recapture interval covers the true number of births.

Two independent lists (the statistics register finds each birth with
probability p1, the technical-service and floating-population ledgers with
p2) are drawn many times for a township with N births. Only draws the report
would show are kept (at least `MIN_MATCHED` births on both lists: fewer is
"too small to tell"). For each it prints the share of intervals that contain
N for

- Wald: Chapman's N̂ ± z·√(Seber variance), truncated below at the births seen
  (the interval the report used before), and
- log-normal: Chao's (1987) interval, what `audit.core.overview.chapman`
  reports now.

A 95 % interval should cover about 95 % of the time. "nested" is the share of
kept draws in which one list holds every birth of the other: then nothing is
known about the births neither list saw, f0 = 0, and both intervals shrink to
the births seen (a zero-width interval that misses whenever a birth was on
neither list); "lognorm*" is the log-normal coverage without those draws. This
prints figures; it asserts nothing.

    .venv/bin/python bench/capture_recapture_coverage.py
    .venv/bin/python bench/capture_recapture_coverage.py --reps 50000 --seed 7
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from audit.core.overview import MIN_MATCHED, chapman, seber_variance, z_value

# (births N, p1 register, p2 other ledgers): a village-sized year to a large township,
# poor to good coverage of each list.
SCENARIOS = (
    (20, 0.8, 0.6),
    (30, 0.5, 0.5),
    (30, 0.9, 0.4),
    (50, 0.3, 0.5),
    (60, 0.7, 0.3),
    (100, 0.2, 0.4),
    (100, 0.85, 0.6),
    (200, 0.5, 0.15),
    (400, 0.9, 0.3),
    (1000, 0.6, 0.6),
)


def coverage(
    births: int, p1: float, p2: float, reps: int, rng: np.random.Generator
) -> tuple[int, float, float, float, float, float, float]:
    """Kept draws, Wald coverage, log-normal coverage, mean widths (Wald, log-normal), the
    share of kept draws with one list inside the other, log-normal coverage without them."""
    cells = rng.multinomial(
        births, [p1 * p2, p1 * (1 - p2), (1 - p1) * p2, (1 - p1) * (1 - p2)], size=reps
    )
    z = z_value()
    kept = wald_hits = chao_hits = nested = nested_hits = 0
    wald_width = chao_width = 0.0
    for both, only_a, only_b, _ in cells.tolist():
        if both < MIN_MATCHED:
            continue
        n1, n2, m = both + only_a, both + only_b, both
        kept += 1
        cr = chapman(n1, n2, m)
        assert cr.estimate is not None and cr.low is not None and cr.high is not None
        half = z * math.sqrt(seber_variance(n1, n2, m))
        w_low = max(cr.estimate - half, float(n1 + n2 - m))
        w_high = max(cr.estimate + half, w_low)
        wald_hits += w_low <= births <= w_high
        hit = cr.low <= births <= cr.high
        chao_hits += hit
        if only_a == 0 or only_b == 0:  # nothing to say about the unseen: zero width
            nested += 1
            nested_hits += hit
        wald_width += w_high - w_low
        chao_width += cr.high - cr.low
    if not kept:
        return 0, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan
    rest = kept - nested
    return (
        kept,
        wald_hits / kept,
        chao_hits / kept,
        wald_width / kept,
        chao_width / kept,
        nested / kept,
        (chao_hits - nested_hits) / rest if rest else math.nan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20_000, help="draws per scenario")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    print(f"{args.reps} draws per scenario, seed {args.seed}, kept when m >= {MIN_MATCHED}")
    print(
        f"{'N':>5} {'p1':>5} {'p2':>5} {'kept':>7}  {'Wald':>6} {'lognorm':>7}"
        f"  {'width W':>7} {'width L':>7}  {'nested':>6} {'lognorm*':>8}"
    )
    all_kept = all_wald = all_chao = 0.0
    for births, p1, p2 in SCENARIOS:
        kept, wald, chao, w_wald, w_chao, nested, chao_rest = coverage(
            births, p1, p2, args.reps, rng
        )
        print(
            f"{births:>5} {p1:>5.2f} {p2:>5.2f} {kept:>7}  {wald:>6.1%} {chao:>7.1%}"
            f"  {w_wald:7.1f} {w_chao:7.1f}  {nested:>6.1%} {chao_rest:>8.1%}"
        )
        if kept:
            all_kept += kept
            all_wald += wald * kept
            all_chao += chao * kept
    print(f"{'all':>17} {all_kept:>7.0f}  {all_wald / all_kept:>6.1%} {all_chao / all_kept:>7.1%}")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()

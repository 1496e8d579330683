"""Summaries of repeated timings: median and p10/p90.

A single number hides run-to-run spread; the bench reports the median (robust
to one slow outlier such as a clock ramp) and the 10th/90th percentiles so a
reader (and ``--compare``) can tell a real change from noise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..100), as numpy's default."""
    if not values:
        raise ValueError("percentile of no values")
    xs = sorted(values)
    if len(xs) == 1:
        return float(xs[0])
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    frac = pos - lo
    return float(xs[lo] + (xs[hi] - xs[lo]) * frac)


def summarize(values: Sequence[float]) -> tuple[float, float, float, int]:
    """(median, p10, p90, n) of the samples."""
    return percentile(values, 50), percentile(values, 10), percentile(values, 90), len(values)

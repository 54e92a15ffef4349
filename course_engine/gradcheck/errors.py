"""How far apart two numbers are, and how much of a difference is only rounding."""

from __future__ import annotations

import sys


def roundoff(up: float, down: float, h: float) -> float:
    """How much of a central difference can be float64 rounding: a few ulps of
    f(x+-h), divided by 2h. Differences smaller than this mean nothing."""
    return 64 * sys.float_info.epsilon * (abs(up) + abs(down)) / (2 * h)


def relative_error(a: float, b: float, floor: float = 1e-8) -> float:
    """|a - b| / max(|a|, |b|, floor): relative for large numbers, absolute near 0."""
    return abs(a - b) / max(abs(a), abs(b), floor)

"""Learning-rate schedules: the rate as a function of the step number."""

from __future__ import annotations


def linear_decay(start: float = 1.0, end: float = 0.1, steps: int = 100):
    """A schedule k -> start - (start - end) * k / steps (1.0 - 0.9 k/100 by default)."""
    return lambda k: start - (start - end) * k / steps

"""How often a classifier is right (a number to report, not a loss to train on)."""

from __future__ import annotations

from ..engine.value import Value
from .lengths import check_lengths


def accuracy(scores, labels) -> float:
    """Share of scores whose sign matches the label (+-1)."""
    check_lengths(scores, labels, "accuracy")
    hits = sum((_data(s) > 0) == (float(y) > 0) for s, y in zip(scores, labels))
    return hits / len(scores)


def _data(x):
    return x.data if isinstance(x, Value) else float(x)

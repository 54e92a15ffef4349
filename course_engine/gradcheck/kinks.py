"""Where a finite difference cannot be trusted: a relu input nudged across 0."""

from __future__ import annotations

from ..engine.value import Value
from .differences import DEFAULT_H

KINK_OPS = ("relu", "leaky_relu")  # ops whose slope jumps at an input of 0


def kink_signs(root: Value) -> tuple:
    """The sign of the input of every relu-like node of the graph, in a fixed order."""
    return tuple(
        (node._prev[0].data > 0) - (node._prev[0].data < 0)
        for node in root.topological_order()
        if node._op in KINK_OPS
    )


def crosses_kink(build, leaf: Value, h: float = DEFAULT_H) -> bool:
    """True when nudging `leaf` by +-h moves some relu input across 0 (or onto it),
    so that a finite difference there measures a mix of two slopes."""
    original = leaf.data
    try:
        signs = []
        for x in (original - h, original, original + h):
            leaf.data = x
            signs.append(kink_signs(build()))
    finally:
        leaf.data = original
    return len(set(signs)) > 1

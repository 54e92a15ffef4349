"""Finite differences through a graph: nudge one leaf Value, rebuild, compare (part
of what notebook 05's MLP gradient check asks for)."""

from __future__ import annotations

from ..engine.value import Value, no_grad
from .differences import DEFAULT_H, as_float


def leaf_gradients(build, leaves, h: float = DEFAULT_H) -> list[float]:
    """d build() / d leaf for each leaf Value, by nudging `leaf.data` by +-h.

    `build` takes no arguments and recomputes the output from the leaves' current
    data; the leaves are left exactly as they were found.
    """
    return [(up - down) / (2 * h) for up, down in (nudge(build, leaf, h) for leaf in leaves)]


def nudge(build, leaf: Value, h: float) -> tuple[float, float]:
    """build() with leaf.data moved up by h, then down by h."""
    original = leaf.data
    try:
        with no_grad():
            leaf.data = original + h
            up = as_float(build())
            leaf.data = original - h
            down = as_float(build())
    finally:
        leaf.data = original
    return up, down

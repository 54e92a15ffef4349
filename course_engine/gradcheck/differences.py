"""Finite differences of plain functions of numbers (what notebook 01 builds)."""

from __future__ import annotations

from ..engine.value import Value

DEFAULT_H = 1e-6


def forward_difference(f, x: float, h: float = DEFAULT_H) -> float:
    """(f(x + h) - f(x)) / h."""
    return (f(x + h) - f(x)) / h


def central_difference(f, x: float, h: float = DEFAULT_H) -> float:
    """(f(x + h) - f(x - h)) / 2h."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f, xs, h: float = DEFAULT_H) -> list[float]:
    """Partial derivatives of f(*xs) by central differences, one input at a time."""
    xs = [float(x) for x in xs]
    partials = []
    for i in range(len(xs)):

        def f_i(xi, i=i):
            return as_float(f(*xs[:i], xi, *xs[i + 1 :]))

        partials.append(central_difference(f_i, xs[i], h))
    return partials


def as_float(x) -> float:
    """A Value's data, or a number, as a float."""
    return x.data if isinstance(x, Value) else float(x)

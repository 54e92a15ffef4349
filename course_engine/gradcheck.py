"""Numerical derivatives: the truth every gradient in the course is checked against.

A central difference (f(x+h) - f(x-h)) / 2h has an error that falls as h**2; a
forward difference's falls only as h. In float64, h near 1e-6 balances that
truncation error against round-off.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from .engine import Value, no_grad

DEFAULT_H = 1e-6
KINK_OPS = ("relu", "leaky_relu")  # ops whose slope jumps at an input of 0


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
            return _number(f(*xs[:i], xi, *xs[i + 1 :]))

        partials.append(central_difference(f_i, xs[i], h))
    return partials


def leaf_gradients(build, leaves, h: float = DEFAULT_H) -> list[float]:
    """d build() / d leaf for each leaf Value, by nudging `leaf.data` by +-h.

    `build` takes no arguments and recomputes the output from the leaves' current
    data; the leaves are left exactly as they were found.
    """
    return [(up - down) / (2 * h) for up, down in (_nudge(build, leaf, h) for leaf in leaves)]


def _nudge(build, leaf: Value, h: float) -> tuple[float, float]:
    """build() with leaf.data moved up by h, then down by h."""
    original = leaf.data
    try:
        with no_grad():
            leaf.data = original + h
            up = _number(build())
            leaf.data = original - h
            down = _number(build())
    finally:
        leaf.data = original
    return up, down


def roundoff(up: float, down: float, h: float) -> float:
    """How much of a central difference can be float64 rounding: a few ulps of
    f(x+-h), divided by 2h. Differences smaller than this mean nothing."""
    return 64 * sys.float_info.epsilon * (abs(up) + abs(down)) / (2 * h)


def relative_error(a: float, b: float, floor: float = 1e-8) -> float:
    """|a - b| / max(|a|, |b|, floor): relative for large numbers, absolute near 0."""
    return abs(a - b) / max(abs(a), abs(b), floor)


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


@dataclass
class GradientRow:
    label: str
    analytic: float
    numeric: float
    error: float
    near_kink: bool
    ok: bool


@dataclass
class GradientCheck:
    """The outcome of `gradient_check`: one row per leaf."""

    rows: list[GradientRow] = field(default_factory=list)
    tolerance: float = 1e-6

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    def failures(self) -> list[GradientRow]:
        return [row for row in self.rows if not row.ok]

    def __str__(self):
        lines = [f"{'value':<12}{'backward':>16}{'finite diff':>16}{'rel. error':>12}  verdict"]
        for r in self.rows:
            verdict = "near a kink, not judged" if r.near_kink else "ok" if r.ok else "MISMATCH"
            lines.append(f"{r.label:<12}{r.analytic:>16.8g}{r.numeric:>16.8g}{r.error:>12.2e}  {verdict}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def gradient_check(
    build, leaves, h: float = DEFAULT_H, tolerance: float = 1e-6, floor: float = 1e-4
) -> GradientCheck:
    """Compare backward's gradient of build() with central differences, per leaf.

    The leaves' grads are reset, build() is run once with backward; a leaf whose
    nudge crosses a relu kink is reported but never counted as a mismatch. The
    error is relative, except for gradients below `floor` (or below what the
    difference can resolve in float64), where it is absolute: a true gradient
    of 0 comes out of a central difference as h**2-sized noise.
    """
    for leaf in leaves:
        leaf.grad = 0.0
    build().backward()
    report = GradientCheck(tolerance=tolerance)
    for i, leaf in enumerate(leaves):
        up, down = _nudge(build, leaf, h)
        numeric = (up - down) / (2 * h)
        # the floor makes the error absolute below the difference's own precision
        error = relative_error(leaf.grad, numeric, floor=max(floor, roundoff(up, down, h) / tolerance))
        near_kink = crosses_kink(build, leaf, h)
        report.rows.append(
            GradientRow(
                label=leaf.label or f"input {i}",
                analytic=leaf.grad,
                numeric=numeric,
                error=error,
                near_kink=near_kink,
                ok=near_kink or error <= tolerance,
            )
        )
    return report


def _number(x) -> float:
    return x.data if isinstance(x, Value) else float(x)

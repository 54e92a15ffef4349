"""`gradient_check`: backward against central differences, leaf by leaf, as a table
(what notebook 05's MLP gradient check asks for)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .differences import DEFAULT_H
from .errors import relative_error, roundoff
from .kinks import crosses_kink
from .leaves import nudge


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
        up, down = nudge(build, leaf, h)
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

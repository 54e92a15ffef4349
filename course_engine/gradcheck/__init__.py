"""Numerical derivatives: the truth every gradient in the course is checked against.

A central difference (f(x+h) - f(x-h)) / 2h has an error that falls as h**2; a
forward difference's falls only as h. In float64, h near 1e-6 balances that
truncation error against round-off.

Modules: differences (of plain functions), errors (comparing two numbers), kinks
(relu inputs near 0), leaves (nudging the leaves of a graph) and report
(`gradient_check`). The last two are the reference answer to notebook 05's MLP
gradient check, whose grading kernel gets the course without them; so names are
imported when first used.
"""

from .._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__)

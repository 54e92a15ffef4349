"""Stochastic gradient descent with an optional learning-rate schedule.

SGD is the reference answer to notebook 06's step exercise and lives in a module
of its own, which that notebook's grading kernel does not get.
"""

from .._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__)

"""The course's classic training run: two moons with an MLP, max-margin + L2.

Its loop is the reference answer to notebook 06's moons step, so it lives in a
module of its own (moons.py), which that notebook's grading kernel does not get.
"""

from .._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__)

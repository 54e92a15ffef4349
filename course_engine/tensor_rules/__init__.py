"""The rules of Tensor's backward that take more than one line: summing a broadcast
gradient back down (unbroadcast), the gradient of a sum, and of a matrix product.

Each is the reference answer to an exercise of notebook 07 and sits in a module of its
own, which that notebook's grading kernel goes without; Tensor imports them the first
time a backward pass needs one.
"""

from .._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__)

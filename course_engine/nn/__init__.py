"""Neurons, layers and multi-layer perceptrons built on `Value`.

`MLP(nin, nouts)` behaves like micrograd's: relu hidden layers, a linear output
layer, weights drawn from `random.uniform(-1, 1)` and biases starting at 0, so
the same `random.seed` gives the same network.

One piece per module (module, neuron, layer, plan, mlp): each is the reference
answer to an exercise of notebook 04 or 05, and that notebook's grading kernel
gets the course without it. So names are imported when first used.
"""

from .._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__)

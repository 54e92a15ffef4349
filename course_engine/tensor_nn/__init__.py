"""Layers and MLPs on Tensors: a whole batch through a layer in one matrix product.

`Linear(nin, nout)` holds a weight matrix W of shape (nin, nout) and a bias b of
shape (nout,): column j of W is the weights of neuron j of nn.Layer, so for a
batch X of shape (n, nin), `X @ W + b` is every neuron on every example at once.
The weights are drawn with `random.uniform(-1, 1)` in the same order as
nn.Layer draws them, so the same `random.seed` gives the same network as the
scalar `nn.MLP`.

`MLP.from_scalar` (copying a scalar MLP's weights) is notebook 07's exercise, so
its body is a module of its own (from_scalar.py), which that notebook's grading
kernel does not get; names are imported when first used.
"""

from .._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__)

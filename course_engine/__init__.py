"""The course's reference engine: scalar autograd, a small nn library and tools."""

from .engine import Value, is_recording, no_grad
from .nn import MLP, Layer, Module, Neuron
from .tensor import Tensor

__all__ = ["Value", "no_grad", "is_recording", "Module", "Neuron", "Layer", "MLP", "Tensor"]

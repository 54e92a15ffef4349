"""The course's reference engine: scalar autograd, a small nn library and tools."""

from .engine import Value, is_recording, no_grad
from .nn import MLP, Layer, Module, Neuron

__all__ = ["Value", "no_grad", "is_recording", "Module", "Neuron", "Layer", "MLP"]

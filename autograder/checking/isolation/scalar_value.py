"""Correct pieces of notebook 03's Value, swapped into a student's class so that each check
tests one exercise alone: a mistake in one cell fails only that cell's check. Nodes are made
with the student's own constructor (given code) and get correct `_backward` functions, whose
local derivatives come from the reference engine; the class is restored afterwards."""

from __future__ import annotations

from unittest import mock

from course_engine import Value as ReferenceValue
from course_engine.draw import _nodes as reference_order  # every node, parents first, no recursion

OPERATIONS = (
    *("__add__", "__radd__", "__mul__", "__rmul__", "__neg__", "__sub__", "__rsub__", "__truediv__"),
    *("__rtruediv__", "__pow__", "exp", "tanh", "relu", "sigmoid", "leaky_relu"),
)


def patched(cls, replacements):
    """Class attributes set for a `with` block, then restored (or removed)."""
    return mock.patch.multiple(cls, create=True, **replacements)


def propagate(root):
    """The backward pass without seeding: root.grad is whatever the check set."""
    for node in reversed(reference_order(root)):
        node._backward()


def node(cls, data, parents, op, local_grads, label=""):
    """A node of the student's class whose _backward applies the chain rule correctly."""
    out = cls(data, tuple(parents), op, label)

    def _backward():
        for parent, local in zip(parents, local_grads):
            parent.grad += local * out.grad

    out._backward = _backward
    return out


def reference_method(cls, name):
    """Operation `name` done by the reference engine on twins of the operands, returned as a
    node of the student's class whose parents are the operands (or new constants)."""

    def method(self, *args):
        originals = {}

        def twin(v):
            if not isinstance(v, cls):
                return v
            copy = ReferenceValue(v.data)
            originals[id(copy)] = v
            return copy

        out = getattr(twin(self), name)(*map(twin, args))
        parents = [originals[id(p)] if id(p) in originals else cls(p.data) for p in out._prev]
        return node(cls, out.data, parents, out._op, out._local_grads)

    return method


def arithmetic(cls, keep):
    """Every operation but those in `keep` replaced by a correct one, for the check's duration."""
    return patched(cls, {name: reference_method(cls, name) for name in OPERATIONS if name not in keep})


def mirror(cls, reference_nodes, spec):
    """A graph of the student's class, node for node like a reference one built from `spec`."""
    nodes = []
    for ref, (op, parents, _, label) in zip(reference_nodes, spec):
        nodes.append(node(cls, ref.data, [nodes[i] for i in parents], op, ref._local_grads, label))
    return nodes

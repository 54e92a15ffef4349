"""Notebook 02's Value, correct and minimal: a constructor to swap into the student's class
(so that +, *, numbers and relu are checked without leaning on the student's __init__), and
a stand-in Value with + and * only (so that the expressions are checked without their class)."""

from __future__ import annotations

from contextlib import contextmanager
from numbers import Real


def reference_init(self, data, _children=(), _op="", label=""):
    self.data, self.grad, self._prev, self._op, self.label = float(data), 0.0, tuple(_children), _op, label


@contextmanager
def known_good_constructor(cls):
    """Run the student's methods with a correct `__init__` in place of theirs."""
    original, cls.__init__ = cls.__dict__.get("__init__"), reference_init
    try:
        yield cls
    finally:
        if original is None:
            del cls.__init__
        else:
            cls.__init__ = original


class Unsupported(Exception):
    """An expression used what the Value cannot do yet (`what`: "**", "-", "/", "unary minus"),
    or combined a Value by `what` with an operand neither a Value nor a number ([type, repr])."""

    def __init__(self, what, operand=None):
        super().__init__(what)
        self.what, self.operand = what, operand


class StandIn:
    """A Value as the notebook has it when the expressions are written: + and *, numbers on
    either side, nothing else."""

    __init__ = reference_init

    def _combine(self, other, op):
        if not isinstance(other, (StandIn, Real)):
            raise Unsupported(op, [type(other).__name__, repr(other)])
        other = other if isinstance(other, StandIn) else StandIn(other)
        return StandIn(self.data + other.data if op == "+" else self.data * other.data, (self, other), op)

    def __add__(self, other):
        return self._combine(other, "+")

    def __mul__(self, other):
        return self._combine(other, "*")

    __radd__, __rmul__ = __add__, __mul__


def _refuse(what):
    def method(self, *other):
        raise Unsupported(what)

    return method


for _what, _names in {
    "**": "pow rpow",
    "-": "sub rsub",
    "/": "truediv rtruediv",
    "unary minus": "neg",
}.items():
    for _name in _names.split():
        setattr(StandIn, f"__{_name}__", _refuse(_what))

"""A stand-in Value with + and * only, as notebook 02 has it when its expressions are written:
02.expr_d and 02.expr_z are then checked without the student's class. Used by probes only."""

from functools import partialmethod
from numbers import Real

# it adds and multiplies Values and numbers and keeps its parents: those exercises' answers
ANSWERS = ("02.value", "02.arith", "02.numbers", "02.graph")


def full_init(self, data, _children=(), _op="", label=""):
    self.data, self.grad, self._prev, self._op, self.label = float(data), 0.0, tuple(_children), _op, label


class Unsupported(Exception):
    """What an expression did that its Value cannot do yet: `what` ("**", "-", "/", "unary
    minus"), or + or * with an `operand` that is neither a Value nor a number ([type, repr])."""

    def __init__(self, what, operand=None):
        super().__init__(what)
        self.what, self.operand = what, operand


class StandIn:
    """A Value as the notebook has it when the expressions are written: + and *, with numbers
    on either side, and nothing else."""

    __init__ = full_init

    def _combine(self, other, op):
        if not isinstance(other, (StandIn, Real)):
            raise Unsupported(op, [type(other).__name__, repr(other)])
        other = other if isinstance(other, StandIn) else StandIn(other)
        return StandIn(self.data + other.data if op == "+" else self.data * other.data, (self, other), op)

    def _refuse(self, what, *other):
        raise Unsupported(what)

    __add__ = __radd__ = partialmethod(_combine, op="+")
    __mul__ = __rmul__ = partialmethod(_combine, op="*")
    __pow__ = __rpow__ = partialmethod(_refuse, "**")
    __sub__ = __rsub__ = partialmethod(_refuse, "-")
    __truediv__ = __rtruediv__ = partialmethod(_refuse, "/")
    __neg__ = partialmethod(_refuse, "unary minus")

"""A scalar autograd engine: every Value remembers how it was made.

Each operation below is two things side by side: the forward value, and the
local derivative of that value with respect to each input. `backward()` then
applies the chain rule node by node, from the output back to the leaves.

Why local derivatives are stored as numbers, not closures: micrograd gives each
node a `_backward` closure that refers back to the node itself. That is a
reference cycle per node, so every graph waits for Python's cyclic garbage
collector, which dominates a training loop's time. A node here holds plain
numbers, so a graph is freed by reference counting the moment it is dropped.

The rest of what makes it fast (micrograd's own moons program runs about 12x
faster on it; benchmarks/bench_moons.py) is said where it happens, one comment per
trick: parents in slots rather than tuples (`__slots__`), `_result` (a node made
without `__init__`'s checks), the `type(other) is Value` test, the stack of the
topological sort, and `backward()` written out on the slots. Half the time that
is left still goes to the cyclic collector walking the live graph (one object per
node to it now).
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from numbers import Real

_recording = True  # False inside `no_grad()`: forward values only, no graph


@contextmanager
def no_grad():
    """Compute forward values without recording a graph (evaluation, plotting)."""
    global _recording
    previous, _recording = _recording, False
    try:
        yield
    finally:
        _recording = previous


def is_recording() -> bool:
    """True when new Values remember their parents (outside `no_grad()`)."""
    return _recording


def _check_real(data, where: str) -> float:
    if type(data) is float:  # the common case, kept cheap
        return data
    if isinstance(data, Real):
        return float(data)
    raise TypeError(
        f"{where}: expected a real number, got {type(data).__name__} {data!r}. "
        "Convert it first, for example Value(float(x))."
    )


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:  # exp(x) above about 1.8e308: the limit is infinity
        return math.inf


class Value:
    """A scalar that records the operations that produced it."""

    # Where a node keeps its parents: in slots of its own. _a and _b are the first and
    # second parent (None when there is none), _da and _db the local derivatives with
    # respect to them; a node of more than two parents (weighted_sum) keeps a tuple of
    # parents in _a and a tuple of derivatives in _da. `_prev` and `_local_grads` read
    # them back as tuples. Why not tuples for every node: each tuple of Values is one more
    # object for Python's cyclic garbage collector to count and walk, and with two of them
    # per node the collector took two thirds of a training step. (Slots, not a __dict__:
    # a smaller node, made and read faster.)
    __slots__ = ("data", "grad", "label", "_op", "_a", "_b", "_da", "_db")

    def __init__(self, data, _children=(), _op="", label="", _local_grads=()):
        self.data = data if type(data) is float else _check_real(data, "Value(data)")
        self.grad = 0.0
        self.label = label
        self._op = _op
        if _recording:
            self._link(tuple(_children), tuple(_local_grads))
        else:
            self._link((), ())

    def _link(self, parents: tuple, local_grads: tuple):
        """Keep `parents` (in a fixed order) and d(self)/d(parent), one per parent."""
        if len(parents) == len(local_grads) <= 2:
            self._a, self._b = (*parents, None, None)[:2]
            self._da, self._db = (*local_grads, 0.0, 0.0)[:2]
        else:
            self._a, self._b, self._da, self._db = parents, None, local_grads, 0.0

    @property
    def _prev(self) -> tuple:
        """The parents, in order (micrograd's `_prev`)."""
        a = self._a
        if a is None or type(a) is tuple:
            return a or ()
        return (a,) if self._b is None else (a, self._b)

    @_prev.setter
    def _prev(self, parents):
        self._link(tuple(parents), self._local_grads)

    @property
    def _local_grads(self) -> tuple:
        """d(self)/d(parent), one per parent, in the order of `_prev`."""
        a = self._a
        if type(a) is tuple:
            return self._da
        if a is None:
            return ()
        return (self._da,) if self._b is None else (self._da, self._db)

    @_local_grads.setter
    def _local_grads(self, local_grads):
        self._link(self._prev, tuple(local_grads))

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"

    # ---- the chain rule for one node ---------------------------------------
    def _backward(self):
        for parent, local in zip(self._prev, self._local_grads):
            parent.grad += local * self.grad  # += : a value used twice gets both paths

    # ---- arithmetic ---------------------------------------------------------
    # Each operation: its value, then each parent beside the local derivative with
    # respect to it. `type(other) is Value` first: two Values (the common case) then
    # cost one comparison, not a call; numbers and subclasses go through _as_value.
    def __add__(self, other):
        other = other if type(other) is Value else _as_value(other, "+", self)
        return _result(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __mul__(self, other):
        other = other if type(other) is Value else _as_value(other, "*", self)
        return _result(self.data * other.data, "*", self, other.data, other, self.data)

    def __sub__(self, other):
        other = other if type(other) is Value else _as_value(other, "-", self)
        return _result(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __truediv__(self, other):
        other = other if type(other) is Value else _as_value(other, "/", self)
        x, y = self.data, other.data
        if y == 0.0:
            raise ZeroDivisionError(f"division by zero: {self!r} / {other!r}")
        return _result(x / y, "/", self, 1.0 / y, other, -x / (y * y))

    def __neg__(self):
        return _result(-self.data, "neg", self, -1.0)

    def __pow__(self, exponent):
        if isinstance(exponent, Value):  # x ** y: y gets a gradient too
            x, y = self.data, exponent.data
            out = _power(x, y, lambda: f"{self!r} ** {exponent!r}")
            return _result(out, "**", self, _power_slope(x, y), exponent, _exponent_slope(x, out))
        n = _check_real(exponent, f"{self!r} ** exponent")
        out = _power(self.data, n, lambda: f"{self!r} ** {n}")
        return _result(out, f"**{n:g}", self, _power_slope(self.data, n))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_value(other, "-", self) - self

    def __rtruediv__(self, other):
        return _as_value(other, "/", self) / self

    def __rpow__(self, base):
        return _as_value(base, "**", self) ** self

    # ---- functions of one value --------------------------------------------
    def exp(self):
        out = _exp(self.data)
        return _result(out, "exp", self, out)

    def log(self):
        x = self.data
        if x <= 0.0:
            raise ValueError(
                f"log({self!r}): log is defined only for positive numbers. "
                "Clip the input first, for example (x + 1e-12) or a sigmoid before it."
            )
        return _result(math.log(x), "log", self, 1.0 / x)

    def tanh(self):
        t = math.tanh(self.data)  # math.tanh saturates to +-1, no overflow
        return _result(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self):
        x = self.data
        if x >= 0.0:  # two forms so that exp never sees a large positive number
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _result(s, "sigmoid", self, s * (1.0 - s))

    def relu(self):
        x = self.data
        return _result(x if x > 0.0 else 0.0, "relu", self, 1.0 if x > 0.0 else 0.0)

    def leaky_relu(self, slope=0.01):
        x = self.data
        return _result(x if x > 0.0 else slope * x, "leaky_relu", self, 1.0 if x > 0.0 else slope)

    # ---- fused operations -----------------------------------------------------
    @staticmethod
    def weighted_sum(weights, inputs, bias):
        """bias + sum(w * x) as one node, in the same order as chained + and *.

        One node instead of 2n: the same numbers, a graph n times smaller. This is
        what keeps the reference MLP fast; notebooks 04-05 build it from + and *.
        """
        inputs = [_as_value(x, "weighted_sum", bias) for x in inputs]
        total = bias.data
        for w, x in zip(weights, inputs):
            total += w.data * x.data
        return Value(
            total,
            (bias, *weights, *inputs),
            "wsum",
            _local_grads=(1.0, *[x.data for x in inputs], *[w.data for w in weights]),
        )

    # ---- backpropagation ----------------------------------------------------
    def topological_order(self):
        """Every node of the graph, each after all of its parents. No recursion,
        so a chain of a million nodes is fine."""
        # A depth-first walk in the order of a recursive one (parents left to right,
        # each node after its parents), with a stack of nodes rather than of (node, flag)
        # pairs: a node whose parents are being walked waits under a None, and goes into
        # `order` when the None comes off; a leaf goes straight in. Parents are read from
        # the slots (see __slots__), not through `_prev`. A third of the work per node.
        order, visited = [], set()
        stack = [self]
        while stack:
            node = stack.pop()
            if node is None:  # its parents are all in `order` now
                order.append(stack.pop())
            elif node not in visited:
                visited.add(node)
                a, b = node._a, node._b
                if a is None:  # a leaf
                    order.append(node)
                elif type(a) is tuple:  # more than two parents
                    stack += (node, None, *a[::-1])
                elif b is None:
                    stack += (node, None, a)
                else:
                    stack += (node, None, b, a)
        return order

    def backward(self):
        """Fill `.grad` of every node with d(self)/d(node), adding to what is there."""
        self.grad = 1.0
        for node in reversed(self.topological_order()):
            # node._backward(), written out on the slots: a method call and a zip per
            # node were most of the work (the same sums, in the same order)
            a, grad = node._a, node.grad
            if a is None:  # a leaf
                continue
            if type(a) is tuple:  # more than two parents
                for parent, local in zip(a, node._da):
                    parent.grad += local * grad
                continue
            a.grad += node._da * grad
            b = node._b
            if b is not None:
                b.grad += node._db * grad


def _result(data, op: str, a: Value, da: float, b: Value | None = None, db: float = 0.0) -> Value:
    """The Value an operation returns: parents a (and b), d(out)/da (and d(out)/db).
    Made without calling `Value(...)`: its tuples, keyword arguments and the check of
    `data` (a float, but for a `.data` set by hand to something else) cost half a node."""
    out = _new_value(Value)
    out.data = data if type(data) is float else _check_real(data, "Value(data)")
    out.grad = 0.0
    out.label = ""
    out._op = op
    if _recording:
        out._a, out._da, out._b, out._db = a, da, b, db
    else:
        out._a = out._b = None
        out._da = out._db = 0.0
    return out


_new_value = object.__new__


def _as_value(other, op: str, value: Value) -> Value:
    if isinstance(other, Value):
        return other
    if isinstance(other, Real):
        return Value(other)
    raise TypeError(
        f"cannot compute {value!r} {op} {type(other).__name__} {other!r}: "
        "Values combine only with Values and real numbers."
    )


def _power(x: float, n: float, describe) -> float:
    """x ** n; `describe()` names the expression in an error (built only then)."""
    if x < 0.0 and not n.is_integer():
        raise ValueError(
            f"{describe()}: a negative base with a fractional exponent has no real "
            "result. Keep the base positive (for example x.exp() or x**2 first)."
        )
    if x == 0.0 and n < 0.0:
        raise ZeroDivisionError(f"{describe()}: zero to a negative power")
    try:
        return x**n
    except OverflowError:  # beyond float range: the limit is +-infinity
        return -math.inf if x < 0.0 and n % 2 == 1 else math.inf


def _power_slope(x: float, n: float) -> float:
    """d/dx of x ** n: n x^(n-1)."""
    if n == 0.0:
        return 0.0
    if x == 0.0 and n < 1.0:
        return math.inf  # e.g. sqrt is vertical at 0
    return n * _power(x, n - 1.0, lambda: "power rule")


def _exponent_slope(x: float, out: float) -> float:
    """d/dy of x ** y: x^y ln(x)."""
    if x > 0.0:
        return out * math.log(x)
    if x == 0.0:
        return 0.0  # 0 ** y is 0 for every y > 0
    return math.nan  # for x < 0, x ** y exists only at whole y: no slope in y

"""Autograd on numpy arrays: the ideas of `Value`, a whole array at a time.

A Tensor holds a float64 array `data` (a numpy float64 for a one-number
result) and its gradient `grad`, of the same shape (0.0 until backward reaches
it: a result's from the start, a parameter's after zero_grad()). As in
engine.py, each operation below is two things side by side: the forward array,
and for each input a local backward, a function that turns the gradient of the
result into that input's share (`lambda g: g * b` for a * b).
`backward()` applies them from the output back to the leaves, in reverse
topological order, adding (`+=`) into each input's `grad`.

Broadcasting: numpy lets a (3, 1) array meet a (1, 4) one and gives (3, 4).
Each input was in effect copied along the broadcast axes, and a number used
many times collects the sum of the gradients of all its uses. So every
gradient is summed back to its input's own shape (`unbroadcast`) before it is
added in: once, in `backward()`, for every operation. That rule and the other
two that take more than a line (a sum's, a matrix product's) are in
`tensor_rules`, each the answer to an exercise of notebook 07.

Numbers and numpy arrays mixed into an expression become constants
(`requires_grad=False`): they get no gradient, and no work is spent on one.

No reference cycles: a local backward closes over the input *arrays* it needs,
never over the Tensor it belongs to, so a graph is freed by reference counting
the moment it is dropped (the reason engine.py stores numbers, not closures).
"""

from __future__ import annotations

import itertools
import operator
from numbers import Real

import numpy as np

from ._lazy import import_piece
from .engine import value as _value
from .engine.value import Value, no_grad

__all__ = ["Tensor", "no_grad", "cross_entropy", "l2"]

_created = itertools.count()  # creation numbers: a Tensor's inputs always have smaller ones
_creation_number = operator.attrgetter("_number")


# ---- the Tensor ------------------------------------------------------------------------------


class Tensor:
    """A float64 array that records the operations that produced it."""

    __slots__ = ("data", "grad", "label", "requires_grad", "_inputs", "_op", "_number")
    __array_ufunc__ = None  # `array * tensor` calls Tensor.__rmul__ instead of looping in numpy

    def __init__(self, data, label="", requires_grad=True):
        self.data = _as_array(data)
        self.grad = np.zeros(self.data.shape)
        self.label = label
        self.requires_grad = requires_grad
        self._inputs = ()  # (input, local backward) for each input that needs a gradient
        self._op = ""
        self._number = next(_created)

    # ---- what it looks like ------------------------------------------------------------
    @property
    def _prev(self):
        """The inputs this Tensor's gradient flows back to (as Value._prev)."""
        return tuple(t for t, _ in self._inputs)

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor: it holds one number, read it with .item()")
        return len(self.data)

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item() needs a Tensor of one number, this one has shape {self.shape}")
        return self.data.item()  # a Python float: the data are float64

    def numpy(self):
        return self.data

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        if self.data.size <= 6:
            data = np.array2string(self.data, precision=4, separator=", ")
            grad = np.array2string(np.asarray(self.grad), precision=4, separator=", ")
            return f"Tensor(data={data}, grad={grad}{label})"
        return f"Tensor(shape={self.shape}, op={self._op or 'leaf'!r}{label})"

    # ---- elementwise arithmetic, with broadcasting ---------------------------------------
    def __add__(self, other):
        a, b = self.data, _operand(other, "+", self)
        out = _broadcasting("+", operator.add, a, b)
        return _result(out, "+", (self, _unchanged), (other, _unchanged))

    def __sub__(self, other):
        a, b = self.data, _operand(other, "-", self)
        out = _broadcasting("-", operator.sub, a, b)
        return _result(out, "-", (self, _unchanged), (other, operator.neg))

    def __mul__(self, other):
        if other is self:  # x * x (an L2 term): one edge, not two; (g + g) * x is g * x + g * x exactly
            x = self.data
            return _result(x * x, "*", (self, lambda g: (g + g) * x))
        a, b = self.data, _operand(other, "*", self)
        out = _broadcasting("*", operator.mul, a, b)
        return _result(out, "*", (self, lambda g: g * b), (other, lambda g: g * a))

    def __truediv__(self, other):
        other = _as_tensor(other, "/", self)
        a, b = self.data, other.data
        if not b.all():
            zeros = b.size - np.count_nonzero(b)
            raise ZeroDivisionError(f"cannot compute a / b: b (shape {b.shape}) has {zeros} zero entries")
        out = _broadcasting("/", operator.truediv, a, b)
        return _result(out, "/", (self, lambda g: g / b), (other, lambda g: -g * out / b))

    def __neg__(self):
        return _result(-self.data, "neg", (self, lambda g: -g))

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor):
            return self._pow_tensor(exponent)
        if not isinstance(exponent, Real):
            raise TypeError(f"Tensor ** {type(exponent).__name__}: the exponent must be a number or a Tensor")
        n, x = float(exponent), self.data
        if not n.is_integer() and (x < 0).any():
            raise ValueError(
                f"Tensor ** {n:g}: a negative base with a fractional exponent has no real result "
                f"({np.count_nonzero(x < 0)} entries are negative). Keep the base positive first."
            )
        if n < 0 and not x.all():
            raise ZeroDivisionError(f"Tensor ** {n:g}: zero to a negative power")
        if n == 0.0:
            return _result(np.ones_like(x), "**0", (self, lambda g: np.zeros_like(g)))
        with np.errstate(divide="ignore"):  # a slope of x ** 0.5 at 0 is infinite
            slope = n * x ** (n - 1)
        return _result(x**n, f"**{n:g}", (self, lambda g: g * slope))

    def _pow_tensor(self, exponent):
        """x ** y with y a Tensor too: d/dy = x ** y ln x (0 where x = 0; none where x < 0)."""
        x, y = self.data, exponent.data
        with np.errstate(invalid="ignore", divide="ignore"):
            out = _broadcasting("**", operator.pow, x, y)
            log_x = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.where(x == 0, 0.0, np.nan))
            slope_x = y * x ** (y - 1)
        return _result(out, "**", (self, lambda g: g * slope_x), (exponent, lambda g: g * out * log_x))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        a, b = self.data, _operand(other, "-", self)
        return _result(_broadcasting("-", operator.sub, b, a), "-", (self, operator.neg))

    def __rtruediv__(self, other):
        return _as_tensor(other, "/", self) / self

    def __rpow__(self, base):
        return _as_tensor(base, "**", self) ** self

    # ---- matrix product ----------------------------------------------------------------
    def __matmul__(self, other):
        if type(other) is not Tensor:
            other = _as_tensor(other, "@", self)
        a, b = self.data, other.data
        try:
            out = a @ b
        except ValueError:  # the shapes are checked only when numpy refuses them
            _check_matmul(a, b)
            raise _not_broadcast("@", a, b) from None
        if a.ndim == 2 and b.ndim == 2:  # (n, k) @ (k, m): the shapes say where each transpose goes
            return _result(out, "@", (self, lambda g: g @ b.T), (other, lambda g: a.T @ g))
        return _result(
            out,
            "@",
            (self, lambda g: _rule("matmul", "matmul_backward")(a, b, g)[0]),
            (other, lambda g: _rule("matmul", "matmul_backward")(a, b, g)[1]),
        )

    def __rmatmul__(self, other):
        return _as_tensor(other, "@", self) @ self

    # ---- reductions and shapes ---------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        x = self.data
        out = _reduce("sum", x, axis, keepdims)
        return _result(
            out, "sum", (self, lambda g: _rule("sums", "sum_backward")(g, x.shape, axis, keepdims))
        )

    def mean(self, axis=None, keepdims=False):
        x = self.data
        total = _reduce("mean", x, axis, keepdims)
        count = x.size // max(total.size, 1)  # how many entries went into each mean
        return _result(
            total / count,
            "mean",
            (self, lambda g: _rule("sums", "sum_backward")(g / count, x.shape, axis, keepdims)),
        )

    def reshape(self, *shape):
        shape, old = _numbers(shape), self.data.shape
        why = f"cannot reshape a Tensor of shape {old} ({self.data.size} entries) into shape {shape}: "
        out = _explained(lambda: self.data.reshape(shape), why + "the number of entries must stay the same")
        return _result(out, "reshape", (self, lambda g: g.reshape(old)))

    def transpose(self, *axes):
        axes = _numbers(axes) or tuple(reversed(range(self.data.ndim)))
        why = f"cannot transpose a Tensor of shape {self.shape} with axes {axes}: "
        out = _explained(lambda: self.data.transpose(axes), why + f"give each of its {self.ndim} axes once")
        undo = tuple(np.argsort(axes))
        return _result(out, "transpose", (self, lambda g: g.transpose(undo)))

    @property
    def T(self):
        return self.transpose()

    # ---- functions of each entry ---------------------------------------------------------
    def relu(self):
        x = self.data
        return _result(np.maximum(x, 0.0), "relu", (self, lambda g: g * (x > 0)))

    def leaky_relu(self, slope=0.01):
        x = self.data
        return _result(
            np.where(x > 0, x, slope * x), "leaky_relu", (self, lambda g: g * np.where(x > 0, 1.0, slope))
        )

    def tanh(self):
        t = np.tanh(self.data)
        return _result(t, "tanh", (self, lambda g: g * (1.0 - t * t)))

    def sigmoid(self):
        x = self.data
        e = np.exp(-np.abs(x))  # two forms, so that exp only ever sees numbers <= 0
        s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return _result(s, "sigmoid", (self, lambda g: g * s * (1.0 - s)))

    def exp(self):
        with np.errstate(over="ignore"):  # beyond about 709 the limit is infinity
            out = np.exp(self.data)
        return _result(out, "exp", (self, lambda g: g * out))

    def log(self):
        x = self.data
        if not (x > 0).all():
            raise ValueError(
                f"log of a Tensor of shape {x.shape}: log is defined only for positive numbers, and "
                f"{np.count_nonzero(~(x > 0))} entries are not (the smallest is {np.min(x):.6g}). "
                "Clip the input first, or use log_softmax / cross_entropy for log-probabilities."
            )
        return _result(np.log(x), "log", (self, lambda g: g / x))

    def log_softmax(self, axis=-1):
        """log(exp(x) / sum(exp(x))) along `axis`, without overflow or log(0)."""
        x = self.data
        shifted = x - x.max(axis=axis, keepdims=True)  # the largest entry becomes 0: exp cannot overflow
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        softmax = np.exp(out)
        return _result(out, "log_softmax", (self, lambda g: g - softmax * g.sum(axis=axis, keepdims=True)))

    # ---- backpropagation ---------------------------------------------------------------
    def topological_order(self):
        """Every node of the graph, each after all of its inputs (no recursion).

        Why not a depth-first walk as in engine.py: a Tensor is always created after
        its inputs, so creation numbers are a topological order already. Collecting
        the nodes and sorting them by number is several times cheaper in Python, and
        with arrays this small a training step's backward is mostly bookkeeping."""
        found, seen = [self], {self}
        for node in found:  # the list grows as it is read: each node found is visited once
            for parent, _ in node._inputs:
                if parent not in seen:
                    seen.add(parent)
                    found.append(parent)
        return sorted(found, key=_creation_number)

    def backward(self, grad=None):
        """Fill `.grad` of every node with d(self)/d(node), adding to what is there.

        For a Tensor of one number the seed is 1; for any other shape, pass the
        gradient to start from (`grad=`), or reduce to one number first (`.sum()`)."""
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() starts from a single number, but this Tensor has shape {self.shape}: "
                    "reduce it first (.sum() or .mean()), or pass grad= with that shape"
                )
            self.grad = np.ones(self.data.shape) if self.data.ndim else np.float64(1.0)
        else:
            grad = np.asarray(grad, dtype=np.float64)
            if grad.shape != self.shape:
                raise ValueError(f"backward(grad=...): grad has shape {grad.shape}, the Tensor {self.shape}")
            self.grad = grad.copy()
        for node in reversed(self.topological_order()):
            grad = node.grad
            for parent, local in node._inputs:
                share, shape, before = local(grad), parent.data.shape, parent.grad
                if share.shape != shape:  # the input was broadcast: sum its uses
                    share = _rule("broadcasting", "unbroadcast")(share, shape)
                if type(before) is not float:
                    parent.grad += share  # += : a Tensor used twice gets both paths
                elif before != 0.0:
                    parent.grad = share + before
                elif type(share) is np.float64 or (share.base is None and share is not grad):
                    parent.grad = share  # the first share, a number or a new array of its own: kept
                else:
                    parent.grad = share.copy()  # someone else's array (or a view of one): copied


def cross_entropy(logits, labels):
    """Mean cross-entropy of `logits` (n, classes) against integer `labels` (n,).

    One node, computed through log-softmax so that no exp overflows and no log
    sees 0; its local backward is the classic (softmax - one_hot) / n."""
    logits = _as_tensor(logits, "cross_entropy", None)
    labels = np.asarray(labels)
    z = logits.data
    if z.ndim != 2 or labels.shape != z.shape[:1]:
        raise ValueError(
            "cross_entropy: logits must have shape (n, classes) and labels shape (n,); "
            f"got logits {z.shape} and labels {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer) or not ((labels >= 0) & (labels < z.shape[1])).all():
        raise ValueError(
            f"cross_entropy: labels must be whole numbers from 0 to {z.shape[1] - 1}, one per row; "
            f"got {labels!r}"
        )
    n, rows = z.shape[0], np.arange(z.shape[0])
    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    softmax_minus_one_hot = np.exp(log_probs)
    softmax_minus_one_hot[rows, labels] -= 1.0
    return _result(
        -log_probs[rows, labels].mean(), "cross_entropy", (logits, lambda g: g * softmax_minus_one_hot / n)
    )


def l2(parameters, alpha):
    """alpha * the sum of the squares of every entry of `parameters`, as one node.

    The same numbers, in the same order, as alpha * sum((p * p).sum() for p in parameters),
    and the same gradients, 2 alpha p for each p: the term a numpy program adds by hand.
    Written out, the penalty takes three nodes a parameter (a square, a sum, an add), more
    than the model's own forward pass: on the moons MLP about a third of a training step,
    which one node makes about a fifth faster (benchmarks/bench_tensor.py)."""
    if type(alpha) is not float and not isinstance(alpha, Real):  # (a Tensor is not a Real)
        raise TypeError(f"l2(parameters, alpha): alpha must be a number, got {type(alpha).__name__}")
    params = [p if type(p) is Tensor else _as_tensor(p, "l2", None) for p in parameters]
    total = np.float64(0.0)
    for p in params:
        total = total + np.add.reduce(p.data * p.data, axis=None)
    alpha = np.float64(alpha)

    def share_of(x):
        return lambda g: (g * alpha + g * alpha) * x  # d(alpha x^2)/dx = 2 alpha x, as (p * p)'s (g + g) * x

    return _result(total * alpha, "l2", *[(p, share_of(p.data)) for p in params])


# ---- helpers -----------------------------------------------------------------------------------


def _rule(module: str, name: str):
    """A rule of backward from course_engine.tensor_rules, imported the first time it is
    needed (a grading kernel of notebook 07, which asks for them, goes without them)."""
    rule = _rules.get(name)
    if rule is None:  # kept once found: a backward pass asks for rules a dozen times
        rule = _rules[name] = getattr(import_piece(f"{__package__}.tensor_rules.{module}", name), name)
    return rule


_rules = {}


def _unchanged(g):
    """The local backward of an input added in (or an operation that keeps every entry)."""
    return g


def _result(data, op, *inputs):
    """The Tensor an operation returns. `inputs` are (input, local backward) pairs; inputs
    that are not Tensors (numbers and arrays) and constants are dropped, and a result of
    constants only is a constant."""
    out = _new_tensor(Tensor)
    if type(data) is not np.ndarray and type(data) is not np.float64:  # a one-number result may stay
        data = np.asarray(data, dtype=np.float64)  # a numpy float: arithmetic on those is faster
    out.data = data
    # Why 0.0 and not an array of zeros: a result's gradient is needed only if backward()
    # reaches it. A forward pass alone (evaluation, the finite differences of a gradient
    # check) then allocates no gradients, and backward() keeps a result's first share as
    # its grad instead of adding it into zeros: together a fifth of a training step.
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._number = next(_created)
    if not _value._recording:
        inputs = ()
    for edge in inputs:
        if type(edge[0]) is not Tensor or not edge[0].requires_grad:
            inputs = tuple([edge for edge in inputs if isinstance(edge[0], Tensor) and edge[0].requires_grad])
            break
    out._inputs = inputs
    out.requires_grad = bool(inputs)
    return out


_new_tensor = object.__new__


def _as_array(data):
    if isinstance(data, Tensor):
        return np.array(data.data, dtype=np.float64)
    try:
        return np.array(data, dtype=np.float64)  # a copy: the Tensor owns its numbers
    except (TypeError, ValueError) as error:
        if _holds_values(data):
            raise TypeError(
                "Tensor(data): got Values. A Tensor holds plain numbers: Tensor([v.data for v in values]) "
                "copies their numbers (their gradients will not flow back to the Values)."
            ) from None
        raise TypeError(
            f"Tensor(data): expected numbers or an array of numbers, got {data!r} ({error})"
        ) from None


def _holds_values(data) -> bool:
    """Whether `data` is a Value, or lists of them nested to any depth."""
    if isinstance(data, (list, tuple)):
        return any(_holds_values(x) for x in data)
    return isinstance(data, Value)


def _as_tensor(other, op, tensor):
    """A Tensor as it is; a number or an array as a constant."""
    if isinstance(other, Tensor):
        return other
    if isinstance(other, (Real, np.ndarray)):
        constant = Tensor.__new__(Tensor)  # the fields of a Tensor, without the checks of Tensor()
        constant.data = np.float64(other) if isinstance(other, Real) else np.asarray(other, dtype=np.float64)
        constant.grad, constant.label, constant.requires_grad = 0.0, "", False
        constant._inputs, constant._op, constant._number = (), "constant", next(_created)
        return constant
    if isinstance(other, (list, tuple)):
        return Tensor(other, requires_grad=False)
    raise TypeError(
        f"cannot compute Tensor {op} {type(other).__name__}: Tensors combine with Tensors, "
        "numbers and numpy arrays"
    )


def _operand(other, op, tensor):
    """The numbers on the other side of +, - or *: a Tensor's data, or a constant's. No
    constant Tensor is made for a number or an array: _result drops inputs that are not
    Tensors, so it would be made only to be dropped (a third of the cost of `ALPHA * loss`)."""
    if type(other) is Tensor:
        return other.data
    if type(other) is np.ndarray:
        return np.asarray(other, dtype=np.float64)  # the array itself when it holds float64 already
    if type(other) is float or type(other) is int or isinstance(other, Real):  # (the ABC check is slow)
        return np.float64(other)
    return _as_tensor(other, op, tensor).data


def _broadcasting(op, fn, a, b):
    """fn(a, b), with an error that names the operation and both shapes. `fn` is the
    operator (operator.mul, not np.multiply): the same for arrays, and on one-number
    Tensors, whose data are numpy floats, ten times faster than a ufunc call."""
    try:
        return fn(a, b)
    except ValueError:
        raise _not_broadcast(op, a, b) from None


def _not_broadcast(op, a, b):
    return ValueError(
        f"cannot compute a {op} b with shapes {np.shape(a)} and {np.shape(b)}: they do not broadcast "
        "(numpy lines shapes up from the right; each pair of sizes must be equal, or one of them 1)"
    )


def _check_matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"cannot compute a @ b with shapes {a.shape} and {b.shape}: @ needs at least one axis "
            "on each side; to scale by a number use *"
        )
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner_b:
        raise ValueError(
            f"cannot compute a @ b with shapes {a.shape} and {b.shape}: the last axis of a "
            f"({a.shape[-1]}) must match the {'only' if b.ndim == 1 else 'second-to-last'} axis of b ({inner_b})"
        )


def _kept_shape(shape, axis):
    """`shape` with the axes in `axis` set to 1: the shape of sum(axis, keepdims=True)."""
    axes = {a % len(shape) for a in (axis if isinstance(axis, tuple) else (axis,))}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _reduce(name, x, axis, keepdims):
    try:
        return np.add.reduce(x, axis=axis, keepdims=keepdims)  # x.sum() without its Python wrapper
    except (ValueError, IndexError, TypeError):  # numpy's AxisError is a ValueError and an IndexError
        raise ValueError(
            f"{name}(axis={axis!r}) of a Tensor of shape {x.shape}: each axis must be a whole "
            f"number from {-x.ndim} to {x.ndim - 1}, given once"
        ) from None


def _numbers(args: tuple) -> tuple:
    """The arguments of reshape(2, 3) or reshape((2, 3)): a tuple either way."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


def _explained(compute, message: str):
    """compute(), with numpy's complaint about a shape replaced by `message`."""
    try:
        return compute()
    except (ValueError, TypeError):
        raise ValueError(message) from None

"""Checks for notebook 07 (from scalars to tensors): the backward rules of
broadcasting add and mul, of matmul and of sum, a gradient check of tensors,
copying a scalar MLP's weights into a tensor MLP, and the moons step on tensors.

The truth about every gradient is a central difference, computed here in
float64 on the arrays themselves. The student's backward functions are called
on fresh random arrays (shapes that broadcast in every way), so no fixed answer
can pass the hidden tests. Everything that is not the exercise runs on the
reference engine (`course_engine.tensor`), and `add_backward` / `mul_backward`
run with the reference `unbroadcast` in place of the student's, so that one
slip fails one graded cell.
"""

from __future__ import annotations

import random
from contextlib import contextmanager

import numpy as np

from course_engine import MLP as ScalarMLP
from course_engine import Value
from course_engine.datasets import make_moons
from course_engine.tensor import Tensor, no_grad
from course_engine.tensor import unbroadcast as reference_unbroadcast
from course_engine.tensor_nn import MLP as TensorMLP

from ..core import CheckFailed, close, exercise, fmt, random_point
from .nb04_neurons import fresh_global_random

FD_H = 1e-6
REL, ABS = 1e-6, 1e-8  # how close a gradient must be to the central difference
SIDES = (2, 3, 4)


# ---- arrays: making them, reading the student's, comparing -------------------------------------


def _values(rng, shape, lo=-2.0, hi=2.0):
    """An array of short random numbers (they read well in a message)."""
    return np.array([round(rng.uniform(lo, hi), 2) for _ in range(int(np.prod(shape)))]).reshape(shape)


def _show(a):
    a = np.asarray(a)
    text = np.array2string(a, precision=4, separator=", ", suppress_small=True, max_line_width=10**6)
    text = " ".join(text.split())
    return f"shape {a.shape}: {text}" if len(text) < 160 else f"shape {a.shape}: {text[:150]} ..."


def _as_array(x, what):
    """The student's result as a float array, or a message saying what it should be."""
    if isinstance(x, Tensor):
        raise CheckFailed(
            f"{what} must be a numpy array, got a Tensor",
            mistake="these functions work on plain numpy arrays: return the array itself (not Tensor(...))",
        )
    if isinstance(x, Value):
        raise CheckFailed(f"{what} must be a numpy array, got a Value")
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} must be a numpy array", got=type(x).__name__) from None
    if array.dtype == object:
        raise CheckFailed(f"{what} must be a numpy array of numbers", got=repr(x)[:80])
    return array


def _pair(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(
            f"{what} must return two arrays: (gradient for a, gradient for b)",
            got=f"{type(result).__name__}"
            + (f" of {len(result)}" if isinstance(result, (tuple, list)) else ""),
            mistake="end with `return grad_a, grad_b`",
        )
    return result


def _same(got, expected, rel=REL, abs_=ABS):
    got, expected = np.asarray(got), np.asarray(expected)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rel, atol=abs_))


def _central_difference(f, x, h=FD_H):
    """d f(x) / d x[index] for every entry of the array x (x is not changed)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        up = f(x)
        x[index] = original - h
        down = f(x)
        x[index] = original
        grad[index] = (up - down) / (2 * h)
    return grad


def _mistake(got, candidates):
    """The first description whose predicted array (computed lazily) is what the student got."""
    for description, predict in candidates.items():
        try:
            predicted = predict()
        except (ValueError, IndexError, TypeError):  # numpy's AxisError is a ValueError
            continue  # this mistake cannot even produce an array here
        if predicted is not None and _same(got, predicted):
            return description
    return None


def _operand_shape(rng, result, keep_all=False):
    """A shape that broadcasts to `result`: some leading axes dropped, some axes set to 1."""
    dropped = 0 if keep_all else rng.randint(0, len(result))
    shape = list(result[dropped:])
    for i in range(len(shape)):
        if rng.random() < 0.4:
            shape[i] = 1
    return tuple(shape)


def _result_shape(rng):
    return tuple(rng.sample(SIDES, rng.randint(1, 3)))  # distinct sides: a wrong axis shows


# ---- 07.unbroadcast -------------------------------------------------------------------------------


def _unbroadcast_cases(rng, hidden):
    cases = [((3,), (2, 3)), ((2, 1), (2, 3)), ((1, 3), (4, 2, 3))]  # the notebook's examples first
    while len(cases) < (25 if hidden else 8):
        result = _result_shape(rng)
        shape = _operand_shape(rng, result)
        if shape != result:
            cases.append((shape, result))
    cases.append(((), (2, 3)))
    cases.append(((2, 3), (2, 3)))
    return cases


@exercise(
    "07.unbroadcast",
    title="unbroadcast: a gradient summed back to its input's shape",
    points=2,
    hints=[
        "An entry that numpy used in k places of the result collects the SUM of those k gradients. "
        "Which axes of grad did broadcasting create?",
        "Two kinds: axes numpy added in front (grad has more axes than `shape`): sum them away; and "
        "axes where `shape` has size 1 but grad does not: sum them with keepdims=True.",
        "while grad.ndim > len(shape): grad = grad.sum(axis=0)   then, for each axis where "
        "shape[axis] == 1: grad = grad.sum(axis=axis, keepdims=True)",
    ],
)
def _check_unbroadcast(rng, hidden, unbroadcast):
    for shape, result in _unbroadcast_cases(rng, hidden):
        grad = _values(rng, result)
        call = f"unbroadcast(grad, {shape})"
        where = f"an input of shape {shape} broadcast to {result}; grad {_show(grad)}"
        got = _as_array(unbroadcast(grad.copy(), shape), f"{call}'s result")
        expected = _central_difference(
            lambda x, grad=grad, result=result: float((grad * np.broadcast_to(x, result)).sum()),
            np.zeros(shape),
        )
        if _same(got, expected):
            continue
        extra = len(result) - len(shape)
        stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and result[extra + i] != 1)
        candidates = {
            "the axes where the input has size 1 were not summed: sum them too, with keepdims=True "
            "(so that they stay, with size 1)": lambda: grad.sum(axis=tuple(range(extra))),
            "the gradient came back unchanged: sum it over the axes broadcasting created": lambda: grad,
            "the size-1 axes were summed away: sum them with keepdims=True, so that they stay, with size 1": (
                lambda: grad.sum(axis=tuple(range(extra)) + stretched)
            ),
            "averaged instead of summed: an entry used k times gets the SUM of its k gradients": lambda: (
                grad.mean(axis=tuple(range(extra)) + stretched, keepdims=True).reshape(shape)
            ),
            "summed over every axis: sum only the axes broadcasting created": lambda: grad.sum(),
            "the axes at the end were summed; numpy adds the new axes in FRONT (it lines shapes up from the right)": (
                lambda: grad.sum(axis=tuple(range(len(shape), len(result)))).reshape(shape)
            ),
        }
        raise CheckFailed(
            f"{call} is wrong",
            input=where,
            expected=_show(expected),
            got=_show(got),
            mistake=_mistake(got, candidates)
            or ("the result must have the input's shape" if got.shape != shape else None),
        )


# ---- 07.add and 07.mul ----------------------------------------------------------------------------


@contextmanager
def reference_helper(fn, name, replacement):
    """Run the student's `fn` with `name` in its module bound to the reference version
    (their own version is checked by its own exercise)."""
    namespace = getattr(fn, "__globals__", None)
    if not isinstance(namespace, dict) or name not in namespace:
        yield
        return
    theirs = namespace[name]
    namespace[name] = replacement
    try:
        yield
    finally:
        namespace[name] = theirs


def _binary_cases(rng, hidden):
    cases = [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1), (1, 3))]
    while len(cases) < (20 if hidden else 6):
        result = _result_shape(rng)
        a, b = _operand_shape(rng, result), _operand_shape(rng, result, keep_all=rng.random() < 0.5)
        cases.append((a, b) if rng.random() < 0.5 else (b, a))
    cases.append(((), (2, 2)))
    return cases


def _check_binary(rng, hidden, backward_fn, symbol, forward, name):
    for a_shape, b_shape in _binary_cases(rng, hidden):
        a, b = _values(rng, a_shape), _values(rng, b_shape)
        result = np.broadcast_shapes(a_shape, b_shape)
        grad = _values(rng, result, 0.5, 2.0)
        where = f"a {_show(a)}; b {_show(b)}; grad {_show(grad)}"
        with reference_helper(backward_fn, "unbroadcast", reference_unbroadcast):
            returned = _pair(backward_fn(a.copy(), b.copy(), grad.copy()), f"{name}(a, b, grad)")
        truths = (
            _central_difference(lambda x: float((grad * forward(x, b)).sum()), a),
            _central_difference(lambda x: float((grad * forward(a, x)).sum()), b),
        )
        for side, got, truth, operand, other in (
            ("a", returned[0], truths[0], a, b),
            ("b", returned[1], truths[1], b, a),
        ):
            got = _as_array(got, f"the gradient for {side}")
            if _same(got, truth):
                continue
            shape = operand.shape
            candidates = {
                f"the gradient for {side} has the broadcast shape {result}, not {side}'s shape {shape}: "
                f"sum it back with unbroadcast(..., {side}.shape)": lambda: (
                    grad if symbol == "+" else grad * other
                ),
            }
            if symbol == "*":
                candidates[
                    f"{side}'s gradient uses {side} itself; in a * b each side gets grad times the OTHER side: "
                    f"grad * {'b' if side == 'a' else 'a'} for {side}"
                ] = lambda: reference_unbroadcast(grad * np.broadcast_to(operand, result), shape)
            candidates[
                "the two gradients are returned in the wrong order: (gradient for a, gradient for b)"
            ] = lambda: truths[1] if side == "a" else truths[0]
            if symbol == "+":
                candidates[
                    "no chain rule: multiply the local derivative 1 by grad, the incoming gradient"
                ] = lambda: reference_unbroadcast(np.ones(result), shape)
                candidates[f"the sign is wrong: in a + b, {side} gets +grad"] = lambda: -truth
            else:
                candidates[
                    "no chain rule: the local derivative (the other side) must be multiplied by grad"
                ] = lambda: reference_unbroadcast(np.broadcast_to(other, result) * np.ones(result), shape)
            raise CheckFailed(
                f"{name}: the gradient for {side} of out = a {symbol} b is wrong",
                input=where,
                expected=f"{_show(truth)} (central differences)",
                got=_show(got),
                mistake=_mistake(got, candidates)
                or (f"return an array of {side}'s shape {shape}" if got.shape != shape else None),
            )


@exercise(
    "07.add",
    title="backward of a + b with broadcasting",
    points=1,
    hints=[
        "Through + the gradient passes unchanged to both sides (the local derivative is 1) ...",
        "... but a side that was broadcast was used many times: sum its gradient back to its own shape.",
        "return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)",
    ],
)
def _check_add(rng, hidden, add_backward):
    _check_binary(rng, hidden, add_backward, "+", lambda x, y: x + y, "add_backward")


@exercise(
    "07.mul",
    title="backward of a * b with broadcasting",
    points=2,
    hints=[
        "As with Values: through * each side gets the incoming gradient times the OTHER side's value.",
        "grad * b has the broadcast shape; sum it back to a's shape (and grad * a to b's).",
        "return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)",
    ],
)
def _check_mul(rng, hidden, mul_backward):
    _check_binary(rng, hidden, mul_backward, "*", lambda x, y: x * y, "mul_backward")


# ---- 07.matmul ------------------------------------------------------------------------------------


@exercise(
    "07.matmul",
    title="backward of a @ b",
    points=2,
    hints=[
        "out[i, j] = sum over k of a[i, k] * b[k, j]. Which entries of out does a[i, k] touch, and by how much?",
        "The gradient of a has a's shape (n, k); grad is (n, m) and b is (k, m): only one product of "
        "grad and b (or its transpose) has shape (n, k). Likewise for b, shape (k, m).",
        "return grad @ b.T, a.T @ grad",
    ],
)
def _check_matmul(rng, hidden, matmul_backward):
    cases = [(3, 3, 3), (2, 2, 2)]  # square first: a slip then computes, and can be named
    while len(cases) < (14 if hidden else 5):
        cases.append(tuple(rng.sample((1, 2, 3, 4, 5), 3)))
    for n, k, m in cases:
        a, b, grad = _values(rng, (n, k)), _values(rng, (k, m)), _values(rng, (n, m), 0.5, 2.0)
        where = f"a {_show(a)}; b {_show(b)}; grad {_show(grad)}"
        returned = _pair(matmul_backward(a.copy(), b.copy(), grad.copy()), "matmul_backward(a, b, grad)")
        truths = (
            _central_difference(lambda x: float((grad * (x @ b)).sum()), a),
            _central_difference(lambda x: float((grad * (a @ x)).sum()), b),
        )
        for side, got, truth, other_truth in (("a", returned[0], *truths), ("b", returned[1], *truths[::-1])):
            got = _as_array(got, f"the gradient for {side}")
            if _same(got, truth):
                continue
            if side == "a":
                candidates = {
                    "b is not transposed: the gradient for a is grad @ b.T": lambda: grad @ b,
                    "the product is in the wrong order: grad @ b.T (grad on the left)": lambda: b.T @ grad,
                    "the gradient for a is transposed: grad @ b.T, not b @ grad.T": lambda: b @ grad.T,
                }
            else:
                candidates = {
                    "a is not transposed: the gradient for b is a.T @ grad": lambda: a @ grad,
                    "the product is in the wrong order: a.T @ grad (a.T on the left)": lambda: grad @ a.T,
                    "the gradient for b is transposed: a.T @ grad, not grad.T @ a": lambda: grad.T @ a,
                }
            candidates[
                "the two gradients are returned in the wrong order: (gradient for a, gradient for b)"
            ] = lambda other_truth=other_truth: other_truth
            raise CheckFailed(
                f"matmul_backward: the gradient for {side} of out = a @ b is wrong",
                input=where,
                expected=f"{_show(truth)} (central differences)",
                got=_show(got),
                mistake=_mistake(got, candidates)
                or (f"it must have {side}'s shape {truth.shape}" if got.shape != truth.shape else None),
            )


# ---- 07.sum ---------------------------------------------------------------------------------------


def _sum_cases(rng, hidden):
    cases = [((3, 3), 1, False), ((2, 3), None, False), ((2, 3), 0, True)]  # the trap first: a square
    while len(cases) < (24 if hidden else 8):
        shape = tuple(rng.sample(SIDES, rng.randint(1, 3)))
        kind = rng.choice(["none", "int", "negative", "tuple"])
        if kind == "none":
            axis = None
        elif kind == "int":
            axis = rng.randrange(len(shape))
        elif kind == "negative":
            axis = -rng.randint(1, len(shape))
        else:
            axis = tuple(sorted(rng.sample(range(len(shape)), rng.randint(1, len(shape)))))
        cases.append((shape, axis, rng.random() < 0.5))
    return cases


@exercise(
    "07.sum",
    title="backward of x.sum(axis, keepdims)",
    points=2,
    hints=[
        "Every entry of x goes into exactly one total, with a local derivative of 1: it gets that total's "
        "gradient, unchanged.",
        "So copy grad back along the summed axes. With keepdims=False those axes are gone from grad: put them "
        "back first (with size 1), so each total lines up with the entries it summed.",
        "if axis is not None and not keepdims: grad = np.expand_dims(grad, axis)   then   "
        "return np.broadcast_to(grad, shape)",
    ],
)
def _check_sum(rng, hidden, sum_backward):
    for shape, axis, keepdims in _sum_cases(rng, hidden):
        x = _values(rng, shape)
        total_shape = x.sum(axis=axis, keepdims=keepdims).shape
        grad = _values(rng, total_shape, 0.5, 2.0)
        call = f"sum_backward(grad, {shape}, axis={axis!r}, keepdims={keepdims})"
        where = f"x of shape {shape}, total = x.sum(axis={axis!r}, keepdims={keepdims}); grad {_show(grad)}"
        got = _as_array(sum_backward(grad.copy(), shape, axis, keepdims), f"{call}'s result")
        truth = _central_difference(lambda v: float((grad * v.sum(axis=axis, keepdims=keepdims)).sum()), x)
        if _same(got, truth):
            continue
        count = x.size // max(grad.size, 1)
        candidates = {
            "the summed axes were not put back: with keepdims=False, np.expand_dims(grad, axis) first, "
            "so that each total lines up with the entries it summed": lambda: np.broadcast_to(grad, shape),
            "divided by the number of entries summed: that is mean's backward; for sum every entry gets "
            "its total's gradient unchanged": lambda: truth / count,
            "the gradient of each total is not used: every entry gets grad (of its total), not 1": lambda: (
                np.ones(shape)
            ),
            "the gradient came back unchanged: give it x's shape, copied along the summed axes": lambda: grad,
        }
        raise CheckFailed(
            f"{call} is wrong",
            input=where,
            expected=f"{_show(truth)} (central differences)",
            got=_show(got),
            mistake=_mistake(got, candidates)
            or (f"the result must have x's shape {shape}" if got.shape != shape else None),
        )


# ---- 07.gradcheck ---------------------------------------------------------------------------------


def _gradcheck_problems(rng, hidden):
    """(description, tensors, loss_fn) built from reference ops on fresh random numbers."""
    problems = []
    n_ops = 2 if hidden else 1
    for _ in range(n_ops):
        a, b = Tensor(_values(rng, (2, 3))), Tensor(_values(rng, (3,)))
        problems.append(
            (
                "loss = ((a * b).tanh() + a).sum(), a (2, 3), b (3,)",
                [a, b],
                lambda a=a, b=b: ((a * b).tanh() + a).sum(),
            )
        )
        A, B = Tensor(_values(rng, (2, 3))), Tensor(_values(rng, (3, 2)))
        problems.append(
            (
                "loss = (A @ B).sigmoid().mean(), A (2, 3), B (3, 2)",
                [A, B],
                lambda A=A, B=B: (A @ B).sigmoid().mean(),
            )
        )
    for _ in range(2 if hidden else 1):
        nin, hidden_size, nout = rng.randint(1, 3), rng.randint(2, 4), rng.randint(1, 2)
        activation = rng.choice(["tanh", "sigmoid"])
        with fresh_global_random(rng):
            model = TensorMLP(nin, [hidden_size, nout], activation=activation)
        for p in model.parameters():
            p.data = _values(rng, p.shape, -1, 1)
        X, target = _values(rng, (4, nin)), _values(rng, (4, nout))
        problems.append(
            (
                f"a whole MLP({nin}, [{hidden_size}, {nout}], activation={activation!r}) on 4 points, "
                "loss = mean squared error",
                model.parameters(),
                lambda model=model, X=X, target=target: ((model(X) - target) ** 2).mean(),
            )
        )
    return problems


def _reference_gradients(loss_fn, tensors):
    for t in tensors:
        t.grad = np.zeros(t.shape)
    loss_fn().backward()
    return [np.array(t.grad, dtype=np.float64) for t in tensors]


def _difference_with(loss_fn, t, h, kind):
    """What one way of differencing gives for every entry of t (the check's own replays)."""
    out = np.zeros(t.shape)
    with no_grad():
        for index in np.ndindex(t.shape):
            original = t.data[index]
            t.data[index] = original + h
            up = loss_fn().item()
            t.data[index] = original - h
            down = loss_fn().item()
            t.data[index] = original
            mid = loss_fn().item()
            out[index] = {
                "central": (up - down) / (2 * h),
                "forward": (up - mid) / h,
                "by_h": (up - down) / h,
                "by_2_times_h": (up - down) / 2 * h,
            }[kind]
    return out


def _whole_tensor_difference(loss_fn, t, h):
    original = t.data.copy()
    with no_grad():
        t.data = original + h
        up = loss_fn().item()
        t.data = original - h
        down = loss_fn().item()
    t.data = original
    return np.full(t.shape, (up - down) / (2 * h))


@exercise(
    "07.gradcheck",
    title="gradient check of tensors and of a whole tensor MLP",
    points=3,
    hints=[
        "Two gradients for each tensor t: t.grad after one backward(), and a central difference for each "
        "entry: (loss with t.data[index] + h  -  loss with t.data[index] - h) / 2h.",
        "Zero every t.grad first (np.zeros_like(t.data)), then loss_fn().backward(). For the differences, "
        "loop over np.ndindex(t.data.shape): change t.data[index] in place, call loss_fn().item(), and put "
        "the entry back.",
        "numeric[index] = (up - down) / (2 * h); results.append((t.grad.copy(), numeric))",
    ],
)
def _check_gradcheck(rng, hidden, gradient_check):
    for i, (description, tensors, loss_fn) in enumerate(_gradcheck_problems(rng, hidden)):
        h = (1e-2, 1e-3)[i % 2]  # large enough that a forward difference is visibly off
        where = f"{description}; h = {fmt(h)}"
        stale = [_values(rng, t.shape, 0.5, 3.0) for t in tensors]  # an earlier backward's leftovers
        for t, s in zip(tensors, stale):
            t.grad = s.copy()
        before = [t.data.copy() for t in tensors]
        rows = gradient_check(loss_fn, tensors, h)
        if not isinstance(rows, (list, tuple)) or len(rows) != len(tensors):
            raise CheckFailed(
                "gradient_check must return one (backward_grad, finite_difference) pair per tensor",
                input=where,
                expected=f"a list of {len(tensors)} pairs",
                got=type(rows).__name__ + (f" of {len(rows)}" if isinstance(rows, (list, tuple)) else ""),
            )
        for k, (t, b) in enumerate(zip(tensors, before)):
            if t.data.shape != b.shape or not np.allclose(t.data, b, rtol=0, atol=1e-12):
                moved = np.abs(t.data - b) if t.data.shape == b.shape else np.zeros(0)
                moved = moved[moved > 1e-12]
                nudged = moved.size > 0 and np.allclose(moved, h, rtol=1e-6)
                raise CheckFailed(
                    "gradient_check changed the tensors' data",
                    input=where,
                    expected=f"tensor {k} as it was: {_show(b)}",
                    got=_show(t.data),
                    mistake="put t.data[index] back to its original value after the two nudges"
                    if nudged
                    else "a gradient check must leave every tensor as it found it",
                )
        truths = _reference_gradients(loss_fn, tensors)
        for k, (t, row, truth, leftover) in enumerate(zip(tensors, rows, truths, stale)):
            if not isinstance(row, (list, tuple)) or len(row) != 2:
                raise CheckFailed(
                    "each entry of the result must be a pair (t.grad after backward, the differences)",
                    input=where,
                    got=f"entry {k} is {type(row).__name__}",
                )
            analytic = _as_array(row[0], f"the backward gradient of tensor {k}")
            numeric = _as_array(row[1], f"the finite differences of tensor {k}")
            label = f"tensor {k} (shape {t.shape})"
            if not _same(analytic, truth, 1e-6, 1e-8):
                candidates = {
                    "the gradient from an earlier backward() was still there: set every t.grad to zeros "
                    "before loss_fn().backward()": lambda: truth + leftover,
                    "t.grad is all zeros: call loss_fn().backward() after zeroing the grads, not before": lambda: (
                        np.zeros(t.shape)
                    ),
                    "this is the old t.grad: loss_fn().backward() never ran": lambda: leftover,
                    "the first array of each pair is backward's t.grad, the second the differences": lambda: (
                        _difference_with(loss_fn, t, h, "central")
                    ),
                }
                raise CheckFailed(
                    f"the backward gradient reported for {label} is wrong",
                    input=where,
                    expected=f"{_show(truth)} (d loss / d t)",
                    got=_show(analytic),
                    mistake=_mistake(analytic, candidates),
                )
            expected = _difference_with(loss_fn, t, h, "central")
            if not _same(numeric, expected, 1e-7, 1e-9):
                candidates = {
                    "a forward difference (f(t + h) - f(t)) / h; use the central one, (f(t + h) - f(t - h)) / 2h": (
                        lambda: _difference_with(loss_fn, t, h, "forward")
                    ),
                    "divided by h instead of 2h: the two nudges are 2h apart": lambda: _difference_with(
                        loss_fn, t, h, "by_h"
                    ),
                    "divided by 2 and then multiplied by h: write / (2 * h)": lambda: _difference_with(
                        loss_fn, t, h, "by_2_times_h"
                    ),
                    "every difference is 0: the nudge never reached the tensor. Change t.data[index] in place "
                    "(t.data.copy() or t.data + h make a new array that loss_fn() never sees)": lambda: (
                        np.zeros(t.shape)
                    ),
                    "every entry was nudged at once (t.data + h): nudge one entry, t.data[index], at a time": (
                        lambda: _whole_tensor_difference(loss_fn, t, h)
                    ),
                }
                mistake = _mistake(numeric, candidates)
                if mistake is None and numeric.shape == truth.shape and _same(numeric, truth, 1e-4, 1e-6):
                    mistake = f"these are differences with another h: use the argument h ({fmt(h)})"
                raise CheckFailed(
                    f"the finite differences reported for {label} are wrong",
                    input=where,
                    expected=f"{_show(expected)} = (f(t + h) - f(t - h)) / 2h, entry by entry",
                    got=_show(numeric),
                    mistake=mistake,
                )


# ---- 07.copy ---------------------------------------------------------------------------------------


@exercise(
    "07.copy",
    title="a scalar MLP's weights copied into a tensor MLP",
    points=2,
    hints=[
        "Layer by layer: scalar layer i has neurons, each with weights n.w (Values) and a bias n.b; the "
        "tensor layer i has W of shape (nin, nout) and b of shape (nout,).",
        "Column j of W is neuron j's weights: build the (nout, nin) array of [w.data for w in n.w] rows "
        "and transpose it. b[j] is neuron j's bias.",
        "linear.W.data = np.array([[w.data for w in n.w] for n in layer.neurons]).T   and   "
        "linear.b.data = np.array([n.b.data for n in layer.neurons])",
    ],
)
def _check_copy(rng, hidden, copy_weights):
    n_cases = 10 if hidden else 4
    for i in range(n_cases):
        nin = rng.randint(1, 4) if i else 3
        sizes = [rng.randint(2, 5) for _ in range(rng.randint(1, 2))] + [rng.randint(1, 3)]
        if i == 0:
            sizes = [3, 3, 1]  # square hidden layers: a missing transpose still runs
        activation = rng.choice(["tanh", "sigmoid", "relu"]) if i else "tanh"
        with fresh_global_random(rng):
            scalar = ScalarMLP(nin, sizes, activation=activation)
            tensor = TensorMLP(nin, sizes, activation=activation)
        for p in scalar.parameters():
            p.data = random_point(rng, -1, 1, away_from=(0.0,))
        call = f"copy_weights(scalar MLP({nin}, {sizes}), tensor MLP({nin}, {sizes}))"
        copy_weights(scalar, tensor)
        for li, (layer, linear) in enumerate(zip(scalar.layers, tensor.layers)):
            W = np.array([[w.data for w in n.w] for n in layer.neurons]).T
            b = np.array([n.b.data for n in layer.neurons])
            got_W = _as_array(getattr(getattr(linear, "W", None), "data", None), f"layer {li + 1}'s W.data")
            got_b = _as_array(getattr(getattr(linear, "b", None), "data", None), f"layer {li + 1}'s b.data")
            if not _same(got_W, W, 0, 1e-15):
                transposed = (
                    "W is transposed: it has shape (nin, nout), column j holding neuron j's weights. "
                    "The array of rows [w.data for w in n.w] is (nout, nin): transpose it with .T"
                )
                if got_W.shape != W.shape:
                    mistake = transposed if got_W.shape == W.T.shape else f"W must keep its shape {W.shape}"
                elif _same(got_W, W.T, 0, 1e-15):
                    mistake = transposed
                elif not np.isclose(got_W, W).any():
                    mistake = f"layer {li + 1}'s weights were not copied: copy every layer"
                else:
                    mistake = None
                raise CheckFailed(
                    f"{call}: layer {li + 1}'s W is wrong",
                    input=f"neuron j's weights: {[[fmt(w.data) for w in n.w] for n in layer.neurons]}",
                    expected=_show(W),
                    got=_show(got_W),
                    mistake=mistake,
                )
            if not _same(got_b, b, 0, 1e-15):
                raise CheckFailed(
                    f"{call}: layer {li + 1}'s b is wrong",
                    input=f"the neurons' biases: {[fmt(n.b.data) for n in layer.neurons]}",
                    expected=_show(b),
                    got=_show(got_b),
                    mistake="the biases were not copied: b[j] = neuron j's b.data"
                    if got_b.shape == b.shape and not np.isclose(got_b, b).any()
                    else None,
                )
        # the same network: the same outputs and gradients, to 1e-9
        X = _values(rng, (5, nin))
        target = _values(rng, (5, sizes[-1]))
        tensor.zero_grad()
        loss = ((tensor(X) - target) ** 2).mean()
        loss.backward()
        scalar.zero_grad()
        outs = [scalar([Value(v) for v in row]) for row in X.tolist()]
        outs = [[o] if isinstance(o, Value) else o for o in outs]
        scalar_loss = sum(
            (o - t) ** 2 for row, trow in zip(outs, target.tolist()) for o, t in zip(row, trow)
        ) * (1.0 / target.size)
        scalar_loss.backward()
        if not close(loss.item(), scalar_loss.data, 1e-9, 1e-12):
            raise CheckFailed(
                f"{call}: the two networks give different losses",
                expected=fmt(scalar_loss.data),
                got=fmt(loss.item()),
                mistake="copy every layer, weights and biases",
            )
        for li, (layer, linear) in enumerate(zip(scalar.layers, tensor.layers)):
            scalar_grad = np.array([[w.grad for w in n.w] for n in layer.neurons]).T
            if not np.allclose(np.asarray(linear.W.grad), scalar_grad, rtol=1e-9, atol=1e-12):
                raise CheckFailed(
                    f"{call}: layer {li + 1}'s weight gradients differ from the scalar MLP's",
                    expected=_show(scalar_grad),
                    got=_show(linear.W.grad),
                    mistake="set linear.W.data (the array), and keep linear.W the Tensor the model holds",
                )


# ---- 07.moons -------------------------------------------------------------------------------------

MOONS_SEED, MOONS_STEPS, MOONS_ALPHA = 1337, 100, 1e-4


def _moons_problem(n, data_seed, model_seed):
    X, y = make_moons(n, noise=0.1, seed=data_seed)
    state = random.getstate()
    random.seed(model_seed)
    try:
        model = TensorMLP(2, [16, 16, 1])
    finally:
        random.setstate(state)
    return model, X, y


def _moons_reference_step(model, X, y, k, steps, alpha, mistake=None):
    """One step of the exercise; `mistake` replays a typical slip instead."""
    params = model.parameters()
    scores = model(X)
    if mistake != "broadcast":
        scores = scores.reshape(-1)
    margins = (1 - y * scores).relu()
    data_loss = margins.sum() if mistake == "sum" else margins.mean()
    weight = {"alpha_ignored": MOONS_ALPHA, "l2_no_alpha": 1.0, "no_l2": 0.0}.get(mistake, alpha)
    loss = data_loss + weight * sum((p * p).sum() for p in params)
    if mistake != "no_zero":
        model.zero_grad()
    loss.backward()
    lr = {
        "const_lr": 1.0,
        "to_zero": 1.0 - k / steps,
        "hard_100": 1.0 - 0.9 * k / 100,
        "k_plus_1": 1.0 - 0.9 * (k + 1) / steps,
    }.get(mistake, 1.0 - 0.9 * k / steps)
    if mistake == "plus":
        lr = -lr
    for p in params:
        p.data -= lr * p.grad
    reported = data_loss.item() if mistake == "data_loss_only" else loss.item()
    return reported, float(np.mean((np.asarray(scores.data).reshape(-1) > 0) == (y > 0)))


MOONS_MISTAKES = {
    "broadcast": "the scores have shape (n, 1) and the labels (n,): y * scores broadcasts to (n, n), every "
    "label times every score. Make the shapes match: scores.reshape(-1), or y.reshape(-1, 1)",
    "sum": "the data loss is summed over the points: take the mean",
    "no_zero": "gradients are not zeroed before backward, so each step adds its gradient to all the earlier "
    "ones: call model.zero_grad() before loss.backward()",
    "plus": "update in the wrong direction: p.data += lr * p.grad climbs the loss; use -=",
    "const_lr": "the learning rate does not decay: use lr = 1.0 - 0.9 * k / steps",
    "to_zero": "the learning rate decays to 0: the schedule is 1.0 - 0.9 * k / steps, ending near 0.1",
    "hard_100": "the schedule uses 100 where it should use the steps argument: 1.0 - 0.9 * k / steps",
    "k_plus_1": "the schedule is one step late: at k = 0 the learning rate is exactly 1.0",
    "no_l2": "the L2 term is missing: add alpha * sum((p * p).sum() for p in model.parameters())",
    "alpha_ignored": "alpha is ignored (fixed at 1e-4): use the alpha argument",
    "l2_no_alpha": "the L2 term is not multiplied by alpha",
    "data_loss_only": "the returned loss leaves out the L2 term: return the total loss you trained on",
}


def _moons_curve(step_fn, model, X, y, steps, alpha, shown):
    curve, accuracies = [], []
    for k in range(steps):
        result = step_fn(model, X.copy(), y.copy(), k, steps, alpha)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailed(
                "tensor_moons_step(...) should return a pair (loss, accuracy)",
                input=shown,
                got=repr(result)[:80],
                mistake="end with `return loss.item(), accuracy`",
            )
        curve.append(_number(result[0], "the loss", shown))
        accuracies.append(_number(result[1], "the accuracy", shown))
    return curve, accuracies


def _number(value, what, shown):
    if isinstance(value, Tensor) and value.size == 1:
        return value.item()
    try:
        return float(value)
    except (TypeError, ValueError):
        raise CheckFailed(
            f"{what} tensor_moons_step returns must be a number",
            input=shown,
            got=type(value).__name__ + (f" of shape {value.shape}" if isinstance(value, Tensor) else ""),
            mistake="loss.item() turns a one-number Tensor into a float",
        ) from None


def _first_difference(got, want, rel=1e-6, abs_=1e-9):
    for k, (g, w) in enumerate(zip(got, want)):
        if not close(g, w, rel, abs_):
            return k
    return None


def _fmt_list(xs, limit=6):
    shown = ", ".join(fmt(float(x)) for x in xs[:limit])
    return f"[{shown}{', ...' if len(xs) > limit else ''}]"


def _moons_accuracy(model, seed):
    X, y = make_moons(100, noise=0.1, seed=seed)
    with no_grad():
        scores = np.asarray(model(X).data).reshape(-1)
    return float(np.mean((scores > 0) == (y > 0)))


@exercise(
    "07.moons",
    title="the moons training on tensors",
    points=3,
    hints=[
        "The step of notebook 06 in a few tensor operations: scores = model(X) for all points at once, "
        "the mean of relu(1 - y * scores) plus alpha * the sum of every squared parameter, zero_grad, "
        "backward, and p.data -= lr * p.grad.",
        "Mind the shapes: model(X) is (n, 1) and y is (n,). Make them match before multiplying, or numpy "
        "broadcasts them to (n, n). The accuracy is the share of (scores > 0) == (y > 0).",
        "scores = model(X).reshape(-1); loss = (1 - y * scores).relu().mean() + alpha * sum((p * p).sum() "
        "for p in model.parameters()); lr = 1.0 - 0.9 * k / steps",
    ],
)
def _check_moons(rng, hidden, step_fn, trained_model=None):
    if hidden:
        runs = [
            (rng.randint(12, 30), rng.randint(0, 10**6), rng.randint(0, 10**6), rng.choice([6, 8, 12]), alpha)
            for alpha in (1e-3, 1e-2)
        ]
    else:
        runs = [(20, 7, 8, 10, MOONS_ALPHA)]
    for n, data_seed, model_seed, steps, alpha in runs:
        shown = (
            f"make_moons({n}, noise=0.1, seed={data_seed}); MLP(2, [16, 16, 1]) made after "
            f"random.seed({model_seed}); steps = {steps}, alpha = {alpha:g}"
        )
        model, X, y = _moons_problem(n, data_seed, model_seed)
        got, got_accuracy = _moons_curve(step_fn, model, X, y, steps, alpha, shown)
        reference, X, y = _moons_problem(n, data_seed, model_seed)
        done = [_moons_reference_step(reference, X, y, k, steps, alpha) for k in range(steps)]
        want, want_accuracy = [d[0] for d in done], [d[1] for d in done]
        k = _first_difference(got, want)
        if k is not None:
            mistake = None
            for key, description in MOONS_MISTAKES.items():
                if key == "alpha_ignored" and alpha == MOONS_ALPHA:
                    continue
                m, Xm, ym = _moons_problem(n, data_seed, model_seed)
                replay = [_moons_reference_step(m, Xm, ym, j, steps, alpha, key)[0] for j in range(steps)]
                if _first_difference(got, replay) is None:
                    mistake = description
                    break
            raise CheckFailed(
                f"the loss returned at step k = {k} differs from the reference step's",
                input=shown,
                expected=f"losses {_fmt_list(want[: max(k + 1, 3)])}",
                got=f"losses {_fmt_list(got[: max(k + 1, 3)])}",
                mistake=mistake
                or "one step: scores (shape (n,)), mean of relu(1 - y * scores) + alpha * sum of squared "
                "parameters, zero_grad, backward, p.data -= (1.0 - 0.9 * k / steps) * p.grad",
            )
        j = _first_difference(got_accuracy, want_accuracy)
        if j is not None:
            g, w = got_accuracy[j], want_accuracy[j]
            candidates = {
                "that is a count: return the share, hits / n": w * n,
                "that is a percentage: return a share between 0 and 1": w * 100,
                "that is the error rate: return the share of right signs": 1 - w,
            }
            raise CheckFailed(
                f"the accuracy returned at step k = {j} is wrong",
                input=shown,
                expected=fmt(w),
                got=fmt(g),
                mistake=next((m for m, v in candidates.items() if close(g, v)), None)
                or "the share of scores (computed before the update) whose sign matches the label",
            )
    if hidden:
        return
    # the curriculum's threshold: 100% training accuracy on the 100 moons after 100 steps
    if trained_model is not None and _moons_accuracy(trained_model, MOONS_SEED) == 1.0:
        return
    model, X, y = _moons_problem(100, MOONS_SEED, MOONS_SEED)
    curve, _ = _moons_curve(step_fn, model, X, y, MOONS_STEPS, MOONS_ALPHA, "the 100 moons, 100 steps")
    final = _moons_accuracy(model, MOONS_SEED)
    if final < 1.0:
        raise CheckFailed(
            "after 100 steps the model does not separate the two moons",
            input=f"make_moons(100, noise=0.1, seed={MOONS_SEED}); MLP(2, [16, 16, 1]) after "
            f"random.seed({MOONS_SEED}); 100 steps, alpha = 1e-4",
            expected="training accuracy 100%",
            got=f"accuracy {final:.0%}, loss {fmt(curve[0])} at the start and {fmt(curve[-1])} at the end",
            mistake="train the model the notebook gives you with your step, 100 steps",
        )

"""Verdicts for notebook 07. The truth about every gradient is a central difference in float64 on the
arrays themselves; a wrong array is explained by each typical mistake's array, computed only when reached."""

import numpy as np

from course_engine import Value, no_grad
from course_engine.tensor_rules import unbroadcast

from ..exercise import get_exercise
from ..kit.compare import agree, close, first_matching
from ..kit.failure import Failure
from ..kit.fmt import fmt
from ..kit.says import Says
from ..probes.nb07_tensors import BACKWARDS, arrays, axis_of, copy_models, gradcheck_problem
from ..runner import crashed
from . import moons

SAY = Says.beside(__file__, moons.MISTAKES)
MISTAKES = SAY.mistakes
QUOTIENTS = {  # a difference quotient, from f(x + h), f(x - h), f(x) and h
    "central": lambda up, down, mid, h: (up - down) / (2 * h),
    "forward": lambda up, down, mid, h: (up - mid) / h,
    "by-h": lambda up, down, mid, h: (up - down) / h,
    "by-2-times-h": lambda up, down, mid, h: (up - down) / 2 * h,
}
TOLERANCE = {"rel": 1e-6, "abs_": 1e-8}  # how close a gradient must be to the central difference
PARTS = ("backward gradient", "finite differences")  # the two arrays of a gradient check's pair
DIFFERENCES = [("forward-difference", "forward"), ("divided-by-h", "by-h"), ("precedence-2h", "by-2-times-h")]
PROBLEMS = {  # the gradient checks' problems, as a message describes them
    "tanh": "loss = ((a * b).tanh() + a).sum(), a (2, 3), b (3,)",
    "sigmoid": "loss = (A @ B).sigmoid().mean(), A (2, 3), B (3, 2)",
    "mlp": "a whole MLP({nin}, [{width}, {nout}], activation={activation!r}) on 4 points, "
    "loss = mean squared error",
}
SIDES = {  # the two sides of a @ b
    "a": {"side": "a", "other": "b", "right": "grad @ b.T", "left": "grad", "wrong": "b @ grad.T"},
    "b": {"side": "b", "other": "a", "right": "a.T @ grad", "left": "a.T", "wrong": "grad.T @ a"},
}


def nudged(f, x, h=1e-6, kind="central"):
    """Each entry's difference quotient of f(x), x changed in place and put back."""
    out = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        up = f(x)
        x[index] = original - h
        down = f(x)
        x[index] = original
        out[index] = QUOTIENTS[kind](up, down, f(x) if kind == "forward" else None, h)
    return out


def central(f, x):
    return nudged(lambda v: float(f(v)), np.array(x, dtype=np.float64))


def show(a):
    a = np.asarray(a)
    text = " ".join(np.array2string(a, precision=4, separator=", ", suppress_small=True).split())
    return f"shape {a.shape}: {text}" if len(text) < 160 else f"shape {a.shape}: {text[:150]} ..."


def read(seen, what):
    """The array a probe read, or the Failure saying what the student gave instead."""
    if (kind := seen.get("not_array")) == "Tensor":
        return Failure(f"{what} must be a numpy array, got a Tensor", mistakes=MISTAKES("tensor-not-array"))
    if kind:
        what = f"{what} must be a numpy array" + {
            "Value": ", got a Value",
            "an array of Values": " of numbers",
        }.get(kind, "")
        mistake = {"None": "returned-nothing", "an array of Values": "array-of-values"}.get(kind)
        return Failure(what, got=None if kind == "Value" else kind, mistakes=mistake and MISTAKES(mistake))
    return np.array(seen["data"], dtype=np.float64).reshape(seen["shape"])


def named(got, slips):
    """The first slip whose array (computed only when reached; skipped when it cannot be made) is got."""

    def made(predict):
        try:
            return predict()
        except (ValueError, IndexError, TypeError):  # numpy's AxisError is a ValueError
            return None

    return first_matching(got, [(m, lambda p=p: made(p)) for m, p in slips], **TOLERANCE)


def wrong(got, slips, shape_key, **fields):
    """The mistake behind an array that is not the truth: the slip it equals, else a word on its
    shape if that is off too."""
    shaped = None if got.shape == tuple(fields["shape"]) else MISTAKES(shape_key, **fields)
    return named(got, slips) or shaped


def unbroadcast_verdict(case, seen):
    shape, result, (grad,) = tuple(case["shape"]), tuple(case["result"]), arrays(case, "grad")
    if isinstance(got := read(seen, f"unbroadcast(grad, {shape})'s result"), Failure):
        return got
    truth = central(lambda x: (grad * np.broadcast_to(x, result)).sum(), np.zeros(shape))
    if agree(got, truth, **TOLERANCE):
        return None
    front = tuple(range(extra := len(result) - len(shape)))
    ones = front + tuple(extra + i for i, n in enumerate(shape) if n == 1 and result[extra + i] != 1)
    slips = [(MISTAKES("size-one-not-summed"), lambda: grad.sum(axis=front))]
    slips.append((MISTAKES("unchanged", fix="sum it over the axes broadcasting created"), lambda: grad))
    slips.append((MISTAKES("size-one-dropped"), lambda: grad.sum(axis=ones)))
    slips.append((MISTAKES("averaged"), lambda: grad.mean(axis=ones, keepdims=True).reshape(shape)))
    slips.append((MISTAKES("summed-everything"), lambda: grad.sum()))
    if extra >= 2:  # `if grad.ndim > len(shape)` where a `while` belongs: one leading axis summed
        slips.append((MISTAKES("one-leading-axis"), lambda: _size_ones(grad.sum(axis=0), shape)))
    what, where = f"unbroadcast(grad, {shape}) is wrong", f"an input of shape {shape} broadcast to {result}"
    mistake = wrong(got, slips, "input-shape", shape=shape)
    return Failure(what, f"{where}; grad {show(grad)}", show(truth), show(got), mistake)


def _size_ones(grad, shape):
    """grad summed (keepdims) over the axes where `shape` has size 1, as the solution's second loop does."""
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def slips_of(op, i, a, b, grad, truths):
    """What each typical mistake gives for side i (0 for a, 1 for b) of a + b, a * b or a @ b."""
    swapped, (operand, other) = (MISTAKES("swapped"), lambda: truths[1 - i]), ((a, b), (b, a))[i]
    if op == "@":
        made = (lambda: grad @ b, lambda: b.T @ grad, lambda: b @ grad.T)
        made = (lambda: a @ grad, lambda: grad @ a.T, lambda: grad.T @ a) if i else made
        keys = ("not-transposed", "wrong-order", "transposed")
        return [*((MISTAKES(k, **SIDES["ab"[i]]), p) for k, p in zip(keys, made)), swapped]
    result, shape = np.broadcast_shapes(a.shape, b.shape), operand.shape
    fields = {"side": "ab"[i], "result": result, "shape": shape, "other": "ba"[i]}
    m = lambda key, **more: MISTAKES(key, **fields, **more)  # noqa: E731
    if op == "+":
        chain = m("no-chain-rule", how="multiply the local derivative 1 by grad, the incoming gradient")
        ones, minus = lambda: unbroadcast(np.ones(result), shape), lambda: -truths[i]  # noqa: E731
        return [(m("not-summed-back"), lambda: grad), swapped, (chain, ones), (m("sign-wrong"), minus)]
    own = lambda: unbroadcast(grad * np.broadcast_to(operand, result), shape)  # noqa: E731
    ones = lambda: unbroadcast(np.broadcast_to(other, result) * np.ones(result), shape)  # noqa: E731
    chain = m("no-chain-rule", how="the local derivative (the other side) must be multiplied by grad")
    return [(m("not-summed-back"), lambda: grad * other), (m("own-side"), own), swapped, (chain, ones)]


def backward(case, seen):
    """07.add, 07.mul and 07.matmul: the two gradients of out = a op b, against central differences."""
    op, (a, b, grad), name = case["op"], arrays(case, "a", "b", "grad"), BACKWARDS[case["op"]]
    if isinstance(seen, dict):  # not a pair
        got = seen["type"] + (f" of {seen['len']}" if seen["len"] is not None else "")
        return SAY("not-two-arrays", MISTAKES("two-arrays"), name=name, got=got)
    forward = {"+": np.add, "*": np.multiply, "@": np.matmul}[op]
    truths = [central(lambda x: (grad * forward(x, b)).sum(), a)]
    truths.append(central(lambda x: (grad * forward(a, x)).sum(), b))
    for i, (side, truth) in enumerate(zip("ab", truths)):
        if isinstance(got := read(seen[i], f"the gradient for {side}"), Failure):
            return got
        if not agree(got, truth, **TOLERANCE):
            key, slips = "side-shape" if op != "@" else "matmul-shape", slips_of(op, i, a, b, grad, truths)
            shown = {"a": show(a), "b": show(b), "grad": show(grad), "want": show(truth), "got": show(got)}
            mistake = wrong(got, slips, key, side=side, shape=truth.shape)
            return SAY("side", mistake, name=name, side=side, op=op, **shown)
    return None


def sum_verdict(case, seen):
    shape, axis, keepdims = tuple(case["shape"]), axis_of(case), case["keepdims"]
    (grad,) = arrays(case, "grad")
    call = f"sum_backward(grad, {shape}, axis={axis!r}, keepdims={keepdims})"
    if isinstance(got := read(seen, f"{call}'s result"), Failure):
        return got
    truth = central(lambda v: (grad * v.sum(axis=axis, keepdims=keepdims)).sum(), np.zeros(shape))
    if agree(got, truth, **TOLERANCE):
        return None
    slips = [(MISTAKES("axes-not-put-back"), lambda: np.broadcast_to(grad, shape))]
    slips.append((MISTAKES("divided-by-count"), lambda: truth / (int(np.prod(shape)) // max(grad.size, 1))))
    slips.append((MISTAKES("divided-by-count"), lambda: truth / int(np.prod(shape))))  # by every entry
    slips.append((MISTAKES("grad-not-used"), lambda: np.ones(shape)))
    slips.append((MISTAKES("unchanged", fix="give it x's shape, copied along the summed axes"), lambda: grad))
    where = f"x of shape {shape}, total = x.sum(axis={axis!r}, keepdims={keepdims}); grad {show(grad)}"
    expected, mistake = f"{show(truth)} (central differences)", wrong(got, slips, "x-shape", shape=shape)
    return Failure(f"{call} is wrong", where, expected, show(got), mistake)


def differences(loss_fn, t, h, kind="central"):
    """What one way of differencing gives for every entry of tensor t."""
    with no_grad():
        return nudged(lambda _: loss_fn().item(), t.data, h, kind)


def whole_tensor(loss_fn, t, h):
    """The difference with every entry of t nudged at once."""
    original = t.data.copy()
    with no_grad():
        t.data = original + h
        up = loss_fn().item()
        t.data = original - h
        down = loss_fn().item()
    t.data = original
    return np.full(t.shape, (up - down) / (2 * h))


def changed(case, seen, where):
    """A Failure if gradient_check left some tensor's data other than it found it."""
    for k, (after, before) in enumerate(zip(seen["data"], case["tensors"])):
        if isinstance(after := read(after, f"tensor {k}'s data"), Failure):
            return after
        if (before := np.array(before)).shape == after.shape and agree(after, before, rel=0, abs_=1e-12):
            continue
        moved = np.abs(after - before) if after.shape == before.shape else np.zeros(0)
        restore = (moved := moved[moved > 1e-12]).size > 0 and np.allclose(moved, case["h"], rtol=1e-6)
        key = "not-restored" if restore else "data-changed"
        return SAY("changed", key, where=where, k=k, before=show(before), after=show(after))
    return None


def pair_verdict(k, t, row, truth, stale, loss_fn, where, h):
    """One tensor's pair: (t.grad after backward, the central differences)."""
    if isinstance(row, dict):
        return SAY("entry", None, where=where, k=k, type=row["type"])
    analytic, numeric = (read(x, f"the {w} of tensor {k}") for x, w in zip(row, PARTS))
    for got in (analytic, numeric):
        if isinstance(got, Failure):
            return got
    f = {"label": f"tensor {k} (shape {t.shape})", "where": where}
    if not agree(analytic, truth, **TOLERANCE):
        slips = [
            (MISTAKES("stale-grad"), lambda: truth + stale),
            (MISTAKES("backward-before-zeroing"), lambda: 0 * truth),
            (MISTAKES("old-grad"), lambda: stale),
            (MISTAKES("pair-swapped"), lambda: differences(loss_fn, t, h)),
        ]
        return SAY("analytic", named(analytic, slips), want=show(truth), got=show(analytic), **f)
    if agree(numeric, expected := differences(loss_fn, t, h), rel=1e-7, abs_=1e-9):
        return None
    slips = [(MISTAKES(key), lambda kind=kind: differences(loss_fn, t, h, kind)) for key, kind in DIFFERENCES]
    slips += [(MISTAKES("nudge-lost"), lambda: 0 * truth)]
    slips.append((MISTAKES("all-at-once"), lambda: whole_tensor(loss_fn, t, h)))
    if (mistake := named(numeric, slips)) is None and numeric.shape == truth.shape:
        mistake = MISTAKES("other-h", h=fmt(h)) if agree(numeric, truth, rel=1e-4, abs_=1e-6) else None
    return SAY("numeric", mistake, want=show(expected), got=show(numeric), **f)


def gradient_check(case, seen):
    h, (tensors, loss_fn), rows = case["h"], gradcheck_problem(case), seen["rows"]
    where = f"{PROBLEMS[case['kind']].format(**case)}; h = {fmt(h)}"
    if isinstance(rows, dict):
        got = rows["type"] + (f" of {rows['len']}" if rows["len"] is not None else "")
        return SAY("pairs", None, where=where, n=len(tensors), got=got)
    if failure := changed(case, seen, where):
        return failure
    for t in tensors:
        t.grad = np.zeros(t.shape)
    loss_fn().backward()
    truths = [np.array(t.grad, dtype=np.float64) for t in tensors]
    for k, (t, row, truth) in enumerate(zip(tensors, rows, truths)):
        if failure := pair_verdict(k, t, row, truth, np.array(case["stale"][k]), loss_fn, where, h):
            return failure
    return None


def layer_verdict(i, layer, seen, call):
    """Copied layer i: W and b hold the neurons' weights and biases."""
    W = np.array([[w.data for w in n.w] for n in layer.neurons]).T
    b = np.array([n.b.data for n in layer.neurons])
    got_W, got_b = read(seen["W"], f"layer {i}'s W.data"), read(seen["b"], f"layer {i}'s b.data")
    for got in (got_W, got_b):
        if isinstance(got, Failure):
            return got
    if not agree(got_W, W, rel=0, abs_=1e-15):
        if got_W.shape != W.shape:
            key = "W-transposed" if got_W.shape == W.T.shape else "W-shape"
        elif agree(got_W, W.T, rel=0, abs_=1e-15):
            key = "W-transposed"
        else:
            key = None if np.isclose(got_W, W).any() else "layer-not-copied"
        mistake = key and MISTAKES(key, shape=W.shape, layer=i)
        weights = [[fmt(w.data) for w in n.w] for n in layer.neurons]
        return SAY("layer-W", mistake, call=call, i=i, weights=weights, want=show(W), got=show(got_W))
    if agree(got_b, b, rel=0, abs_=1e-15):
        return None
    missing = got_b.shape == b.shape and not np.isclose(got_b, b).any()
    mistake = MISTAKES("biases-not-copied") if missing else None
    if got_b.shape == (b.size, 1) and agree(got_b.reshape(-1), b, rel=0, abs_=1e-15):
        mistake = MISTAKES("bias-column", n=b.size)
    biases = [fmt(n.b.data) for n in layer.neurons]
    return SAY("layer-b", mistake, call=call, i=i, biases=biases, want=show(b), got=show(got_b))


def copy(case, seen):
    scalar, _ = copy_models(case)
    call = f"copy_weights(scalar MLP({case['nin']}, {case['sizes']}), tensor MLP({case['nin']}, {case['sizes']}))"
    for i, (layer, got) in enumerate(zip(scalar.layers, seen["layers"]), 1):
        if failure := layer_verdict(i, layer, got, call):
            return failure
    if "raised" in (run := seen["run"]):  # the copied tensor MLP would not run
        failure = crashed(get_exercise("07.copy"), run["raised"])
        if "'numpy.ndarray' object has no attribute" in run["raised"]["message"]:  # linear.W = array
            failure.mistakes = (MISTAKES("tensor-replaced"),)
        return failure
    X, target = arrays(case, "X", "target")  # the same network: the same outputs and gradients, to 1e-9
    outs = [scalar([Value(v) for v in row]) for row in X.tolist()]
    outs = [[o] if isinstance(o, Value) else o for o in outs]
    squares = [(o - t) ** 2 for row, trow in zip(outs, target.tolist()) for o, t in zip(row, trow)]
    (loss := sum(squares) * (1.0 / target.size)).backward()
    if not close(run["loss"], loss.data, 1e-9, 1e-12):
        return SAY("losses-differ", "copy-every-layer", call=call, want=fmt(loss.data), got=fmt(run["loss"]))
    for i, (layer, seen_grad) in enumerate(zip(scalar.layers, run["W_grads"]), 1):
        want, got = np.array([[w.grad for w in n.w] for n in layer.neurons]).T, read(seen_grad, "W.grad")
        if isinstance(got, Failure) or not agree(got, want, rel=1e-9, abs_=1e-12):
            got = got.what if isinstance(got, Failure) else show(got)
            return SAY("grads-differ", "keep-tensor", call=call, i=i, want=show(want), got=got)
    return None


def explain_sum(case, error):
    """sum_backward that raised: np.expand_dims on axes that keepdims=True already kept."""
    message = error.get("message", "")
    if (
        case.get("keepdims")
        and error.get("type") == "ValueError"
        and ("broadcast" in message or "dimensions" in message)
    ):
        return MISTAKES("keepdims-expanded")
    return None


sum_verdict.explain = explain_sum

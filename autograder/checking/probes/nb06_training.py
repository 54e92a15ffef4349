"""Probes for notebook 06: the student's losses, zero_grad, step, training loop and trained models."""

from numbers import Real

from course_engine import MLP, Value, no_grad

from ..kit.cases import seeded
from ..kit.observe import piece, plain

TINY_INPUTS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]  # CURRICULUM 06
TINY_TARGETS = [1.0, -1.0, -1.0, 1.0]
LINE_XS = [1.0, 2.0, 3.0, 4.0]


def number(x):
    return x.data if isinstance(x, Value) else float(x) if isinstance(x, Real) else None


def described(x):
    return {"value": number(x), "is_value": isinstance(x, Value), "type": type(x).__name__, "repr": repr(x)}


def numbers(xs):
    """{"values": the numbers} of a returned list, or what it is instead."""
    if xs is None:
        return {"none": True}
    try:
        items = list(xs)
    except TypeError:
        return {"not_list": described(xs)}
    bad = [described(x) for x in items if number(x) is None]
    return {"bad_entry": bad[0]} if bad else {"values": [number(x) for x in items]}


def tiny_model(seed):
    with seeded(seed):
        return MLP(3, [4, 4, 1], activation="tanh", linear_output=False)


def outputs(model, inputs):
    with no_grad():
        return numbers([model(list(x)) for x in inputs])


def line(case):
    return [case["slope"] * x + case["intercept"] for x in LINE_XS]


def loss(student, case):
    """mse or max_margin_loss of Values of case["xs"]: what it returned, and the inputs' grads."""
    leaves = [Value(x) for x in case["xs"]]
    out = (student.mse if case["loss"] == "mse" else student.max_margin_loss)(leaves, list(case["ys"]))
    if isinstance(out, Value):
        for v in leaves:
            v.grad = 0.0
        out.backward()
    return {**described(out), "grads": [v.grad for v in leaves]}


def state(params):
    return {"data": plain([p.data for p in params]), "grads": plain([p.grad for p in params])}


def zero_grad(student, case):
    params = [Value(d) for d in case["data"]]
    for p, g in zip(params, case["grads"]):
        p.grad = g
    student.zero_grad(params)
    return state(params)


def step(student, case):
    params = [Value(d) for d in case["data"]]
    if "centres" in case:  # a step on sum((p - c)**2), with the grads backward gives
        sum((p - c) ** 2 for p, c in zip(params, case["centres"])).backward()
        student.sgd_step(params, 0.1)
        return state(params)
    for p, g in zip(params, case["grads"]):
        p.grad = g
    returned = student.sgd_step(params, case["lr"])
    return {**state(params), "returned": numbers(returned).get("values")}


def correct_pieces(function):
    """isolation.training_pieces.correct_pieces, imported only here: its hidden cell is the
    only place a grading kernel gets it (it holds the answers to 06.mse, .zero_grad, .step)."""
    return piece("training_pieces").correct_pieces(function)


def train(student, case):
    model, inputs = tiny_model(case["seed"]), [list(x) for x in TINY_INPUTS]
    before = [p.data for p in model.parameters()]
    with seeded(case["seed"]), correct_pieces(student.train):
        returned = student.train(model, inputs, list(TINY_TARGETS), case["steps"], case["lr"])
    moved = [p.data for p in model.parameters()] != before
    recorded = numbers(returned)
    if isinstance(returned, (list, tuple)) and (kept := [x for x in returned if isinstance(x, Value)]):
        recorded = {"value_entry": described(kept[0]), "count": len(kept), "length": len(returned)}
    return {"losses": recorded, "outputs": outputs(model, TINY_INPUTS).get("values"), "moved": moved}


def fitted(student, case):
    """The model fit_line or fit_xor trains (after random.seed(case["seed"])), and its outputs."""
    line_fit = "slope" in case
    inputs = [[x] for x in LINE_XS] if line_fit else case["inputs"]
    data = (list(LINE_XS), line(case)) if line_fit else ([list(x) for x in inputs], list(case["labels"]))
    fit = student.fit_line if line_fit else student.fit_xor
    with seeded(case["seed"]), correct_pieces(fit):
        model = fit(*data)
    if model is None or not callable(model):
        return {"model": repr(model)}
    layers = getattr(model, "layers", None)
    return {"outputs": outputs(model, inputs), "layers": None if layers is None else len(layers)}

"""Verdicts for notebook 06: a loss by its value and the gradients backward gives its inputs (against
central differences); a training loop by its loss curve beside the reference loop's from an identical
model, the typical mistakes replayed lazily after a mismatch; a fitted model by its outputs."""

import math

from course_engine.gradcheck import numerical_gradient
from course_engine.losses import mse

from ..kit.compare import agree, close, first_difference, first_matching
from ..kit.failure import Failure, Mistakes
from ..kit.fmt import fmt, fmt_list
from ..probes.nb06_training import LINE_XS, TINY_INPUTS, TINY_TARGETS, line, outputs, tiny_model
from . import moons

MISTAKES = moons.MISTAKES | Mistakes.beside(__file__)
LOSSES = {  # the loss's call, what it takes, and the keys of: a wrong formula, no gradient, wrong gradients
    "mse": ("mse(predictions, targets)", "predictions", "mse-formula", "no-gradient", "each-once"),
    "hinge": ("max_margin_loss(scores, labels)", "scores", "margin-formula", "no-score-gradient", "use-relu"),
}
TRAIN_SLIPS = "no-backward grads-not-zeroed wrong-direction lr-twice lr-not-applied loss-summed".split()


def not_a_number(seen, what):
    return Failure(f"{what} should be a number (or a Value), got {seen['type']} {seen['repr']}")


def value_of(kind, xs, ys):
    if kind == "mse":
        return sum((p - t) ** 2 for p, t in zip(xs, ys)) / len(xs)
    return sum(max(0.0, 1 - y * s) for s, y in zip(xs, ys)) / len(xs)


def slips(kind, xs, ys, expected):
    """What each typical mistake makes of the loss: (key, value); and the divisor a sum lacks."""
    n, margins, errors = len(xs), [y * s for s, y in zip(xs, ys)], [p - t for p, t in zip(xs, ys)]
    relu = lambda values: sum(max(0.0, v) for v in values) / n  # noqa: E731
    if kind == "hinge":
        mean = sum(1 - m for m in margins) / n
        found = [("wrong-sign", relu(1 + m for m in margins)), ("summed-not-averaged", n * expected)]
        found += [("no-relu", mean), ("no-margin", relu(-m for m in margins))]
        found += [("label-ignored", relu(1 - s for s in xs))]
        return "by the number of examples", [*found, ("relu-of-mean", max(0.0, mean))]
    mean = sum(errors) / n
    found = [("summed-not-averaged", n * expected), ("not-squared", mean)]
    found += [("absolute-errors", sum(map(abs, errors)) / n)]
    found += [("root-taken", math.sqrt(expected)), ("square-of-mean", mean**2)]
    found += [("divided-by-n-minus-1", n * expected / (n - 1)), ("halved", expected / 2)]
    return "the sum of squares by the number of predictions", found


def loss(case, seen):
    kind, xs, ys = case["loss"], case["xs"], case["ys"]
    name, whose, formula, cut, wrong = LOSSES[kind]
    shown = f"scores = {fmt_list(xs)}, labels = {ys}"
    shown = f"predictions = {fmt_list(xs)}, targets = {fmt_list(ys)}" if kind == "mse" else shown
    expected, got = value_of(kind, xs, ys), seen["value"]
    if not seen["is_value"] and kind == "mse" and got is None:
        return not_a_number(seen, name)
    if not seen["is_value"]:
        what, want = f"{name} returned a {seen['type']}, not a Value", f"a Value with data {fmt(expected)}"
        key = "not-a-value" if kind == "mse" else "margin-not-a-value"
        return Failure(what, shown, want, fmt(got) if kind == "mse" else seen["repr"], MISTAKES(key))
    if not close(got, expected):
        by, found = slips(kind, xs, ys, expected)
        mistake = first_matching(got, [(MISTAKES(key, by=by), v) for key, v in found]) or MISTAKES(formula)
        return Failure(f"{name} has the wrong value", shown, fmt(expected), fmt(got), mistake)
    want = numerical_gradient(lambda *ps: value_of(kind, ps, ys), xs)
    if agree(seen["grads"], want, rel=1e-5, abs_=1e-7):
        return None
    what, got = f"after loss.backward(), the {whose}' gradients are wrong", f"grads {fmt_list(seen['grads'])}"
    key = cut if all(g == 0.0 for g in seen["grads"]) else wrong
    return Failure(what, shown, f"grads {fmt_list(want)} (central differences)", got, MISTAKES(key))


def zero_grad(case, seen):
    data, grads, (after, left) = case["data"], case["grads"], (seen["data"], seen["grads"])
    shown = f"data = {fmt_list(data)}, grads = {fmt_list(grads)}"
    if after != data:
        key = "data-reset" if all(d == 0 for d in after) else "data-changed"
        what, want = "zero_grad(parameters) changed the parameters' data", f"data unchanged {fmt_list(data)}"
        return Failure(what, shown, want, f"data {fmt_list(after)}", MISTAKES(key))
    if not (nonzero := [i for i, g in enumerate(left) if g != 0]):
        return None
    key = "none-reset" if len(nonzero) == len(data) else "some-skipped"
    key = "only-first" if nonzero == list(range(1, len(data))) else key
    what = "zero_grad(parameters) left gradients that are not zero"
    return Failure(what, shown, "every grad 0.0", f"grads {fmt_list(left)}", MISTAKES(key))


def step(case, seen):
    got, data = seen["data"], case["data"]
    if "centres" in case:
        before, after = (sum((p - c) ** 2 for p, c in zip(ps, case["centres"])) for ps in (data, got))
        what, want = "a step with lr = 0.1 did not lower the loss sum((p - c)**2)", f"below {fmt(before)}"
        return (
            None if after < before else Failure(what, None, f"a loss {want}", fmt(after), MISTAKES("uphill"))
        )
    grads, lr = case["grads"], case["lr"]
    expected = [d - lr * g for d, g in zip(data, grads)]
    if agree(got, expected):
        return None
    moves = {"wrong-direction": lr, "lr-squared": -lr * lr, "lr-not-applied": -1.0}
    found = [(MISTAKES(k), [d + r * g for d, g in zip(data, grads)]) for k, r in moves.items()]
    if (mistake := first_matching(got, found)) is None and got == data:
        new = seen["returned"] is not None and agree(seen["returned"], expected)
        key = "returned-new" if new else "grad-changed" if seen["grads"] != grads else "not-moved"
        mistake = MISTAKES(key)
    shown = f"data = {fmt_list(data)}, grads = {fmt_list(grads)}, lr = {fmt(lr)}"
    what = "sgd_step(parameters, lr) moved the parameters to the wrong place"
    mistake = mistake or MISTAKES("step-formula")
    return Failure(what, shown, f"data {fmt_list(expected)}", f"data {fmt_list(got)}", mistake)


def train_reference(seed, steps, lr, mistake=None):
    """The loop the exercise asks for (or `mistake`'s) on tiny_model(seed): its losses, and the model."""
    model, recorded = tiny_model(seed), []
    rate = {"wrong-direction": -lr, "lr-twice": lr * lr, "lr-not-applied": 1.0}.get(mistake, lr)
    for _ in range(steps):
        predictions = [model(x) for x in TINY_INPUTS]
        if mistake == "loss-summed":
            loss = sum((p - t) ** 2 for p, t in zip(predictions, TINY_TARGETS))
        else:
            loss = mse(predictions, TINY_TARGETS)
        if mistake != "grads-not-zeroed":
            model.zero_grad()
        if mistake != "no-backward":
            loss.backward()
        for p in model.parameters():
            p.data -= rate * p.grad
        recorded.append(loss.data)
    return recorded, model


def fit(predictions):
    """The mean squared error on the four examples, and whether every sign is right."""
    loss = sum((p - t) ** 2 for p, t in zip(predictions, TINY_TARGETS)) / len(predictions)
    return loss, all((p > 0) == (t > 0) for p, t in zip(predictions, TINY_TARGETS))


def train(case, seen):
    seed, steps, lr, returned = case["seed"], case["steps"], case["lr"], seen["losses"]
    shown = f"MLP(3, [4, 4, 1]) with tanh made after random.seed({seed}); the four inputs and targets of the exercise; steps = {steps}, lr = {lr}"
    if "none" in returned:
        what, want = "train(...) returned None", f"a list of {steps} losses, one per step"
        return Failure(what, shown, want, None, MISTAKES("no-history"))
    if bad := returned.get("not_list"):
        what = f"the list train(...) returns should be a list of numbers, got {bad['type']} {bad['repr']}"
        return Failure(what)
    if "bad_entry" in returned:
        return not_a_number(returned["bad_entry"], "each entry of the list train(...) returns")
    if len(got := returned["values"]) != steps:
        what = f"train(...) returned {len(got)} losses for {steps} steps"
        return Failure(what, shown, f"{steps} losses, one per step", f"{len(got)}", MISTAKES("wrong-length"))
    want, reference = train_reference(seed, steps, lr)
    if (k := first_difference(got, want)) is not None:
        short, e = min(steps, 8), {"each": "every", "zero": "set each p.grad = 0.0"}
        found = [(MISTAKES(m, **e), lambda m=m: train_reference(seed, short, lr, m)[0]) for m in TRAIN_SLIPS]
        what = f"the loss recorded at step {k} differs from gradient descent's"
        losses = [f"losses {fmt_list(c[: max(k + 1, 3)])}" for c in (want, got)]
        return Failure(what, shown, *losses, first_matching(got[:short], found) or MISTAKES("train-formula"))
    trained, reference = seen["outputs"], outputs(reference, TINY_INPUTS)["values"]
    ends, wanted = [f"predictions {fmt_list(o)}" for o in (trained, reference)]
    if not agree(trained, reference):
        what = "the losses are right, but the model passed in did not end up trained"
        return Failure(what, shown, wanted, ends, MISTAKES("model-not-trained"))
    final, signs_right = fit(trained)
    if case.get("goal") and not (final < 0.01 and signs_right and got[-1] < got[0]):
        what = "after training, the model does not fit the four examples"
        goal = "a falling loss, mean squared error below 0.01 and every sign right"
        return Failure(what, shown, goal, f"{ends}, mse {fmt(final)}")
    return None


def fitted(case, seen):
    """06.regression (a case with a line) and 06.xor: the trained model's outputs."""
    if line_fit := "slope" in case:
        want = line(case)
        shown = f"xs = {fmt_list(LINE_XS)}, ys = {fmt_list(want)} (y = {case['slope']:g} x + {case['intercept']:g})"
    else:
        want = case["labels"]
        shown = f"{case['name']}: inputs {case['inputs']}, labels {fmt_list(want)}, after random.seed({case['seed']})"
    if "model" in seen:
        what = (
            f"{'fit_line(xs, ys)' if line_fit else 'fit_xor(inputs, labels)'} should return the trained model"
        )
        return Failure(what, shown, None, seen["model"], MISTAKES("model-not-returned"))
    if "bad_entry" in seen["outputs"]:
        return not_a_number(seen["outputs"]["bad_entry"], "model([x])" if line_fit else "model(x)")
    got = seen["outputs"]["values"]
    return (regression if line_fit else xor)(got, want, shown, seen)


def regression(got, ys, shown, seen):
    if max(abs(p - y) for p, y in zip(got, ys)) <= 0.2:
        return None
    key = "flat" if max(got) - min(got) < 0.1 * (max(ys) - min(ys)) else "train-longer"
    key = "tanh-output" if all(-1.0 <= p <= 1.0 for p in got) and max(abs(y) for y in ys) > 1.0 else key
    what, want = "the fitted model misses the line by more than 0.2", f"within 0.2 of {fmt_list(ys)}"
    return Failure(what, shown, f"predictions {want}", f"predictions {fmt_list(got)}", MISTAKES(key))


def xor(got, labels, shown, seen):
    if not (wrong := [i for i, (o, t) in enumerate(zip(got, labels)) if (o > 0) != (t > 0)]):
        return None
    key = "one-sign" if len({o > 0 for o in got}) == 1 else "misclassified"
    key = "no-hidden-layer" if seen["layers"] == 1 else key
    what, want = (
        f"{len(wrong)} of the 4 cases are classified wrongly",
        f"with the signs of {fmt_list(labels)}",
    )
    return Failure(what, shown, f"outputs {want}", f"outputs {fmt_list(got)}", MISTAKES(key))

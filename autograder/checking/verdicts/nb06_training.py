"""Verdicts for notebook 06: a loss by its value and the gradients backward gives its inputs (against
central differences); a training loop by its loss curve beside the reference loop's from an identical
model, the typical mistakes replayed lazily after a mismatch; a fitted model by its outputs."""

import math

from course_engine.gradcheck import numerical_gradient
from course_engine.losses import mse

from ..kit.compare import agree, close, first_difference, first_matching, matching
from ..kit.fmt import fmt, fmt_list
from ..kit.says import Says
from ..probes.nb06_training import LINE_XS, TINY_INPUTS, TINY_TARGETS, line, outputs, tiny_model
from . import moons

SAY = Says.beside(__file__, moons.MISTAKES)
MISTAKES = SAY.mistakes
LOSSES = {  # the loss's call, what it takes, and the keys of: a wrong formula, no gradient, wrong gradients
    "mse": ("mse(predictions, targets)", "predictions", "mse-formula", "no-gradient", "each-once"),
    "hinge": ("max_margin_loss(scores, labels)", "scores", "margin-formula", "no-score-gradient", "use-relu"),
}
TRAIN_SLIPS = "no-backward grads-not-zeroed wrong-direction lr-twice lr-not-applied".split()
TRAIN_LOSSES = {  # another loss than the mean squared error, by its mistake key
    "loss-summed": lambda errors: sum(e**2 for e in errors),
    "loss-absolute": lambda errors: sum((e**2) ** 0.5 for e in errors) * (1.0 / len(errors)),
    "loss-halved": lambda errors: sum(e**2 for e in errors) * (0.5 / len(errors)),
    "loss-root": lambda errors: (sum(e**2 for e in errors) * (1.0 / len(errors))) ** 0.5,
    "loss-not-squared": lambda errors: sum(errors) * (1.0 / len(errors)),
}  # (the max-margin loss is the absolute error here: tanh outputs in (-1, 1), targets +-1)


def value_of(kind, xs, ys):
    if kind == "mse":
        return sum((p - t) ** 2 for p, t in zip(xs, ys)) / len(xs)
    return sum(max(0.0, 1 - y * s) for s, y in zip(xs, ys)) / len(xs)


def slips(kind, xs, ys, expected):
    """What each typical mistake makes of the loss (key: value); and the divisor a sum lacks."""
    n, margins, errors = len(xs), [y * s for s, y in zip(xs, ys)], [p - t for p, t in zip(xs, ys)]
    relu = lambda values: sum(max(0.0, v) for v in values) / n  # noqa: E731
    if kind == "hinge":
        mean = sum(1 - m for m in margins) / n
        found = {"wrong-sign": relu(1 + m for m in margins), "summed-not-averaged": n * expected}
        found |= {"no-relu": mean, "no-margin": relu(-m for m in margins)}
        found |= {"label-ignored": relu(1 - s for s in xs), "relu-of-mean": max(0.0, mean)}
        return "by the number of examples", found
    mean = sum(errors) / n
    found = {"summed-not-averaged": n * expected, "not-squared": mean}
    found |= {"absolute-errors": sum(map(abs, errors)) / n}
    found |= {"root-taken": math.sqrt(expected), "square-of-mean": mean**2}
    found |= {"divided-by-n-minus-1": n * expected / (n - 1), "halved": expected / 2}
    found |= {"first-error-only": errors[0] ** 2 if n > 1 else None}  # a return inside the loop
    return "the sum of squares by the number of predictions", found


def loss(case, seen):
    kind, xs, ys, got = case["loss"], case["xs"], case["ys"], seen["value"]
    name, whose, formula, cut, wrong = LOSSES[kind]
    shown = f"scores = {fmt_list(xs)}, labels = {ys}"
    shown = f"predictions = {fmt_list(xs)}, targets = {fmt_list(ys)}" if kind == "mse" else shown
    fields, expected = {"name": name, "whose": whose, "shown": shown}, value_of(kind, xs, ys)
    if not seen["is_value"] and kind == "mse" and got is None:
        return SAY("not-a-number", what=name, **seen)
    if not seen["is_value"]:
        key, got = ("not-a-value", fmt(got)) if kind == "mse" else ("margin-not-a-value", seen["repr"])
        return SAY("loss-not-a-value", key, want=fmt(expected), got=got, type=seen["type"], **fields)
    if not close(got, expected):
        by, found = slips(kind, xs, ys, expected)  # every slip that gives this number: some coincide here
        candidates = [(MISTAKES(key, by=by), value) for key, value in found.items()]
        mistake = matching(got, candidates, rel=1e-6, abs_=1e-9) or MISTAKES(formula)
        return SAY("loss-value", mistake, want=fmt(expected), got=fmt(got), **fields)
    want = numerical_gradient(lambda *ps: value_of(kind, ps, ys), xs)
    if agree(seen["grads"], want, rel=1e-5, abs_=1e-7):
        return None
    key = cut if all(g == 0.0 for g in seen["grads"]) else wrong
    return SAY("loss-grads", key, want=fmt_list(want), got=fmt_list(seen["grads"]), **fields)


def zero_grad(case, seen):
    data, grads, (after, left) = case["data"], case["grads"], (seen["data"], seen["grads"])
    shown = f"data = {fmt_list(data)}, grads = {fmt_list(grads)}"
    if after != data:
        key = "data-reset" if all(d == 0 for d in after) else "data-changed"
        return SAY("zero-grad-data", key, shown=shown, data=fmt_list(data), after=fmt_list(after))
    if strange := [g for g in left if not isinstance(g, float)]:  # the probe keeps only floats as numbers
        key = "grad-set-to-none" if strange[0] is None else "grad-not-a-number"
        return SAY("zero-grad-strange", key, shown=shown, left=fmt_list(left))
    if not (nonzero := [i for i, g in enumerate(left) if g != 0]):
        return None
    key = "none-reset" if len(nonzero) == len(data) else "some-skipped"
    key = "only-first" if nonzero == list(range(1, len(data))) else key
    return SAY("zero-grad-left", key, shown=shown, left=fmt_list(left))


def step(case, seen):
    got, data = seen["data"], case["data"]
    if "centres" in case:
        before, after = (sum((p - c) ** 2 for p, c in zip(ps, case["centres"])) for ps in (data, got))
        return None if after < before else SAY("uphill", before=fmt(before), after=fmt(after))
    grads, lr = case["grads"], case["lr"]
    expected = [d - lr * g for d, g in zip(data, grads)]
    if agree(got, expected):
        return None
    moves = {"wrong-direction": lr, "lr-squared": -lr * lr, "lr-not-applied": -1.0}
    found = [(MISTAKES(k), [d + r * g for d, g in zip(data, grads)]) for k, r in moves.items()]
    only_first = [expected[0], *data[1:]] if len(data) > 1 else None  # a return inside the loop
    found.append((MISTAKES("only-first-moved"), only_first))
    if (mistake := first_matching(got, found)) is None and got == data:
        new = seen["returned"] is not None and agree(seen["returned"], expected)
        mistake = MISTAKES(
            "returned-new" if new else "grad-changed" if seen["grads"] != grads else "not-moved"
        )
    shown = f"data = {fmt_list(data)}, grads = {fmt_list(grads)}, lr = {fmt(lr)}"
    mistake = mistake or MISTAKES("step-formula")
    return SAY("step", mistake, shown=shown, want=fmt_list(expected), got=fmt_list(got))


def train_reference(seed, steps, lr, mistake=None):
    """The loop the exercise asks for (or `mistake`'s) on tiny_model(seed): its losses, and the model."""
    model, recorded = tiny_model(seed), []
    rate = {"wrong-direction": -lr, "lr-twice": lr * lr, "lr-not-applied": 1.0}.get(mistake, lr)
    for _ in range(steps):
        predictions = [model(x) for x in TINY_INPUTS]
        if mistake in TRAIN_LOSSES:
            loss = TRAIN_LOSSES[mistake]([p - t for p, t in zip(predictions, TINY_TARGETS)])
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
        return SAY("no-history", shown=shown, steps=steps)
    if "not_list" in returned:
        return SAY("not-a-list", **returned["not_list"])
    if "value_entry" in returned:  # loss, not loss.data: right numbers, but no plot or f-string takes them
        return SAY("values-recorded", shown=shown, **returned, **returned["value_entry"])
    if "bad_entry" in returned:
        return SAY("not-a-number", what="each entry of the list train(...) returns", **returned["bad_entry"])
    if len(got := returned["values"]) != steps:
        return SAY("wrong-length", shown=shown, steps=steps, n=len(got))
    want, reference = train_reference(seed, steps, lr)
    if (k := first_difference(got, want)) is not None:
        short, e = min(steps, 8), {"each": "every", "zero": "set each p.grad = 0.0"}
        slips = [*TRAIN_SLIPS, *TRAIN_LOSSES]
        found = [(MISTAKES(m, **e), lambda m=m: train_reference(seed, short, lr, m)[0]) for m in slips]
        late = (MISTAKES("recorded-after-update"), lambda: train_reference(seed, short + 1, lr)[0][1:])
        mistake = first_matching(got[:short], [*found, late]) or MISTAKES("train-formula")
        if len(set(got)) == 1 and seen.get("moved"):  # the parameters moved, the recorded loss did not
            mistake = MISTAKES("loss-not-recomputed")
        want, got = (fmt_list(c[: max(k + 1, 3)]) for c in (want, got))
        return SAY("losses", mistake, shown=shown, k=k, want=want, got=got)
    trained, reference = seen["outputs"], outputs(reference, TINY_INPUTS)["values"]
    final, signs_right = fit(trained)
    fields = {"shown": shown, "want": fmt_list(reference), "got": fmt_list(trained), "final": fmt(final)}
    rows = [
        (not agree(trained, reference), "model-not-trained"),
        (case.get("goal") and not (final < 0.01 and signs_right and got[-1] < got[0]), "no-fit"),
    ]
    return SAY.first(rows, **fields)


def fitted(case, seen):
    """06.regression (a case with a line) and 06.xor: the trained model's outputs."""
    if line_fit := "slope" in case:
        want = line(case)
        shown = f"xs = {fmt_list(LINE_XS)}, ys = {fmt_list(want)} (y = {case['slope']:g} x + {case['intercept']:g})"
    else:
        want = case["labels"]
        shown = f"{case['name']}: inputs {case['inputs']}, labels {fmt_list(want)}, after random.seed({case['seed']})"
    if "model" in seen:
        call = "fit_line(xs, ys)" if line_fit else "fit_xor(inputs, labels)"
        return SAY("model-not-returned", call=call, shown=shown, model=seen["model"])
    if "bad_entry" in seen["outputs"]:
        return SAY(
            "not-a-number", what="model([x])" if line_fit else "model(x)", **seen["outputs"]["bad_entry"]
        )
    return (regression if line_fit else xor)(seen["outputs"]["values"], want, shown, seen)


def regression(got, ys, shown, seen):
    if max(abs(p - y) for p, y in zip(got, ys)) <= 0.2:
        return None
    if not all(math.isfinite(p) and abs(p) < 100 * max(abs(y) for y in ys) for p in got):
        return SAY("diverged", shown=shown, want=fmt_list(ys), got=fmt_list(got))
    key = "flat" if max(got) - min(got) < 0.1 * (max(ys) - min(ys)) else "train-longer"
    key = "tanh-output" if all(-1.0 <= p <= 1.0 for p in got) and max(abs(y) for y in ys) > 1.0 else key
    return SAY("misses-line", key, shown=shown, want=fmt_list(ys), got=fmt_list(got))


def xor(got, labels, shown, seen):
    if not (wrong := [i for i, (o, t) in enumerate(zip(got, labels)) if (o > 0) != (t > 0)]):
        return None
    key = "one-sign" if len({o > 0 for o in got}) == 1 else "misclassified"
    key = "no-hidden-layer" if seen["layers"] == 1 else key
    return SAY("wrong-signs", key, shown=shown, n=len(wrong), want=fmt_list(labels), got=fmt_list(got))


def explain(case, error):
    """The mistake behind an error a training function raised, when the error names it."""
    message = error.get("message", "")
    if error.get("type") != "TypeError":
        return None
    if "has no len()" in message and ("slope" in case or "labels" in case):
        return MISTAKES("input-not-a-list")
    if "not supported between instances of 'Value'" in message or "and 'Value'" in message:
        return MISTAKES("compared-a-value")
    return None


loss.explain = fitted.explain = explain

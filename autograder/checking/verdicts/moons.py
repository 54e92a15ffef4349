"""The moons step's verdict, for Values (06.moons) and Tensors (07.moons): the loss curve beside the
reference step's from the same seed; after a mismatch the typical slips are replayed, lazily."""

import numpy as np

from course_engine.losses import accuracy, max_margin

from ..kit.compare import first_difference, first_matching
from ..kit.failure import Failure, Mistakes
from ..kit.fmt import fmt, fmt_list
from ..probes.moons import problem

MISTAKES = Mistakes.beside(__file__)
ENGINES = {  # what differs between the two checks: (for Values, for Tensors)
    "call": ("moons_step", "tensor_moons_step"),
    "ending": ("loss.data, accuracy(scores, labels)", "loss.item(), accuracy"),
    "given": ("loss_fn = max-margin; ", ""),
    "zero": ("set every p.grad = 0.0", "call model.zero_grad()"),
    "l2": (
        "alpha * sum(p * p for p in model.parameters()) to the loss",
        "alpha * sum((p * p).sum() for p in model.parameters())",
    ),
    "terms": (
        "scores, loss_fn(scores, labels) + alpha * sum(p * p), zero grads, backward",
        "scores (shape (n,)), mean of relu(1 - y * scores) + alpha * sum of squared parameters, zero_grad, backward",
    ),
    "hits": ("len(labels)", "n"),
    "limit": (8, 6),
    "slips": ((), ("scores-broadcast", "data-loss-summed")),
    "alpha": ("0.0001, the reference max-margin loss", "1e-4"),
    "goal": ("training accuracy 100% and a falling loss", "training accuracy 100%"),
    "advice": ("compare-step", "train-given-model"),
}
SLIPS = ("no-backward", "grads-not-zeroed", "wrong-direction", "lr-constant", "lr-to-zero", "schedule-100")
SLIPS += ("schedule-late", "no-l2", "alpha-ignored", "l2-without-alpha", "data-loss-returned")
WEIGHTS = {"no-l2": 0.0, "alpha-ignored": 1e-4, "l2-without-alpha": 1.0}


def reference(case, mistake=None):
    """The losses and accuracies of the exercise's step (or of `mistake`'s) from the case's fresh model."""
    model, (inputs, labels) = problem(case)
    tensor, steps, losses, accuracies = case["engine"] == "tensor", case["steps"], [], []
    for k in range(steps):
        params = model.parameters()
        if tensor:
            scores = model(inputs) if mistake == "scores-broadcast" else model(inputs).reshape(-1)
            margins = (1 - labels * scores).relu()
            data_loss = margins.sum() if mistake == "data-loss-summed" else margins.mean()
            penalty = sum((p * p).sum() for p in params)
        else:
            scores = [model(x) for x in inputs]
            data_loss, penalty = max_margin(scores, labels), sum(p * p for p in params)
        loss = data_loss + WEIGHTS.get(mistake, case["alpha"]) * penalty
        if mistake != "grads-not-zeroed":
            model.zero_grad()
        if mistake != "no-backward":
            loss.backward()
        late, n = k + (mistake == "schedule-late"), 100 if mistake == "schedule-100" else steps
        lr = {"lr-constant": 1.0, "lr-to-zero": 1.0 - k / steps}.get(mistake, 1.0 - 0.9 * late / n)
        for p in params:
            p.data -= (-lr if mistake == "wrong-direction" else lr) * p.grad
        losses.append(float((data_loss if mistake == "data-loss-returned" else loss).data))
        signs = (np.asarray(scores.data).reshape(-1) > 0) == (labels > 0) if tensor else None
        accuracies.append(float(np.mean(signs)) if tensor else accuracy(scores, labels))
    return losses, accuracies


def malformed(bad, e, shown):
    """A step that did not return a pair of numbers."""
    if bad["what"] == "pair":
        what, got = f"{e['call']}(...) should return a pair (loss, accuracy)", bad["repr"]
        return Failure(what, shown, None, got[:80] if e["tensor"] else got, MISTAKES("not-a-pair", **e))
    what = f"the {bad['what']} moons_step returns should be a number (or a Value), got {bad['type']} {bad['repr']}"
    if not e["tensor"]:
        return Failure(what)
    what, got = f"the {bad['what']} tensor_moons_step returns must be a number", bad["type"]
    got += f" of shape {tuple(bad['shape'])}" if bad["shape"] else ""
    return Failure(what, shown, None, got, MISTAKES("use-item"))


def goal(case, seen, e):
    """The curriculum's goal: 100% training accuracy on the 100 moons after 100 steps."""
    if seen["trained"] == 1.0:
        return None
    shown = f"make_moons(100, noise=0.1, seed={case['data_seed']}); MLP(2, [16, 16, 1]) after random.seed({case['model_seed']}); 100 steps, alpha = {e['alpha']}"
    if "bad" in seen:
        return malformed(seen["bad"], e, "the 100 moons, 100 steps" if e["tensor"] else shown)
    curve, after = seen["losses"], seen["after"]
    if after == 1.0 and (curve[-1] < curve[0] or e["tensor"]):
        return None
    got = f"accuracy {after:.0%}, loss {fmt(curve[0])} at the start and {fmt(curve[-1])} at the end"
    what = "after 100 steps the model does not separate the two moons"
    return Failure(what, shown, e["goal"], got, MISTAKES(e["advice"]))


def verdict(case, seen):
    tensor = case["engine"] == "tensor"
    e = {k: pair[tensor] for k, pair in ENGINES.items()} | {"each": "each", "tensor": tensor}
    if case.get("final"):
        return goal(case, seen, e)
    shown = f"make_moons({case['n']}, noise=0.1, seed={case['data_seed']}); MLP(2, [16, 16, 1]) made after random.seed({case['model_seed']}); {e['given']}steps = {case['steps']}, alpha = {case['alpha']:g}"
    if "bad" in seen:
        return malformed(seen["bad"], e, shown)
    if seen.get("loss_fn_calls") == 0:
        what = "moons_step never called the loss_fn it was given"
        return Failure(what, shown, mistakes=MISTAKES("loss-fn-unused"))
    (want, want_accuracy), got, got_accuracy = reference(case), seen["losses"], seen["accuracies"]
    if (k := first_difference(got, want)) is not None:
        # at the notebook's alpha, "alpha ignored" cannot be told from the answer
        slips = [m for m in e["slips"] + SLIPS if not (m == "alpha-ignored" and case["alpha"] == 1e-4)]
        slips = [(MISTAKES(m, **e), lambda m=m: reference(case, m)[0]) for m in slips]
        what = f"the loss returned at step k = {k} differs from the reference step's"
        losses = [f"losses {fmt_list(curve[: max(k + 1, 3)], e['limit'])}" for curve in (want, got)]
        return Failure(what, shown, *losses, first_matching(got, slips) or MISTAKES("moons-step", **e))
    if (j := first_difference(got_accuracy, want_accuracy)) is None:
        return None
    g, w = got_accuracy[j], want_accuracy[j]
    slips = [(MISTAKES("accuracy-count", **e), w * case["n"]), (MISTAKES("accuracy-percentage"), w * 100)]
    slips.append((MISTAKES("accuracy-error-rate"), 1 - w))
    what = f"the accuracy returned at step k = {j} is wrong"
    return Failure(what, shown, fmt(w), fmt(g), first_matching(g, slips) or MISTAKES("accuracy-formula"))

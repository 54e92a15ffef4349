"""Notebook 06 (training): its checks, typical mistakes, and correct alternatives.

In this process (no kernel): the checks called on the solution notebook's own
exercise functions, each rewritten with a typical mistake (MISTAKES). In real
kernels (nbharness.mutant_tests): MUTANTS, ALTERNATIVES.
"""

from __future__ import annotations

import random

import pytest
from nbharness import Mutant, answers_for, check_all, failure, mutant_tests, solution_namespace

from autograder import check
from autograder.checking.exercises.nb06_training import TINY_VISIBLE, XOR_HIDDEN, XOR_VISIBLE
from autograder.checking.probes.nb06_training import TINY_INPUTS, outputs
from autograder.checking.verdicts.nb06_training import fit, train_reference
from course_engine import MLP, Value
from course_engine.losses import mse
from course_engine.optim import SGD

NB = "06_training"
# the training loop of the solution's train(), line by line
ZERO, BACKWARD = "        zero_grad(model.parameters())\n", "        loss.backward()\n"
STEP = "        sgd_step(model.parameters(), lr)\n"


def student(replacements=()):
    return solution_namespace(NB, replacements)


# ---- the checks, called directly ------------------------------------------------------


def test_the_solutions_pass_visible_and_hidden():
    ns = student()
    check_all(NB, ns, skip={"06.moons"})  # given no trained model it trains 100 steps itself: see below
    check_all(NB, ns, hidden=True, seed=1)


def test_the_curriculum_numbers():
    ns = student()
    loss = ns["mse"]([Value(1.5), Value(2.0), Value(3.5)], [1.0, 2.0, 3.0])
    assert loss.data == pytest.approx(0.5 / 3) and round(loss.data, 4) == 0.1667
    scores = [Value(2.0), Value(-0.5), Value(0.3)]
    assert ns["max_margin_loss"](scores, [1, 1, -1]).data == pytest.approx(2.8 / 3)


def test_the_first_training_loop_reaches_the_thresholds():
    curve, model = train_reference(TINY_VISIBLE["seed"], TINY_VISIBLE["steps"], TINY_VISIBLE["lr"])
    final, signs_right = fit(outputs(model, TINY_INPUTS)["values"])
    assert curve[-1] < curve[0] and final < 0.01 and signs_right


@pytest.mark.parametrize("hidden, lr", [([4], 0.5), ([8], 0.3), ([4, 4], 0.2)])
def test_the_xor_seeds_suit_several_small_networks(hidden, lr):
    for case in [*XOR_VISIBLE, *XOR_HIDDEN]:
        name, inputs, labels = case["name"], case["inputs"], case["labels"]
        random.seed(case["seed"])
        model = MLP(2, [*hidden, 1], activation="tanh", linear_output=False)
        optimizer = SGD(model.parameters(), lr=lr)
        for _ in range(100):
            loss = mse([model(x) for x in inputs], labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        assert all((model(x).data > 0) == (t > 0) for x, t in zip(inputs, labels)), (name, hidden)


def test_checks_leave_the_global_random_state_alone():
    ns = student()
    random.seed(123)
    state = random.getstate()
    for exercise in ("06.train", "06.regression", "06.xor"):
        check(exercise, *answers_for(exercise, ns), hidden=True, seed=2, quiet=True)
    assert random.getstate() == state


# one typical mistake each: (exercise, find, replace (or a list of such pairs), the key of the
# mistake named (or (key, a number the message must show)), whether the visible check catches it too)
MISTAKES = {
    "mse summed": ("06.mse", " * (1.0 / len(squared_errors))", "", "summed-not-averaged", True),
    "mse not squared": ("06.mse", "[(p - t) ** 2 for", "[(p - t) for", "not-squared", True),
    "mse of plain numbers": ("06.mse", "[(p - t) ** 2 for", "[(p.data - t) ** 2 for", "not-a-value", True),
    "mse rebuilt as a new Value": (
        "06.mse",
        "return sum(squared_errors) * (1.0 / len(squared_errors))",
        "return Value(sum(e.data for e in squared_errors) / len(squared_errors))",
        "no-gradient",
        True,
    ),
    "rmse": (
        "06.mse",
        "return sum(squared_errors) * (1.0 / len(squared_errors))",
        "return (sum(squared_errors) * (1.0 / len(squared_errors))) ** 0.5",
        "root-taken",
        True,
    ),
    "zero_grad resets data": ("06.zero_grad", "p.grad = 0.0", "p.data = 0.0", "data-reset", True),
    "zero_grad rebinds the loop variable": (
        "06.zero_grad",
        "p.grad = 0.0",
        "p = 0.0",
        "none-reset",
        True,
    ),
    "zero_grad returns early": (
        "06.zero_grad",
        "p.grad = 0.0",
        "p.grad = 0.0\n        return",
        "only-first",
        True,
    ),
    "zero_grad to None": ("06.zero_grad", "p.grad = 0.0", "p.grad = None", "grad-set-to-none", True),
    "zero_grad to a list": ("06.zero_grad", "p.grad = 0.0", "p.grad = []", "grad-not-a-number", True),
    "step uphill": ("06.step", "p.data -= lr * p.grad", "p.data += lr * p.grad", "wrong-direction", True),
    "step lr twice": (
        "06.step",
        "p.data -= lr * p.grad",
        "p.data -= lr * lr * p.grad",
        "lr-squared",
        True,
    ),
    "step without lr": ("06.step", "p.data -= lr * p.grad", "p.data -= p.grad", "lr-not-applied", True),
    "step returns new Values": (
        "06.step",
        "    for p in parameters:\n        p.data -= lr * p.grad",
        "    return [Value(p.data - lr * p.grad) for p in parameters]",
        "returned-new",
        True,
    ),
    "step changes grad": (
        "06.step",
        "p.data -= lr * p.grad",
        "p.grad -= lr * p.data",
        "grad-changed",
        True,
    ),
    "train without zeroing": ("06.train", ZERO + BACKWARD + STEP, BACKWARD + STEP, "grads-not-zeroed", True),
    "train without backward": (
        "06.train",
        BACKWARD + STEP,
        STEP,
        "no-backward",
        True,
    ),
    "train zeroes between backward and update": (
        "06.train",
        ZERO + BACKWARD + STEP,
        BACKWARD + ZERO + STEP,
        "no-backward",
        True,
    ),
    "train uphill": ("06.train", STEP, STEP.replace("lr", "-lr"), "wrong-direction", True),
    "train lr twice": (
        "06.train",
        STEP,
        STEP.replace("lr", "lr * lr"),
        "lr-twice",
        True,
    ),
    "train without lr": (
        "06.train",
        STEP,
        STEP.replace("lr", "1.0"),
        "lr-not-applied",
        True,
    ),
    "train on summed squares": (
        "06.train",
        "loss = mse(predictions, targets)",
        "loss = sum((p - t) ** 2 for p, t in zip(predictions, targets))",
        "loss-summed",
        True,
    ),
    "train records the loss Value": (
        "06.train",
        "history.append(loss.data)",
        "history.append(loss)",
        "values-recorded",
        True,
    ),
    "train on absolute errors": (
        "06.train",
        "loss = mse(predictions, targets)",
        "loss = sum((p - t).relu() + (t - p).relu() for p, t in zip(predictions, targets)) / len(targets)",
        "loss-absolute",
        True,
    ),
    "train on the max-margin loss": (
        "06.train",
        "loss = mse(predictions, targets)",
        "loss = max_margin_loss(predictions, targets)",
        "loss-absolute",  # the same numbers here: tanh outputs inside (-1, 1), targets +-1
        True,
    ),
    "train on half the mse": (
        "06.train",
        "loss = mse(predictions, targets)",
        "loss = 0.5 * mse(predictions, targets)",
        "loss-halved",
        True,
    ),
    "train on the rmse": (
        "06.train",
        "loss = mse(predictions, targets)",
        "loss = mse(predictions, targets) ** 0.5",
        "loss-root",
        True,
    ),
    "train on errors not squared": (
        "06.train",
        "loss = mse(predictions, targets)",
        "loss = sum(p - t for p, t in zip(predictions, targets)) / len(targets)",
        "loss-not-squared",
        True,
    ),
    "train records nothing": ("06.train", "history.append(loss.data)", "pass", "wrong-length", True),
    "train returns nothing": ("06.train", "    return history", "", "no-history", True),
    "train with a fixed number of steps": (
        "06.train",
        "for step in range(steps):\n        predictions",
        "for step in range(50):\n        predictions",
        ("wrong-length", "50 losses"),  # hidden runs use 20-40 steps
        False,
    ),
    "regression through tanh": (
        "06.regression",
        "linear_output=True",
        "linear_output=False",
        "tanh-output",
        True,
    ),
    "regression barely trained": (
        "06.regression",
        "for step in range(300)",
        "for step in range(3)",
        ("train-longer", "0.2"),
        True,
    ),
    "regression with too large a learning rate": (
        "06.regression",
        "sgd_step(model.parameters(), 0.05)\n    return model",
        "sgd_step(model.parameters(), 0.3)\n    return model",
        ("diverged", "learning rate is too big"),
        True,
    ),
    "xor without a hidden layer": ("06.xor", "MLP(2, [4, 1]", "MLP(2, [1]", "no-hidden-layer", True),
    "max-margin sign": ("06.max_margin", "(1 - y * s).relu()", "(1 + y * s).relu()", "wrong-sign", True),
    "max-margin summed": ("06.max_margin", " * (1.0 / len(margins))", "", "summed-not-averaged", True),
    "max-margin without relu": (
        "06.max_margin",
        "(1 - y * s).relu()",
        "(1 - y * s)",
        "no-relu",
        True,
    ),
    "max-margin without margin": (
        "06.max_margin",
        "(1 - y * s).relu()",
        "(-y * s).relu()",
        "no-margin",
        True,
    ),
    "max-margin without labels": (
        "06.max_margin",
        "(1 - y * s).relu()",
        "(1 - s).relu()",
        "label-ignored",
        True,
    ),
    "moons without zeroing": (
        "06.moons",
        "    for w in params:\n        w.grad = 0.0\n",
        "",
        "grads-not-zeroed",
        True,
    ),
    "moons uphill": ("06.moons", "w.data -= lr * w.grad", "w.data += lr * w.grad", "wrong-direction", True),
    "moons without backward": ("06.moons", "    loss.backward()\n    lr =", "    lr =", "no-backward", True),
    "moons constant lr": ("06.moons", "lr = 1.0 - 0.9 * k / steps", "lr = 1.0", "lr-constant", True),
    "moons lr to zero": (
        "06.moons",
        "lr = 1.0 - 0.9 * k / steps",
        "lr = 1.0 - k / steps",
        "lr-to-zero",
        True,
    ),
    "moons schedule of 100": ("06.moons", "0.9 * k / steps", "0.9 * k / 100", "schedule-100", True),
    "moons schedule one late": (
        "06.moons",
        "0.9 * k / steps",
        "0.9 * (k + 1) / steps",
        "schedule-late",
        True,
    ),
    "moons without L2": ("06.moons", " + alpha * sum(w * w for w in params)", "", "no-l2", True),
    "moons L2 without alpha": ("06.moons", "alpha * sum(w * w", "sum(w * w", "l2-without-alpha", True),
    "moons alpha fixed": ("06.moons", "alpha * sum(w * w", "1e-4 * sum(w * w", "alpha-ignored", False),
    "moons own loss": (
        "06.moons",
        "loss_fn(scores, labels) +",
        "max_margin_loss(scores, labels) +",
        "loss-fn-unused",
        True,
    ),
    "moons reports the data loss": (
        "06.moons",
        [
            (
                "    loss = loss_fn(scores, labels) + alpha",
                "    data_loss = loss_fn(scores, labels)\n    loss = data_loss + alpha",
            ),
            ("return loss.data, losses", "return data_loss.data, losses"),
        ],
        "data-loss-returned",
        True,
    ),
    "moons accuracy as a count": (
        "06.moons",
        "losses.accuracy(scores, labels)",
        "losses.accuracy(scores, labels) * len(labels)",
        "accuracy-count",
        True,
    ),
}


@pytest.mark.parametrize("name", MISTAKES)
def test_mistake_is_named(name):
    exercise, *edit, named, visible = MISTAKES[name]
    replacements = edit[0] if len(edit) == 1 else [tuple(edit)]
    key, shown = named if isinstance(named, tuple) else (named, None)
    answers = answers_for(exercise, student(replacements))
    for hidden in (True, False) if visible else (True,):
        failed = failure(exercise, *answers, hidden=hidden, seed=3)
        assert failed.key == key, f"{name} (hidden={hidden}): {failed.keys}\n{failed}"
        assert f"[{exercise}]" in str(failed) and (shown is None or shown in str(failed)), str(failed)


def test_a_wrong_model_for_the_moons_falls_back_to_training_with_the_reference_loss():
    ns = student()
    untrained = MLP(2, [16, 16, 1])  # far from 100%: the check trains one itself (100 steps), and passes
    check("06.moons", ns["moons_step"], untrained, quiet=True)
    broken = student([("lr = 1.0 - 0.9 * k / steps", "lr = 1.0 - 0.9 * k / steps if k < 10 else 0.0")])
    failed = failure("06.moons", broken["moons_step"], untrained, hidden=False, seed=None)
    assert failed.key == "compare-step"


def test_a_slip_in_mse_zero_grad_or_sgd_step_fails_only_its_own_exercise():
    ns = student(
        [
            ("return sum(squared_errors) * (1.0 / len(squared_errors))", "return sum(squared_errors)"),
            ("    for p in parameters:\n        p.grad = 0.0", "    pass"),
            ("p.data -= lr * p.grad", "p.data += lr * p.grad"),
        ]
    )
    for exercise in ("06.mse", "06.zero_grad", "06.step"):
        assert failure(exercise, *answers_for(exercise, ns), hidden=True, seed=5).key
    for exercise in ("06.train", "06.regression", "06.xor"):
        check(exercise, *answers_for(exercise, ns), hidden=True, seed=5, quiet=True)
    assert ns["mse"]([Value(1.0), Value(1.0)], [0.0, 0.0]).data == 2.0  # the student's own again afterwards


def test_correct_variants_pass_in_process():
    ns = student(
        [
            (
                "return sum(squared_errors) * (1.0 / len(squared_errors))",
                "return sum(squared_errors) / len(predictions)",
            ),
            (
                "    for p in parameters:\n        p.data -= lr * p.grad",
                "    moved = [p.data - lr * p.grad for p in parameters]\n"
                "    for p, new in zip(parameters, moved):\n        p.data = new",
            ),
            ("(1 - y * s).relu()", "(-(y * s - 1)).relu()"),
        ]
    )
    for exercise in ("06.mse", "06.step", "06.max_margin"):
        check(exercise, *answers_for(exercise, ns), quiet=True)
        check(exercise, *answers_for(exercise, ns), hidden=True, seed=4, quiet=True)


# ---- mutants in a real kernel: only the broken exercise's graded cell fails ----------------

MUTANTS = [
    Mutant(
        "mse without the mean",
        NB,
        "06.mse",
        find="return sum(squared_errors) * (1.0 / len(squared_errors))",
        replace="return sum(squared_errors)",
        key="summed-not-averaged",
    ),
    Mutant(
        "mse without the square",
        NB,
        "06.mse",
        find="squared_errors = [(p - t) ** 2 for",
        replace="squared_errors = [(p - t) for",
        key="not-squared",
    ),
    Mutant("zero_grad resets data", NB, "06.zero_grad", "p.grad = 0.0", "p.data = 0.0", "data-reset"),
    Mutant("zero_grad to None", NB, "06.zero_grad", "p.grad = 0.0", "p.grad = None", "grad-set-to-none"),
    Mutant(
        "update uphill (+=)",
        NB,
        "06.step",
        "p.data -= lr * p.grad",
        "p.data += lr * p.grad",
        "wrong-direction",
    ),
    Mutant(
        "lr applied twice",
        NB,
        "06.step",
        "p.data -= lr * p.grad",
        "p.data -= lr * lr * p.grad",
        "lr-squared",
    ),
    Mutant(
        "grads not zeroed in the loop",
        NB,
        "06.train",
        ZERO + BACKWARD + STEP,
        BACKWARD + STEP,
        "grads-not-zeroed",
    ),
    Mutant(
        "loss not backpropagated",
        NB,
        "06.train",
        BACKWARD + STEP,
        STEP,
        "no-backward",
    ),
    Mutant(
        "tanh output for regression",
        NB,
        "06.regression",
        "linear_output=True",
        "linear_output=False",
        "tanh-output",
    ),
    Mutant(
        "regression with too large a learning rate",
        NB,
        "06.regression",
        "sgd_step(model.parameters(), 0.05)\n    return model",
        "sgd_step(model.parameters(), 0.3)\n    return model",
        "diverged",
    ),
    Mutant("XOR without a hidden layer", NB, "06.xor", "MLP(2, [4, 1]", "MLP(2, [1]", "no-hidden-layer"),
    Mutant("max-margin sign", NB, "06.max_margin", "(1 - y * s).relu()", "(1 + y * s).relu()", "wrong-sign"),
    Mutant("no learning-rate decay", NB, "06.moons", "lr = 1.0 - 0.9 * k / steps", "lr = 1.0", "lr-constant"),
]


# ---- correct alternatives: every graded cell must pass ------------------------------------

ALTERNATIVES = {
    "sum()/len, list-comprehension step, zeroing after the update, relu(-(ys - 1))": [
        (
            "return sum(squared_errors) * (1.0 / len(squared_errors))",
            "return sum(squared_errors) / len(predictions)",
        ),
        (
            "    for p in parameters:\n        p.data -= lr * p.grad",
            "    moved = [p.data - lr * p.grad for p in parameters]\n"
            "    for p, new in zip(parameters, moved):\n        p.data = new",
        ),
        (ZERO + BACKWARD + STEP, BACKWARD + STEP),
        ("        history.append(loss.data)\n", "        history.append(loss.data)\n" + ZERO),
        ("margins = [(1 - y * s).relu() for", "margins = [(-(y * s - 1)).relu() for"),
    ],
    "the loop written out, a deeper XOR net, a hand-written accuracy": [
        (
            "loss = mse(predictions, targets)",
            "loss = sum((p - t) ** 2 for p, t in zip(predictions, targets)) / 4",
        ),
        (
            ZERO + BACKWARD + STEP,
            "        model.zero_grad()\n"
            + BACKWARD
            + "        for param in model.parameters():\n            param.data -= lr * param.grad\n",
        ),
        (
            'MLP(2, [4, 1], activation="tanh", linear_output=False)',
            'MLP(2, [4, 4, 1], activation="tanh", linear_output=False)',
        ),
        ("sgd_step(model.parameters(), 0.5)", "sgd_step(model.parameters(), 0.2)"),
        ("    for w in params:\n        w.grad = 0.0\n", "    model.zero_grad()\n"),
        ("alpha * sum(w * w for w in params)", "alpha * sum(w**2 for w in params)"),
        (
            "return loss.data, losses.accuracy(scores, labels)",
            "hits = sum((s.data > 0) == (t > 0) for s, t in zip(scores, labels))\n    return loss.data, hits / len(labels)",
        ),
    ],
}


test_mutant_is_caught, test_correct_alternative_passes = mutant_tests(MUTANTS, ALTERNATIVES, NB, timeout=300)


def test_losses_returned_as_a_tuple_or_numpy_floats_pass():
    for returned in ("return tuple(history)", "return [np.float64(v) for v in history]"):
        ns = student([("    return history", f"    {returned}")])
        check("06.train", ns["train"], quiet=True)
        check("06.train", ns["train"], hidden=True, seed=4, quiet=True)


# ---- the notebook's demonstrations and prose, as stored -----------------------------------------


def solution_cells():
    import nbformat
    from nbharness import solution_path

    return {c.id: c for c in nbformat.read(solution_path(NB), as_version=4).cells}


def printed(cell, stream="stdout"):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == stream)


def test_the_moons_progress_line_is_ordinary_output_and_the_same_on_every_run():
    cell = solution_cells()["moons_train"]
    assert "NBVAL_IGNORE_OUTPUT" not in cell.source and "tqdm" not in cell.source
    assert printed(cell, "stderr") == "" and all(o.output_type == "stream" for o in cell.outputs)
    assert printed(cell).startswith("two moons [########################] 100/100 steps in ")
    assert printed(cell).endswith(", accuracy 100%\n")


def test_no_grad_is_explained_before_its_first_use():
    cells = list(solution_cells().values())
    first = next(i for i, c in enumerate(cells) if c.cell_type == "code" and "with no_grad()" in c.source)
    told = [c.source for c in cells[:first] if c.cell_type == "markdown" and "no_grad" in c.source]
    assert told and "record no graph" in told[-1] and "backward" in told[-1]


def test_the_targets_plus_minus_one_are_the_ends_of_an_open_range():
    text = solution_cells()["train_md"].source
    assert "inside tanh's range" not in text and "open interval $(-1, 1)$" in text


def test_scaled_targets_fit_the_line_with_a_tanh_output():
    import ast

    cell = solution_cells()["scaled_targets_demo"]
    assert 'activation="tanh", linear_output=False' in cell.source
    lines = dict(line.split(":", 1) for line in printed(cell).splitlines())
    targets, predictions = (ast.literal_eval(lines[k].strip()) for k in ("targets", "predictions * scale"))
    assert max(abs(p - t) for p, t in zip(predictions, targets)) < 0.2 and max(targets) > 1


def test_binary_cross_entropy_is_shown_with_its_gradient():
    import ast

    cell = solution_cells()["bce_demo"]
    assert "losses.binary_cross_entropy" in cell.source
    lines = [line.split(":", 1)[1] for line in printed(cell).splitlines()[1:]]
    by_backward, by_formula = (ast.literal_eval(line.strip()) for line in lines)
    assert by_backward == by_formula and len(by_backward) == 3


# ---- a new student's slips, each named by its real cause (in this process) ----------------

TRAIN_BODY = (
    "    history = []\n    for step in range(steps):\n        predictions = [model(x) for x in inputs]\n"
    "        loss = mse(predictions, targets)\n"
)
LOSS_ONCE = (
    "    history = []\n    predictions = [model(x) for x in inputs]\n    loss = mse(predictions, targets)\n"
    "    for step in range(steps):\n"
)


@pytest.mark.parametrize(
    "exercise, edit, key",
    [
        (
            "06.step",
            ("        p.data -= lr * p.grad", "        p.data -= lr * p.grad\n        return"),
            "only-first-moved",
        ),
        ("06.train", (TRAIN_BODY, LOSS_ONCE), "loss-not-recomputed"),
        (
            "06.train",
            (
                "        history.append(loss.data)",
                "        history.append(mse([model(x) for x in inputs], targets).data)",
            ),
            "recorded-after-update",
        ),
        (
            "06.regression",
            ("loss = mse([model([x]) for x in xs], ys)", "loss = mse([model(x) for x in xs], ys)"),
            "input-not-a-list",
        ),
        (
            "06.max_margin",
            ("[(1 - y * s).relu() for s, y", "[max(0, 1 - y * s) for s, y"),
            "compared-a-value",
        ),
    ],
)
def test_a_new_students_slips_are_named(exercise, edit, key):
    failed = failure(exercise, *answers_for(exercise, student([edit])))
    assert failed.key == key, str(failed)


def test_an_mse_that_stops_after_the_first_error_is_named_beside_n_minus_1():
    # on the worked example, (1.5 - 1)**2 = 0.25 = 0.5 / (3 - 1): both causes are said
    first_only = student(
        [
            (
                "    squared_errors = [(p - t) ** 2 for p, t in zip(predictions, targets)]\n"
                "    return sum(squared_errors) * (1.0 / len(squared_errors))",
                "    for p, t in zip(predictions, targets):\n        return (p - t) ** 2",
            )
        ]
    )["mse"]
    failed = failure("06.mse", first_only, hidden=False)
    assert "first-error-only" in failed.keys and "divided-by-n-minus-1" in failed.keys
    from autograder.checking.verdicts import nb06_training as verdicts

    apart = verdicts.loss(
        {"loss": "mse", "xs": [1.0, 2.0, 4.0], "ys": [0.0] * 3}, {"is_value": True, "value": 1.0}
    )
    assert apart.keys == ("first-error-only",)

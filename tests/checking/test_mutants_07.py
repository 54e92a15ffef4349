"""Notebook 07 (from scalars to tensors): its checks, typical mistakes, and correct alternatives.

The NumPy backward functions of the solution notebook run here, each with one
mistake written in, and their checks must name it; the mutants and the correct
alternatives run in real kernels (nbharness.mutant_tests).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from nbharness import Mutant, answers_for, check_all, failure, mutant_tests, solution_namespace

from autograder import check
from course_engine.tensor_nn import MLP as TensorMLP

NB = "07_tensors"


def student(replacements=()):
    return solution_namespace(NB, replacements)


# ---- the checks, called directly ------------------------------------------------------------------


def test_the_solutions_pass_visible_and_hidden():
    ns = student()
    for hidden in (False, True):
        for seed in (None, 1, 2):
            check_all(NB, ns, hidden=hidden, seed=seed)


def test_checks_leave_the_global_random_streams_alone():
    ns = student()
    random.seed(7)
    np.random.seed(7)
    expected = (random.random(), np.random.random())
    random.seed(7)
    np.random.seed(7)
    check_all(NB, ns)
    assert (random.random(), np.random.random()) == expected


def test_add_and_mul_run_with_the_reference_unbroadcast():
    broken = student([("grad = grad.sum(axis=axis, keepdims=True)", "grad = grad.sum(axis=axis)")])
    assert failure("07.unbroadcast", broken["unbroadcast"], hidden=False).key == "size-one-dropped"
    check("07.add", broken["add_backward"], hidden=True, quiet=True)  # their unbroadcast is swapped out
    check("07.mul", broken["mul_backward"], hidden=True, quiet=True)
    assert broken["unbroadcast"](np.ones((2, 3)), (2, 1)).shape == (2,)  # and put back afterwards


def test_a_model_short_of_100_percent_is_trained_again_by_the_check():
    ns = student()
    random.seed(0)
    untrained = TensorMLP(2, [16, 16, 1])
    check("07.moons", ns["tensor_moons_step"], untrained, quiet=True)


MISTAKES = {
    # name: (exercise, [(find, replace), ...], the key of the mistake named)
    "unbroadcast: only the leading axes": (
        "07.unbroadcast",
        [("            grad = grad.sum(axis=axis, keepdims=True)\n", "            pass\n")],
        "size-one-not-summed",
    ),
    "unbroadcast: mean": (
        "07.unbroadcast",
        [("grad = grad.sum(axis=0)", "grad = grad.mean(axis=0)")],
        "averaged",
    ),
    "unbroadcast: unchanged": (
        "07.unbroadcast",
        [("    while grad.ndim > len(shape):", "    return grad\n    while grad.ndim > len(shape):")],
        "unchanged",
    ),
    "add: b not summed back": (
        "07.add",
        [
            (
                "return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)",
                "return unbroadcast(grad, a.shape), grad",
            )
        ],
        "not-summed-back",
    ),
    "add: minus for b": (
        "07.add",
        [("unbroadcast(grad, b.shape)", "unbroadcast(-grad, b.shape)")],
        "sign-wrong",
    ),
    "mul: no incoming gradient": (
        "07.mul",
        [
            (
                "unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)",
                "unbroadcast(b + 0 * grad, a.shape), unbroadcast(a + 0 * grad, b.shape)",
            )
        ],
        "no-chain-rule",
    ),
    "matmul: a not transposed": ("07.matmul", [("a.T @ grad", "a @ grad")], "not-transposed"),
    "matmul: grad_b transposed": ("07.matmul", [("a.T @ grad", "grad.T @ a")], "transposed"),
    "matmul: order": ("07.matmul", [("grad @ b.T", "b.T @ grad")], "wrong-order"),
    "sum: divided by the count": (
        "07.sum",
        [
            (
                "return np.broadcast_to(grad, shape)",
                "return np.broadcast_to(grad, shape) * np.size(grad) / np.prod(shape)",
            )
        ],
        "divided-by-count",
    ),
    "sum: ones": (
        "07.sum",
        [("return np.broadcast_to(grad, shape)", "return np.ones(shape)")],
        "grad-not-used",
    ),
    "gradcheck: divided by h": (
        "07.gradcheck",
        [("numeric[index] = (up - down) / (2 * h)", "numeric[index] = (up - down) / h")],
        "divided-by-h",
    ),
    "gradcheck: / 2 * h": (
        "07.gradcheck",
        [("numeric[index] = (up - down) / (2 * h)", "numeric[index] = (up - down) / 2 * h")],
        "precedence-2h",
    ),
    "gradcheck: nudging a copy": (
        "07.gradcheck",
        [
            (
                "            t.data[index] = original + h\n            up = loss_fn().item()\n"
                "            t.data[index] = original - h\n",
                "            nudged = t.data.copy()\n            nudged[index] = original + h\n"
                "            up = loss_fn().item()\n            nudged[index] = original - h\n",
            )
        ],
        "nudge-lost",
    ),
    "gradcheck: zeroing after backward": (
        "07.gradcheck",
        [
            (
                "    for t in tensors:\n        t.grad = np.zeros_like(t.data)\n    loss_fn().backward()\n",
                "    loss_fn().backward()\n    for t in tensors:\n        t.grad = np.zeros_like(t.data)\n",
            )
        ],
        "backward-before-zeroing",
    ),
    "copy: biases left out": (
        "07.copy",
        [("        linear.b.data = np.array([neuron.b.data for neuron in layer.neurons])\n", "")],
        "biases-not-copied",
    ),
    "copy: first layer only": (
        "07.copy",
        [
            (
                "    for layer, linear in zip(scalar_mlp.layers, tensor_mlp.layers):",
                "    for layer, linear in list(zip(scalar_mlp.layers, tensor_mlp.layers))[:1]:",
            )
        ],
        "layer-not-copied",
    ),
    "moons: summed data loss": ("07.moons", [(".relu().mean()", ".relu().sum()")], "data-loss-summed"),
    "moons: 100 in the schedule": (
        "07.moons",
        [
            (
                "    lr = 1.0 - 0.9 * k / steps\n    for p in params:",
                "    lr = 1.0 - 0.9 * k / 100\n    for p in params:",
            )
        ],
        "schedule-100",
    ),
    "moons: climbing": ("07.moons", [("p.data -= lr * p.grad", "p.data += lr * p.grad")], "wrong-direction"),
    "moons: no backward": ("07.moons", [("    loss.backward()\n    lr = ", "    lr = ")], "no-backward"),
    "moons: no L2": (
        "07.moons",
        [(" + alpha * sum((p * p).sum() for p in params)", "")],
        "no-l2",
    ),
    "moons: accuracy as a percentage": (
        "07.moons",
        [("return loss.item(), float(accuracy)", "return loss.item(), 100 * float(accuracy)")],
        "accuracy-percentage",
    ),
}


@pytest.mark.parametrize("name", MISTAKES)
def test_mistake_is_named(name):
    exercise, replacements, key = MISTAKES[name]
    answers = answers_for(exercise, student(replacements))
    for hidden in (False, True):
        failed = failure(exercise, *answers, hidden=hidden, seed=3)
        assert failed.key == key, f"{name} (hidden={hidden}): {failed.keys}\n{failed}"
        assert f"[{exercise}]" in str(failed)


def test_messages_show_input_expected_and_got():
    fn = student([("return grad @ b.T, a.T @ grad", "return grad @ b, a.T @ grad")])["matmul_backward"]
    failed = failure("07.matmul", fn, hidden=False, seed=None)
    assert failed.key == "not-transposed"
    for part in ("input:", "expected:", "got:", "likely mistake:", "central differences"):
        assert part in str(failed), str(failed)


def test_answers_must_be_numpy_arrays_not_tensors():
    from course_engine.tensor import Tensor

    assert failure("07.unbroadcast", lambda grad, shape: Tensor(grad), hidden=False).key == "tensor-not-array"
    assert failure("07.add", lambda a, b, grad: grad, hidden=False).key == "two-arrays"


# ---- mutants: one typical mistake in the notebook, caught by exactly its graded cell --------------

MUTANTS = [
    Mutant(
        "unbroadcast drops the size-1 axes",
        NB,
        "07.unbroadcast",
        find="grad = grad.sum(axis=axis, keepdims=True)",
        replace="grad = grad.sum(axis=axis)",
        key="size-one-dropped",
    ),
    Mutant(
        "add: b's gradient not summed back",
        NB,
        "07.add",
        find="return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)",
        replace="return unbroadcast(grad, a.shape), grad",
        key="not-summed-back",
    ),
    Mutant(
        "mul: each side gets its own value",
        NB,
        "07.mul",
        find="unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)",
        replace="unbroadcast(grad * a, a.shape), unbroadcast(grad * b, b.shape)",
        key="own-side",
    ),
    Mutant(
        "matmul: b not transposed",
        NB,
        "07.matmul",
        find="return grad @ b.T, a.T @ grad",
        replace="return grad @ b, a.T @ grad",
        key="not-transposed",
    ),
    Mutant(
        "sum: the summed axes not put back",
        NB,
        "07.sum",
        find="grad = np.expand_dims(grad, axis)",
        replace="pass",
        key="axes-not-put-back",
    ),
    Mutant(
        "gradcheck: forward difference",
        NB,
        "07.gradcheck",
        find="numeric[index] = (up - down) / (2 * h)",
        replace="numeric[index] = (up - loss_fn().item()) / h",
        key="forward-difference",
    ),
    Mutant(
        "gradcheck: grads not zeroed",
        NB,
        "07.gradcheck",
        find="t.grad = np.zeros_like(t.data)",
        replace="pass",
        key="stale-grad",
    ),
    Mutant(
        "gradcheck: entry not put back",
        NB,
        "07.gradcheck",
        find="            t.data[index] = original\n",
        replace="",
        key="not-restored",
    ),
    Mutant(
        "copy: W not transposed",
        NB,
        "07.copy",
        find="for neuron in layer.neurons]).T",
        replace="for neuron in layer.neurons])",
        key="W-transposed",
    ),
    Mutant(
        "moons: (n, 1) * (n,) broadcast",
        NB,
        "07.moons",
        find="scores = model(X).reshape(-1)",
        replace="scores = model(X)",
        key="scores-broadcast",
    ),
    Mutant(
        "moons: grads never zeroed",
        NB,
        "07.moons",
        find="    model.zero_grad()\n    loss.backward()",
        replace="    loss.backward()",
        key="grads-not-zeroed",
    ),
]


# ---- correct alternatives: every graded cell must pass --------------------------------------------

ALTERNATIVES = {
    "one sum per rule, einsum, flat indices, a neuron at a time, labels as a column": [
        (
            "    while grad.ndim > len(shape):  # axes numpy added in front\n        grad = grad.sum(axis=0)\n"
            "    for axis, size in enumerate(shape):  # axes where the input had size 1\n"
            "        if size == 1 and grad.shape[axis] != 1:\n"
            "            grad = grad.sum(axis=axis, keepdims=True)\n    return grad\n",
            "    extra = grad.ndim - len(shape)\n"
            "    ones = tuple(extra + i for i, n in enumerate(shape) if n == 1)\n"
            "    return grad.sum(axis=tuple(range(extra)) + ones, keepdims=True).reshape(shape)\n",
        ),
        (
            "return grad @ b.T, a.T @ grad",
            "return np.einsum('ij,kj->ik', grad, b), np.einsum('ik,ij->kj', a, grad)",
        ),
        (
            "    if axis is not None and not keepdims:\n"
            "        grad = np.expand_dims(grad, axis)  # the summed axes back, with size 1\n"
            "    return np.broadcast_to(grad, shape)\n",
            "    kept = np.zeros(shape).sum(axis=axis, keepdims=True).shape\n"
            "    return np.reshape(grad, kept) * np.ones(shape)\n",
        ),
        (
            "        for index in np.ndindex(t.data.shape):\n"
            "            original = t.data[index]\n"
            "            t.data[index] = original + h\n"
            "            up = loss_fn().item()\n"
            "            t.data[index] = original - h\n"
            "            down = loss_fn().item()\n"
            "            t.data[index] = original\n"
            "            numeric[index] = (up - down) / (2 * h)\n",
            "        for i in range(t.data.size):\n"
            "            index = np.unravel_index(i, t.data.shape)\n"
            "            t.data[index] += h\n"
            "            up = float(loss_fn().data)\n"
            "            t.data[index] -= 2 * h\n"
            "            down = float(loss_fn().data)\n"
            "            t.data[index] += h\n"
            "            numeric[index] = (up - down) / (2 * h)\n",
        ),
        (
            "        linear.W.data = np.array([[w.data for w in neuron.w] for neuron in layer.neurons]).T\n"
            "        linear.b.data = np.array([neuron.b.data for neuron in layer.neurons])\n",
            "        for j, neuron in enumerate(layer.neurons):\n"
            "            for i, w in enumerate(neuron.w):\n"
            "                linear.W.data[i, j] = w.data\n"
            "            linear.b.data[j] = neuron.b.data\n",
        ),
        (
            "    scores = model(X).reshape(-1)  # (n, 1) -> (n,), the shape of y\n",
            "    y = y.reshape(-1, 1)  # a column, like the scores\n    scores = model(X)\n",
        ),
    ],
    "add and mul by hand, the course's SGD, leaves zeroed with zero_grad": [
        (
            "return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)",
            "grads = []\n    for x in (a, b):\n        g = grad\n"
            "        while g.ndim > x.ndim:\n            g = g.sum(axis=0)\n"
            "        for axis in range(x.ndim):\n"
            "            if x.shape[axis] == 1:\n                g = g.sum(axis=axis, keepdims=True)\n"
            "        grads.append(g)\n    return tuple(grads)",
        ),
        (
            "return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)",
            "grad_a = grad * b\n    grad_b = a * grad\n"
            "    return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)",
        ),
        ("        t.grad = np.zeros_like(t.data)\n", "        t.grad = 0.0\n"),
        (
            "        results.append((t.grad.copy(), numeric))\n",
            "        results.append((np.array(t.grad), numeric))\n",
        ),
        (
            "    model.zero_grad()\n    loss.backward()\n    lr = 1.0 - 0.9 * k / steps\n"
            "    for p in params:\n        p.data -= lr * p.grad\n",
            "    optimizer = SGD(params, lr=1.0 - 0.9 * k / steps)\n"
            "    optimizer.zero_grad()\n    loss.backward()\n    optimizer.step()\n",
        ),
    ],
}


test_mutant_is_caught, test_correct_alternative_passes = mutant_tests(MUTANTS, ALTERNATIVES, NB, timeout=300)


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_the_alternatives_pass_in_process_too(name):
    ns = student(ALTERNATIVES[name])
    for hidden in (False, True):
        check_all(NB, ns, hidden=hidden)


# ---- the notebook's prose and its optional PyTorch cell, as stored -----------------------------


def solution_cells():
    import nbformat
    from nbharness import solution_path

    return {c.id: c for c in nbformat.read(solution_path(NB), as_version=4).cells}


def test_the_moons_graph_is_counted_right():
    from collections import Counter

    from course_engine.datasets import make_moons

    X, _ = make_moons(100, noise=0.1, seed=1337)
    random.seed(1337)
    ops = Counter(node._op for node in TensorMLP(2, [16, 16, 1])(X).topological_order())
    assert ops == {"": 6, "@": 3, "+": 3, "relu": 2}  # the output layer is linear: two relus, not three
    cells = solution_cells()
    text = cells["why_md2"].source
    assert "one relu for each of the two hidden layers" in text and f"{sum(ops.values())} nodes" in text
    assert f"a graph of {sum(ops.values())} nodes" in "".join(
        o.get("text", "") for o in cells["why_demo"].outputs
    )


def test_the_log_softmax_row_sums_with_keepdims():
    from course_engine.tensor import Tensor

    (row,) = [line for line in solution_cells()["reference_md"].source.splitlines() if "log_softmax" in line]
    assert "g.sum(axis, keepdims=True)" in row
    # why: over a batch, g.sum() without keepdims mixes the rows; the stated rule is the Tensor's own
    x, g = np.random.default_rng(0).normal(size=(3, 4)), np.random.default_rng(1).normal(size=(3, 4))
    t = Tensor(x)
    (t.log_softmax() * g).sum().backward()
    out = x - x.max(axis=-1, keepdims=True)
    softmax = np.exp(out) / np.exp(out).sum(axis=-1, keepdims=True)
    assert np.allclose(t.grad, g - softmax * g.sum(axis=-1, keepdims=True), atol=1e-12)
    assert not np.allclose(t.grad, g - softmax * g.sum(), atol=1e-3)


def test_the_pytorch_cell_is_optional_and_says_so_when_torch_is_absent():
    import importlib.util
    import tomllib
    from pathlib import Path

    cell = solution_cells()["torch_demo"]
    assert "torch.nn.Linear" in cell.source and "dtype=torch.float64" in cell.source
    if importlib.util.find_spec("torch") is None:  # as on the course's machines: torch is not installed
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert text.startswith("PyTorch is not installed, so this optional comparison is skipped.")
    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] + project["optional-dependencies"]["dev"] if "torch" in d]
    for name in ("scripts/ensure_venv.sh", "environment.yml", "binder/requirements.txt"):
        assert "torch" not in (root / name).read_text(), f"{name} installs torch"


# ---- a new student's slips, each named by its real cause (in this process) ----------------

UNBROADCAST_RETURN = "            grad = grad.sum(axis=axis, keepdims=True)\n    return grad"
COPY_W = "        linear.W.data = np.array([[w.data for w in neuron.w] for neuron in layer.neurons]).T"
COPY_B = "        linear.b.data = np.array([neuron.b.data for neuron in layer.neurons])"


@pytest.mark.parametrize(
    "exercise, edit, key",
    [
        (
            "07.unbroadcast",
            (UNBROADCAST_RETURN, UNBROADCAST_RETURN.replace("return grad", "grad")),
            "returned-nothing",
        ),
        (
            "07.unbroadcast",
            ("    while grad.ndim > len(shape):", "    if grad.ndim > len(shape):"),
            "one-leading-axis",
        ),
        (
            "07.sum",
            (
                "    return np.broadcast_to(grad, shape)",
                "    return np.broadcast_to(grad, shape) / np.prod(shape)",
            ),
            "divided-by-count",
        ),
        (
            "07.sum",
            ("    if axis is not None and not keepdims:", "    if axis is not None:"),
            "keepdims-expanded",
        ),
        ("07.copy", (COPY_W, COPY_W.replace("w.data for w", "w for w")), "array-of-values"),
        ("07.copy", (COPY_W, COPY_W.replace("linear.W.data =", "linear.W =")), "tensor-replaced"),
        ("07.copy", (COPY_B, COPY_B.replace("[neuron.b.data for", "[[neuron.b.data] for")), "bias-column"),
    ],
)
def test_a_new_students_slips_are_named(exercise, edit, key):
    failed = failure(exercise, *answers_for(exercise, student([edit])))
    assert failed.key == key, str(failed)

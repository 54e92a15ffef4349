"""The moons step of notebooks 06 (Values) and 07 (Tensors): one probe for both engines. It runs the
student's step on a fresh MLP(2, [16, 16, 1]) from the case's seeds (its loss_fn a correct max-margin
loss) and records each step's loss and accuracy. The goal case measures the notebook's trained model,
and only when that falls short of 100% trains a fresh one (the slow part)."""

from numbers import Real

import numpy as np

from course_engine import MLP, Value, no_grad
from course_engine.datasets import make_moons
from course_engine.losses import accuracy
from course_engine.tensor import Tensor
from course_engine.tensor_nn import MLP as TensorMLP

from ..isolation.max_margin import max_margin
from ..kit.cases import seeded


def problem(case):
    """(model, (inputs, labels)) for the case's engine: make_moons(n, noise=0.1, seed=data_seed),
    and MLP(2, [16, 16, 1]) made after random.seed(model_seed)."""
    X, y = make_moons(case["n"], noise=0.1, seed=case["data_seed"])
    with seeded(case["model_seed"]):
        if case["engine"] == "tensor":
            return TensorMLP(2, [16, 16, 1]), (X, y)
        model = MLP(2, [16, 16, 1], activation="relu")
    return model, ([[Value(a), Value(b)] for a, b in X.tolist()], y.tolist())


def number(x, tensor):
    """A returned number as a float (a Value's data, a one-number Tensor's item), or None."""
    if not tensor:
        return x.data if isinstance(x, Value) else float(x) if isinstance(x, Real) else None
    try:
        return x.item() if isinstance(x, Tensor) and x.size == 1 else float(x)
    except (TypeError, ValueError):
        return None


def run(step, case, loss_fn=max_margin):
    """The losses and accuracies the student's step returns on a fresh model, up to the first
    return that is not a pair of numbers ("bad"); and the model."""
    model, (inputs, labels) = problem(case)
    tensor, steps, alpha = case["engine"] == "tensor", case["steps"], case["alpha"]
    seen = {"losses": [], "accuracies": []}
    with seeded(case["model_seed"]):
        for k in range(steps):
            given = (inputs.copy(), labels.copy()) if tensor else (inputs, labels, loss_fn)
            result = step(model, *given, k, steps, alpha)
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                return {**seen, "bad": {"what": "pair", "repr": repr(result)}}, model
            for what, x in zip(("loss", "accuracy"), result):
                if number(x, tensor) is None:
                    bad = {"what": what, "type": type(x).__name__, "repr": repr(x)}
                    shape = list(x.shape) if isinstance(x, Tensor) else None
                    return {**seen, "bad": {**bad, "shape": shape}}, model
            seen["losses"].append(number(result[0], tensor))
            seen["accuracies"].append(number(result[1], tensor))
    return seen, model


def accuracy_on(model, case):
    """The share of the case's moons to which the model gives the label's sign."""
    X, y = make_moons(case["n"], noise=0.1, seed=case["data_seed"])
    with no_grad():
        if case["engine"] == "tensor":
            return float(np.mean((np.asarray(model(X).data).reshape(-1) > 0) == (y > 0)))
        return accuracy([model([Value(a), Value(b)]) for a, b in X.tolist()], y.tolist())


def probe(student, case):
    step = student.tensor_moons_step if case["engine"] == "tensor" else student.moons_step
    if case.get("final"):  # the model the notebook trained (None: train one here)
        trained = None if student.moons_model is None else accuracy_on(student.moons_model, case)
        if trained == 1.0:  # it reached the goal: no need to train another
            return {"trained": trained}
        seen, model = run(step, case)
        return {**seen, "trained": trained, "after": None if "bad" in seen else accuracy_on(model, case)}
    calls = []

    def loss_fn(scores, labels):
        calls.append(1)
        return max_margin(scores, labels)

    seen, _ = run(step, case, loss_fn)
    return seen if case["engine"] == "tensor" else {**seen, "loss_fn_calls": len(calls)}

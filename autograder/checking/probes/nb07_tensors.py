"""Probes for notebook 07: the student's backward rules on arrays (add_backward and mul_backward with a
correct unbroadcast swapped in), their gradient check on tensor problems, their copy of an MLP's weights."""

from contextlib import nullcontext

import numpy as np

from course_engine import Value
from course_engine.nn import MLP as ScalarMLP
from course_engine.tensor import Tensor
from course_engine.tensor_nn import MLP as TensorMLP

from ..kit.cases import seeded
from ..kit.observe import attempt

BACKWARDS = {"+": "add_backward", "*": "mul_backward", "@": "matmul_backward"}  # each op's exercise


def array(x):
    """A returned array as plain data ({"data", "shape"}), or the kind of thing it is instead."""
    if isinstance(x, (Tensor, Value)):
        return {"not_array": "Tensor" if isinstance(x, Tensor) else "Value"}
    if x is None:  # np.asarray(None) would be nan
        return {"not_array": "None"}
    if isinstance(x, np.ndarray) and x.dtype == object and any(isinstance(v, Value) for v in x.flat):
        return {"not_array": "an array of Values"}
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return {"not_array": type(x).__name__}
    return {"data": a.tolist(), "shape": list(a.shape)}


def kind(x):
    return {"type": type(x).__name__, "len": len(x) if isinstance(x, (tuple, list)) else None}


def pair(x):
    """Two returned arrays, or the type (and length) of what came back instead."""
    return [array(v) for v in x] if isinstance(x, (tuple, list)) and len(x) == 2 else kind(x)


def arrays(case, *names):
    return [np.array(case[name], dtype=np.float64) for name in names]


def axis_of(case):
    return tuple(case["axis"]) if isinstance(case["axis"], list) else case["axis"]


def unbroadcast(student, case):
    return array(student.unbroadcast(*arrays(case, "grad"), tuple(case["shape"])))


def backward(student, case):
    """add_backward, mul_backward or matmul_backward (case["op"]) on copies of the case's arrays."""
    from ..isolation.unbroadcast import correct_unbroadcast  # sent with these cells, after 07.unbroadcast's

    fn = getattr(student, BACKWARDS[case["op"]])
    with correct_unbroadcast(fn) if case["op"] != "@" else nullcontext():
        return pair(fn(*arrays(case, "a", "b", "grad")))


def sum_(student, case):
    (grad,), shape = arrays(case, "grad"), tuple(case["shape"])
    return array(student.sum_backward(grad, shape, axis_of(case), case["keepdims"]))


def gradcheck_problem(case):
    """(tensors, loss_fn) of a gradient-check case, on fresh tensors."""
    data = [np.array(t, dtype=np.float64) for t in case["tensors"]]
    if case["kind"] == "mlp":
        with seeded(case["seed"]):
            model = TensorMLP(case["nin"], [case["width"], case["nout"]], activation=case["activation"])
        for p, d in zip(model.parameters(), data):
            p.data = d
        X, target = arrays(case, "X", "target")
        return model.parameters(), lambda: ((model(X) - target) ** 2).mean()
    a, b = Tensor(data[0]), Tensor(data[1])
    if case["kind"] == "tanh":
        return [a, b], lambda: ((a * b).tanh() + a).sum()
    return [a, b], lambda: (a @ b).sigmoid().mean()


def gradient_check(student, case):
    tensors, loss_fn = gradcheck_problem(case)
    for t, stale in zip(tensors, case["stale"]):  # an earlier backward's leftovers
        t.grad = np.array(stale, dtype=np.float64)
    rows = student.gradient_check(loss_fn, tensors, case["h"])
    listed = isinstance(rows, (list, tuple)) and len(rows) == len(tensors)
    return {"data": [array(t.data) for t in tensors], "rows": list(map(pair, rows)) if listed else kind(rows)}


def copy_models(case):
    """The case's scalar MLP, with its weights, and a tensor MLP of the same sizes."""
    with seeded(case["seed"]):
        scalar = ScalarMLP(case["nin"], case["sizes"], activation=case["activation"])
        tensor = TensorMLP(case["nin"], case["sizes"], activation=case["activation"])
    for p, w in zip(scalar.parameters(), case["weights"]):
        p.data = w
    return scalar, tensor


def copy(student, case):
    """The tensor MLP's W and b after copy_weights, and its loss and weight gradients on a batch."""
    scalar, tensor = copy_models(case)
    student.copy_weights(scalar, tensor)
    data = [{k: array(getattr(getattr(one, k, None), "data", None)) for k in "Wb"} for one in tensor.layers]
    X, target = arrays(case, "X", "target")

    def run():
        tensor.zero_grad()
        (loss := ((tensor(X) - target) ** 2).mean()).backward()
        return {"loss": loss.item(), "W_grads": [array(layer.W.grad) for layer in tensor.layers]}

    result, error = attempt(run)
    return {"layers": data, "run": result if error is None else {"raised": error}}

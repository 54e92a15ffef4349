"""Notebook 07: from scalars to tensors. Fresh random arrays of shapes that broadcast in every way,
so that no fixed answer passes the hidden tests."""

import numpy as np

from ..exercise import Declarations
from ..kit.cases import random_point
from ..probes import moons as moons_probe
from ..probes import nb07_tensors as probe
from ..verdicts import moons as moons_verdict
from ..verdicts import nb07_tensors as verdict
from .nb06_training import moons_cases

declare = Declarations(__file__, verdict.MISTAKES)
SIDES = (2, 3, 4)


def values(rng, shape, lo=-2.0, hi=2.0):
    """An array of short random numbers (they read well in a message), as nested lists."""
    numbers = [round(rng.uniform(lo, hi), 2) for _ in range(int(np.prod(shape)))]
    return np.array(numbers).reshape(shape).tolist()


def operand_shape(rng, result, keep_all=False):
    """A shape that broadcasts to `result`: some leading axes dropped, some axes set to 1."""
    kept = result[0 if keep_all else rng.randint(0, len(result)) :]
    return tuple(1 if rng.random() < 0.4 else n for n in kept)


def result_shape(rng):
    return tuple(rng.sample(SIDES, rng.randint(1, 3)))  # distinct sides: a wrong axis shows


def unbroadcast_cases(rng, hidden):
    shapes = [((3,), (2, 3)), ((2, 1), (2, 3)), ((1, 3), (4, 2, 3))]  # the notebook's examples first
    while len(shapes) < (25 if hidden else 8):
        if (shape := operand_shape(rng, result := result_shape(rng))) != result:
            shapes.append((shape, result))
    shapes += [((), (2, 3)), ((2, 3), (2, 3))]
    return [{"shape": list(s), "result": list(r), "grad": values(rng, r)} for s, r in shapes]


def backward_cases(op):
    """Operands of a + b or a * b that broadcast in every way."""

    def cases(rng, hidden):
        shapes = [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1), (1, 3))]
        while len(shapes) < (20 if hidden else 6):
            result = result_shape(rng)
            a, b = operand_shape(rng, result), operand_shape(rng, result, keep_all=rng.random() < 0.5)
            shapes.append((a, b) if rng.random() < 0.5 else (b, a))
        return operands(rng, op, [*shapes, ((), (2, 2))])

    return cases


def operands(rng, op, shapes):
    """The case of each pair of shapes: a, b and the gradient of out = a op b."""
    grad = lambda a, b: values(rng, (a[0], b[1]) if op == "@" else np.broadcast_shapes(a, b), 0.5, 2.0)  # noqa: E731
    return [{"op": op, "a": values(rng, a), "b": values(rng, b), "grad": grad(a, b)} for a, b in shapes]


def matmul_cases(rng, hidden):
    sizes = [(3, 3, 3), (2, 2, 2)]  # square first: a slip then computes, and can be named
    while len(sizes) < (14 if hidden else 5):
        sizes.append(tuple(rng.sample((1, 2, 3, 4, 5), 3)))
    return operands(rng, "@", [((n, k), (k, m)) for n, k, m in sizes])


def sum_cases(rng, hidden):
    cases = [((3, 3), 1, False), ((2, 3), None, False), ((2, 3), 0, True)]  # the trap first: a square
    while len(cases) < (24 if hidden else 8):
        shape = result_shape(rng)
        kind = rng.choice(["none", "int", "negative", "tuple"])
        axes = sorted(rng.sample(range(len(shape)), rng.randint(1, len(shape)))) if kind == "tuple" else None
        axis = {"int": lambda: rng.randrange(len(shape)), "negative": lambda: -rng.randint(1, len(shape))}
        cases.append((shape, axis[kind]() if kind in axis else axes, rng.random() < 0.5))
    total = lambda s, a, k: np.zeros(s).sum(axis=tuple(a) if isinstance(a, list) else a, keepdims=k)  # noqa: E731
    grad = lambda s, a, k: values(rng, total(s, a, k).shape, 0.5, 2.0)  # noqa: E731
    return [{"shape": list(s), "axis": a, "keepdims": k, "grad": grad(s, a, k)} for s, a, k in cases]


def gradcheck_cases(rng, hidden):
    """Reference ops on fresh random numbers, and a whole MLP; each with its h and stale grads."""
    cases = []
    for _ in range(2 if hidden else 1):
        cases.append({"kind": "tanh", "tensors": [values(rng, (2, 3)), values(rng, (3,))]})
        cases.append({"kind": "sigmoid", "tensors": [values(rng, (2, 3)), values(rng, (3, 2))]})
    for _ in range(2 if hidden else 1):
        nin, width, nout = rng.randint(1, 3), rng.randint(2, 4), rng.randint(1, 2)
        net = {"kind": "mlp", "nin": nin, "width": width, "nout": nout}
        net["activation"] = rng.choice(["tanh", "sigmoid"])
        net["tensors"] = [values(rng, s, -1, 1) for s in [(nin, width), (width,), (width, nout), (nout,)]]
        X, target = values(rng, (4, nin)), values(rng, (4, nout))
        cases.append({**net, "seed": rng.randrange(2**32), "X": X, "target": target})
    for i, case in enumerate(cases):
        case["h"] = (1e-2, 1e-3)[i % 2]  # large enough that a forward difference is visibly off
        case["stale"] = [values(rng, np.shape(t), 0.5, 3.0) for t in case["tensors"]]  # an earlier backward's
    return cases


def copy_cases(rng, hidden):
    cases = []
    for i in range(10 if hidden else 4):
        sizes = [rng.randint(2, 5) for _ in range(rng.randint(1, 2))] + [rng.randint(1, 3)]
        net = {"nin": rng.randint(1, 4), "sizes": sizes}
        net["activation"] = rng.choice(["tanh", "sigmoid", "relu"])
        net = net if i else {"nin": 3, "sizes": [3, 3, 1], "activation": "tanh"}  # square: a missing .T runs
        count = sum((m + 1) * n for m, n in zip([net["nin"], *net["sizes"]], net["sizes"]))
        net["weights"] = [random_point(rng, -1, 1, away_from=(0.0,)) for _ in range(count)]
        X, target = values(rng, (5, net["nin"])), values(rng, (5, net["sizes"][-1]))
        cases.append({**net, "seed": rng.randrange(2**32), "X": X, "target": target})
    return cases


declare("07.unbroadcast", unbroadcast_cases, probe.unbroadcast, verdict.unbroadcast_verdict)
declare("07.add", backward_cases("+"), probe.backward, verdict.backward)
declare("07.mul", backward_cases("*"), probe.backward, verdict.backward)
declare("07.matmul", matmul_cases, probe.backward, verdict.backward)
declare("07.sum", sum_cases, probe.sum_, verdict.sum_verdict)
declare("07.gradcheck", gradcheck_cases, probe.gradient_check, verdict.gradient_check)
declare("07.copy", copy_cases, probe.copy, verdict.copy)
declare("07.moons", moons_cases("tensor", 30), moons_probe.probe, moons_verdict.verdict)

"""Probes for notebook 04: one neuron's forward pass and gradients, the student's Module and
Neuron. Each records its steps as it goes (kit.steps.stepwise)."""

from numbers import Real

from course_engine.engine import Value

from ..kit.cases import seeded
from ..kit.observe import plain
from ..kit.steps import describe, listed, result, stepwise

NAMES = ("x1", "x2", "w1", "w2", "b")


def structure(neuron) -> dict:
    """How many Values self.w holds (or what it is instead); self.b: None for a Value, else what it is."""
    w, b = getattr(neuron, "w", None), getattr(neuron, "b", None)
    weights = isinstance(w, list) and all(isinstance(v, Value) for v in w)
    return {"w": len(w) if weights else describe(w), "b": None if isinstance(b, Value) else describe(b)}


@stepwise
def forward(student, case, seen):
    leaves = [Value(v, label=k) for k, v in zip(NAMES, case["inputs"])]
    out = student.neuron_forward(*leaves)
    seen["out"] = result(out)
    out.backward()
    seen["grads"] = [leaf.grad for leaf in leaves]


def gradients(student, case):
    got = student.neuron_gradients(*case["inputs"])
    if hasattr(got, "tolist") and getattr(got, "shape", None) == (3,):  # a numpy array of three is fine
        got = got.tolist()
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return {"type": describe(got)}
    got = [g.data if isinstance(g, Value) else g for g in got]
    return {"grads": [float(g) if isinstance(g, Real) else {"type": type(g).__name__} for g in got]}


@stepwise
def module(student, case, seen):
    empty = student.Module().parameters()
    seen["empty"] = None if isinstance(empty, (list, tuple)) and not empty else repr(empty)
    values = [Value(v) for v in case["data"]]
    for v, g in zip(values, case["grads"]):
        v.grad = g

    class WithParameters(student.Module):  # what Neuron, Layer and MLP will be: parameters() overridden
        def __init__(self):
            pass

        def parameters(self):
            return list(values)

    module = WithParameters()
    module.zero_grad()
    seen["module_grad"] = "grad" in vars(module)  # self.grad = 0.0: set on the module itself
    seen["data"] = [plain(v.data) for v in values]
    seen["grads"] = [float(v.grad) if isinstance(v.grad, Real) else repr(v.grad) for v in values]


@stepwise
def neuron_init(student, case, seen):
    seen["neurons"] = []
    with seeded(case["seed"]):
        for nin, activation in case["neurons"]:
            neuron, one = student.Neuron(nin, activation), {}
            seen["neurons"].append(one)
            one.update(structure(neuron))
            one["distinct"] = len({id(v) for v in neuron.w})
            own = [*neuron.w, neuron.b]
            one["params"] = listed(neuron.parameters(), own)
            one["w_after"] = len(neuron.w) if isinstance(neuron.w, list) else one["w"]
            one["weights"] = [float(v.data) for v in neuron.w]
    seen["all_built"] = True


@stepwise
def neuron_call(student, case, seen):
    nin, xs = case["nin"], case["xs"]
    with seeded(case["seed"]):
        neuron = student.Neuron(nin, case["activation"])
        seen.update(structure(neuron))
        if len({id(v) for v in [*neuron.w, neuron.b]}) < nin + 1:
            # one Value shared by several weights is 04.neuron_init's finding; here
            # each weight gets its own so that the output can still be judged
            neuron.w, neuron.b = [Value(0.0) for _ in range(nin)], Value(0.0)
        leaves = [*neuron.w, neuron.b]
        for v, data in zip(leaves, case["neuron"]):
            v.data, v.grad = data, 0.0
        leaves += [Value(v) for v in xs]
        out = neuron(leaves[nin + 1 :])
        seen["out"] = result(out)
        out.backward()
        seen["grads"] = [v.grad for v in leaves]
        seen["again"] = result(neuron(list(xs)))  # plain numbers: n([2.0, 3.0]) is how the notebook calls it

"""Verdict side: the truth about neurons and layers (notebooks 04 and 05), in float64. A neuron
[w..., b] computes activation(b + w . x), a network is layers of them; every gradient is
compared with a central difference of that float function."""

import math

from .compare import close
from .failure import Mistakes
from .fmt import fmt
from .says import Says

FD_H = 1e-6  # central differences in float64: error near 1e-10 for these functions
GRAD_REL, GRAD_ABS = 1e-5, 1e-7  # how close a backward gradient must be to the difference
ACTIVATIONS = {
    "tanh": math.tanh,
    "relu": lambda z: z if z > 0 else 0.0,
    "linear": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z)),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
}
# the failures (and their mistakes) of an output that is no Value and of a wrong gradient
MISTAKES = Mistakes(
    {
        "value-in-list": "return the Value itself, not a list holding it",
        "number-not-value": "build the result from Values (+, *, .tanh()) "
        "so that backward() can reach the inputs",
        "graph-disconnected": "every gradient is 0: the output is not connected to the Values it came from. "
        "Build it with Value operations (+, *, .tanh(), .relu()), never from .data or math.tanh",
        "no-gradient": "{name} gets no gradient: it is not part of the graph of the output",
    }
)
SAY = Says(
    {
        "not-a-value": "{what} must return a Value | got: {type}",
        "gradient": "{what}: the gradient of the output with respect to {name} is wrong | input: {where} "
        "| expected: {want:.6g} (central finite difference) | got: {got:.6g} (after backward())",
    },
    MISTAKES,
)


def pre(neuron, xs):
    """b + w . x for a neuron [w..., b], summed in the order the engine sums."""
    z = neuron[-1]
    for w, x in zip(neuron[:-1], xs):
        z += w * x
    return z


def network(layers, xs, activations, kinks=None):
    """The outputs of layers of neurons: one activation per layer, or a list of one per neuron
    (unknown: nan, it explains nothing); each relu's |z| is added to `kinks` if given."""
    for neurons, names in zip(layers, activations):
        names = names if isinstance(names, list) else [names] * len(neurons)
        zs = [pre(n, xs) for n in neurons]
        if kinks is not None:
            kinks += [abs(z) for z, a in zip(zs, names) if a == "relu"]
        xs = [ACTIVATIONS.get(a, lambda z: math.nan)(z) for z, a in zip(zs, names)]
    return xs


def numbers(xs):
    return ", ".join(fmt(float(x)) for x in xs)


def attribute(name, what):
    return f"no attribute {name}" if what == "NoneType" else f"self.{name} is {what}"


def not_a_value(result, what):
    """Unless a probe's result (kit.steps.result) is a Value: what it is instead."""
    if "data" in result:
        return None
    named = {"list": "value-in-list", "number": "number-not-value"}.get(result["is"])
    return SAY("not-a-value", named, what=what, **result)


def wrong_gradient(what, names, truth, grads, where):
    """The first backward gradient that disagrees with the finite difference, as a failure."""
    for name, want, got in zip(names, truth, grads):
        if not close(got, want, GRAD_REL, GRAD_ABS):
            mistake = "no-gradient" if close(got, 0.0) and not close(want, 0.0) else None
            mistake = "graph-disconnected" if all(g == 0.0 for g in grads) else mistake
            return SAY("gradient", mistake, what=what, name=name, where=where, want=want, got=got)
    return None


def listing_slip(index):
    """The mistake in a parameters() listing, as indices into the model's own Values (kit.steps.listed),
    that lists some Value twice, copies, or Values that are not the model's."""
    if len(set(index)) < len(index):
        return "listed-twice"
    return "copies-listed" if all(i < 0 for i in index) else "not-own-parameters"

"""Notebook 05: the student's Layer and MLP, and their gradient check of a whole MLP."""

from ..exercise import Declarations
from ..kit.cases import random_point
from ..kit.network import network
from ..probes import nb05_mlp as probe
from ..verdicts import nb05_mlp as verdict

declare = Declarations(__file__, verdict.MISTAKES)
ALL = ("tanh", "relu", "sigmoid", "linear")


def architecture(rng, most_hidden=2):
    nin, hidden = rng.randint(1, 4), [rng.randint(2, 5) for _ in range(rng.randint(0, most_hidden))]
    return nin, hidden + [rng.randint(1, 3)]


def weights(rng, nin, nouts):
    """Random weights and biases, each neuron [w..., b], layer by layer."""
    sizes = zip([nin, *nouts], nouts)
    return [[[random_point(rng, -1, 1) for _ in range(a + 1)] for _ in range(b)] for a, b in sizes]


def network_case(rng, nin, nouts, activations, **more):
    """Weights and a point x with every relu's input at least 1e-3 from its kink, and the
    coefficients c of sum(c * output), the scalar whose gradient is checked."""
    while True:
        layers, xs, kinks = weights(rng, nin, nouts), [random_point(rng) for _ in range(nin)], []
        network(layers, xs, activations, kinks)
        if all(k > 1e-3 for k in kinks):
            c = [random_point(rng, 0.5, 2.0) for _ in range(nouts[-1])]
            return dict(seed=rng.getrandbits(32), nin=nin, nouts=nouts, layers=layers, xs=xs, c=c, **more)


def layer_params_cases(rng, hidden):
    shapes = [(3, 4, "relu")]
    shapes += [(rng.randint(1, 6), rng.randint(1, 6), rng.choice(ALL)) for _ in range(25 if hidden else 5)]
    return [dict(seed=rng.getrandbits(32), nin=nin, nout=nout, activation=a) for nin, nout, a in shapes]


def layer_call_cases(rng, hidden):
    cases = []
    for i in range(30 if hidden else 8):
        activation, nin = ALL[i % 4], rng.randint(1, 5)
        nout = 1 if i % 3 == 1 else rng.randint(2, 5)  # one-output layers in every run
        cases.append(network_case(rng, nin, [nout], [activation], nout=nout, activation=activation))
    return cases


def mlp_params_cases(rng, hidden):
    shapes = [(3, [4, 4, 1]), (2, [4, 4, 1]), (2, [16, 16, 1])]
    shapes += [architecture(rng, 3) for _ in range(25 if hidden else 5)]
    cases = [dict(seed=rng.getrandbits(32), nin=nin, nouts=nouts) for nin, nouts in shapes]
    for case, (nin, nouts) in zip(cases, shapes):  # the grads the parameters hold before zero_grad()
        case["grads"] = [random_point(rng, away_from=(0.0,)) for _ in range(verdict.count(nin, nouts))]
    return cases


def mlp_call_cases(rng, hidden):
    cases = []
    for i in range(24 if hidden else 6):
        activation, linear_output = ("tanh", "relu", "sigmoid")[i % 3], i % 2 == 0
        nin, nouts = architecture(rng)
        if i == 0:
            nouts = [rng.randint(2, 5), rng.randint(1, 3)]  # a hidden layer in the first case
        if i == 1:
            nouts = [3, 1]  # a nonlinear output layer in every run
        asked = verdict.asked(nouts, activation, linear_output)
        cases.append(network_case(rng, nin, nouts, asked, activation=activation, linear_output=linear_output))
    return cases


def gradcheck_cases(rng, hidden):
    cases = []
    for i in range(12 if hidden else 3):
        nin, nouts = rng.randint(1, 3), [rng.randint(2, 5) for _ in range(rng.randint(1, 2))] + [1]
        n, layers = verdict.count(nin, nouts), weights(rng, nin, nouts)
        sample, xs = rng.sample(range(n), rng.randint(3, min(8, n))), [random_point(rng) for _ in range(nin)]
        h = (1e-2, 1e-3)[i % 2]  # large enough that a forward difference is visibly off
        stale = [random_point(rng, 0.5, 3.0) for _ in range(n)]  # the grads a previous backward left
        case = dict(nin=nin, nouts=nouts, layers=layers, sample=sample, xs=xs, h=h, stale=stale)
        cases.append({**case, "seed": rng.getrandbits(32), "activation": ("tanh", "sigmoid")[i % 2]})
    return cases


declare("05.layer_params", layer_params_cases, probe.layer, verdict.layer_params)
declare("05.layer_call", layer_call_cases, probe.layer, verdict.layer_call)
declare("05.mlp_params", mlp_params_cases, probe.mlp, verdict.mlp_params)
declare("05.mlp_call", mlp_call_cases, probe.mlp, verdict.mlp_call)
declare("05.gradcheck", gradcheck_cases, probe.gradcheck, verdict.gradcheck)

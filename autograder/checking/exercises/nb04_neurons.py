"""Notebook 04: one neuron's forward pass and gradients, the student's Module and Neuron."""

from ..exercise import Declarations
from ..kit.cases import random_point
from ..kit.network import pre
from ..probes import nb04_neurons as probe
from ..verdicts import nb04_neurons as verdict

declare = Declarations(__file__, verdict.MISTAKES)
WORKED = [2.0, 3.0, 0.5, -0.3, 0.1]  # the notebook's x1, x2, w1, w2, b: out = tanh(0.2)
KINDS = ("tanh", "relu", "linear")


def neuron_inputs(accept, away=()):
    """The worked x1, x2, w1, w2, b, then random ones with x1, x2 apart and `accept(x1, w1, z)`."""

    def cases(rng, hidden):
        drawn = [WORKED]
        while len(drawn) < (30 if hidden else 6):
            x1, x2 = random_point(rng, away_from=away, gap=0.2), random_point(rng, away_from=away, gap=0.2)
            w1, w2 = random_point(rng, -1, 1), random_point(rng, -1, 1)
            b = random_point(rng, -1, 1, (0.0,), 0.1)
            if abs(x1 - x2) > 0.2 and accept(x1, w1, w1 * x1 + w2 * x2 + b):
                drawn.append([x1, x2, w1, w2, b])
        return [{"inputs": inputs} for inputs in drawn]

    return cases


def module_cases(rng, hidden):
    cases = []
    for n in [rng.randint(2, 12 if hidden else 6) for _ in range(20 if hidden else 4)]:
        grads = [random_point(rng, away_from=(0.0,), gap=0.1) for _ in range(n)]  # set before zero_grad()
        cases.append({"data": [random_point(rng) for _ in range(n)], "grads": grads})
    return cases


def init_cases(rng, hidden):
    # one case: the spread of the initial weights is judged over every neuron, and one wide one
    neurons = [[3, "tanh"]] + [[rng.randint(1, 8), KINDS[i % 3]] for i in range(30 if hidden else 6)]
    return [{"seed": rng.getrandbits(32), "neurons": neurons + [[60, "tanh"]]}]


def call_cases(rng, hidden):
    cases = []
    for i in range(30 if hidden else 6):
        activation, nin = KINDS[i % 3], rng.randint(1, 6)
        # relu cases alternate sides of the kink: the positive side shows a disconnected graph
        positive = (i // 3) % 2 == 0 if activation == "relu" else None
        while True:  # the pre-activation z away from relu's kink, and the bias from z
            neuron = [random_point(rng, -1, 1) for _ in range(nin)] + [random_point(rng, -1, 1, (0.0,), 0.2)]
            xs = [random_point(rng, away_from=(0.0,), gap=0.1) for _ in range(nin)]
            z = pre(neuron, xs)
            if abs(z) >= 0.1 and abs(z - neuron[-1]) >= 0.1 and positive in (None, z > 0):
                break
        cases.append(dict(seed=rng.getrandbits(32), activation=activation, nin=nin, neuron=neuron, xs=xs))
    return cases


forward_cases = neuron_inputs(lambda x1, w1, z: abs(z) > 0.05)
# not so saturated that every gradient is nearly 0, and x1 apart from w1 (the weight-for-input slip)
gradient_cases = neuron_inputs(lambda x1, w1, z: abs(abs(x1) - abs(w1)) > 0.2 and 0.05 < abs(z) < 2.0, (0.0,))

declare("04.forward", forward_cases, probe.forward, verdict.forward)
declare("04.grads", gradient_cases, probe.gradients, verdict.gradients)
declare("04.module", module_cases, probe.module, verdict.module)
declare("04.neuron_init", init_cases, probe.neuron_init, verdict.neuron_init)
declare("04.neuron_call", call_cases, probe.neuron_call, verdict.neuron_call)

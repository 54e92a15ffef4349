"""Notebook 02: the student's own Value class, step by step, each step checked alone: the
constructor and repr as they are; +, *, numbers and relu on a known-good constructor (see
isolation/good_constructor.py); the expressions on stand-in Values (isolation/stand_in.py)."""

from ..exercise import Declarations
from ..kit.cases import random_point
from ..probes import nb02_value as probe
from ..verdicts import nb02_value as verdict

declare = Declarations(__file__, verdict.MISTAKES)


def drawn(rng, hidden, draw, many=20, few=4):
    """`draw(rng)` many times for the hidden check, a few times for the visible one."""
    return [draw(rng) for _ in range(many if hidden else few)]


def value_cases(rng, hidden):  # ints too: Value(3) must store the float 3.0
    xs = drawn(rng, hidden, lambda r: random_point(r, -10, 10) if r.random() < 0.7 else r.randint(-20, 20))
    return [{"x": x} for x in [2.5, 3, -4, 0, 1e-3, *xs]] + [{"pair": [1.5, -2.0]}]


def arith_cases(rng, hidden):
    pairs = drawn(
        rng, hidden, lambda r: (random_point(r, -5, 5), random_point(r, -5, 5, away_from=(0.0, 1.0, 2.0)))
    )
    return [{"x": x, "y": y, "op": op} for x, y in [(-4.0, 2.0), (2.0, -3.0), *pairs] for op in "+*"]


def numbers_cases(rng, hidden):
    def pair(r):
        n = r.randint(-9, 9) if r.random() < 0.5 else random_point(r, -5, 5)
        return random_point(r, -5, 5), n

    pairs = [(-4.0, 2), (3.0, 2.5), *drawn(rng, hidden, pair)]
    return [
        {"x": x, "n": n, "op": op, "left": left} for x, n in pairs for op in "+*" for left in (False, True)
    ]


def graph_cases(rng, hidden):
    return drawn(rng, hidden, lambda r: {"x": random_point(r, -5, 5), "y": random_point(r, -5, 5)}, 10, 3)


def expr_d_cases(rng, hidden):
    def inputs(r):
        a, b = (random_point(r, -5, 5, away_from=(0.0, 1.0)) for _ in range(2))
        return {"inputs": [a, b, random_point(r, -10, 10, away_from=(0.0, 1.0))]}

    return [{"inputs": [2.0, -3.0, 10.0]}, *drawn(rng, hidden, inputs)]


def expr_z_cases(rng, hidden):
    def inputs(r):
        x = random_point(r, -4, 4, away_from=(0.0,), gap=0.3)
        return {"inputs": [x, random_point(r, -4, 4, away_from=(0.0, x, -x), gap=0.3)]}

    return [{"inputs": [3.0, -2.0]}, *drawn(rng, hidden, inputs)]


def relu_cases(rng, hidden):
    xs = drawn(rng, hidden, lambda r: random_point(r, -5, 5, away_from=(0.0,)))
    return [{"x": x, "op": "relu"} for x in [-5.0, 3.0, 0.0, 0.5, -0.5, *xs]]


declare("02.value", value_cases, probe.value, verdict.value)
declare("02.arith", arith_cases, probe.operation, verdict.arith)
declare("02.numbers", numbers_cases, probe.operation, verdict.numbers)
declare("02.graph", graph_cases, probe.graph, verdict.graph)
declare("02.expr_d", expr_d_cases, probe.expr_d, verdict.expr_d)
declare("02.expr_z", expr_z_cases, probe.expr_z, verdict.expr_z)
declare("02.relu", relu_cases, probe.operation, verdict.relu)

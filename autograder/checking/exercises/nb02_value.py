"""Notebook 02: the student's own Value class, built step by step.

Each step is checked without leaning on the student's other steps: 02.value and 02.graph
test the constructor (and repr) alone; 02.arith, 02.numbers and 02.relu run the student's
methods with a known-good constructor; 02.expr_d and 02.expr_z get stand-in Values.
"""

from __future__ import annotations

from ..exercise import Declarations
from ..kit.cases import random_point
from ..probes import nb02_value as probe
from ..verdicts import nb02_value as verdict

declare = Declarations(__file__, verdict.MISTAKES)


def value_cases(rng, hidden):
    drawn = [
        random_point(rng, -10, 10) if rng.random() < 0.7 else rng.randint(-20, 20)
        for _ in range(20 if hidden else 4)
    ]
    return [{"x": x} for x in [2.5, 3, -4, 0, 1e-3, *drawn]] + [{"pair": [1.5, -2.0]}]  # ints too: Value(3)


def arith_cases(rng, hidden):
    pairs = [(-4.0, 2.0), (2.0, -3.0)]
    for _ in range(20 if hidden else 4):
        pairs.append((random_point(rng, -5, 5), random_point(rng, -5, 5, away_from=(0.0, 1.0, 2.0))))
    return [{"x": x, "y": y, "op": op} for x, y in pairs for op in "+*"]


def numbers_cases(rng, hidden):
    pairs = [(-4.0, 2), (3.0, 2.5)]
    for _ in range(20 if hidden else 4):
        n = rng.randint(-9, 9) if rng.random() < 0.5 else random_point(rng, -5, 5)
        pairs.append((random_point(rng, -5, 5), n))
    return [
        {"x": x, "n": n, "op": op, "left": left} for x, n in pairs for op in "+*" for left in (False, True)
    ]


def graph_cases(rng, hidden):
    return [
        {"x": random_point(rng, -5, 5), "y": random_point(rng, -5, 5)} for _ in range(10 if hidden else 3)
    ]


def expr_d_cases(rng, hidden):
    points = [[2.0, -3.0, 10.0]]
    for _ in range(20 if hidden else 4):
        a, b = (random_point(rng, -5, 5, away_from=(0.0, 1.0)) for _ in range(2))
        points.append([a, b, random_point(rng, -10, 10, away_from=(0.0, 1.0))])
    return [{"inputs": p} for p in points]


def expr_z_cases(rng, hidden):
    points = [[3.0, -2.0]]
    for _ in range(20 if hidden else 4):
        x = random_point(rng, -4, 4, away_from=(0.0,), gap=0.3)
        points.append([x, random_point(rng, -4, 4, away_from=(0.0, x, -x), gap=0.3)])
    return [{"inputs": p} for p in points]


def relu_cases(rng, hidden):
    drawn = [random_point(rng, -5, 5, away_from=(0.0,)) for _ in range(20 if hidden else 4)]
    return [{"x": x, "op": "relu"} for x in [-5.0, 3.0, 0.0, 0.5, -0.5, *drawn]]


declare("02.value", value_cases, probe.value, verdict.value)
declare("02.arith", arith_cases, probe.operation, verdict.arith)
declare("02.numbers", numbers_cases, probe.operation, verdict.numbers)
declare("02.graph", graph_cases, probe.graph, verdict.graph)
declare("02.expr_d", expr_d_cases, probe.expr_d, verdict.expr_d)
declare("02.expr_z", expr_z_cases, probe.expr_z, verdict.expr_z)
declare("02.relu", relu_cases, probe.operation, verdict.relu)

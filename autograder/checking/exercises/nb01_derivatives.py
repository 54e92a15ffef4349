"""Notebook 01: derivatives as slopes, found by finite differences."""

from ..exercise import Declarations
from ..kit.cases import random_point
from ..probes import nb01_derivatives as probe
from ..verdicts import nb01_derivatives as verdict

declare = Declarations(__file__, verdict.MISTAKES)
PARABOLA = {"poly": [5, -4, 3]}  # f(x) = 3x^2 - 4x + 5: f(3) = 20, f'(3) = 14


def random_function(rng) -> dict:
    """A random polynomial (degree 2 to 4), sin(a x + b) or exp(a x)."""
    kind = rng.choice(["poly", "poly", "sin", "exp"])
    if kind == "poly":
        degree = rng.randint(2, 4)
        return {"poly": [rng.randint(-5, 5) for _ in range(degree)] + [rng.choice([-3, -2, -1, 1, 2, 3])]}
    a = round(rng.uniform(0.5, 2.5), 2) * rng.choice([-1, 1])
    return {"sin": [a, round(rng.uniform(-1, 1), 2)]} if kind == "sin" else {"exp": a}


def difference_cases(hs):
    def cases(rng, hidden):
        worked = [{"f": PARABOLA, "x": 3.0, "h": h} for h in (1e-3, 1e-4)]
        return worked + [
            {"f": random_function(rng), "x": random_point(rng, -2.0, 2.0), "h": rng.choice(hs)}
            for _ in range(30 if hidden else 6)
        ]

    return cases


def partials_cases(rng, hidden):
    cases = [{"a": 2.0, "b": -3.0, "c": 10.0}]
    for _ in range(30 if hidden else 5):
        # keep a, b, 1 and a + b + 1 apart so that a mistake can be told from the answer
        a = random_point(rng, -5, 5, away_from=(0.0, 1.0, -1.0), gap=0.3)
        b = random_point(rng, -5, 5, away_from=(0.0, 1.0, -1.0, a, -a, -a - 1, 1 - a), gap=0.3)
        cases.append({"a": a, "b": b, "c": random_point(rng, -10, 10)})
    return cases


def several(rng, n) -> dict:
    """A smooth function of n inputs, a sum of random terms [kind, coef, i, j]."""
    terms = []
    for _ in range(rng.randint(n, n + 2)):
        kind = rng.choice(["product", "sin", "exp", "cube"] if n > 1 else ["sin", "exp", "cube"])
        coef = round(rng.uniform(0.5, 3.0), 2) * rng.choice([-1, 1])
        i = rng.randrange(n)
        j = rng.choice([k for k in range(n) if k != i]) if kind == "product" else i
        terms.append([kind, coef, i, j])
    return {"n": n, "terms": terms}


def gradient_cases(rng, hidden):
    cases = [{"f": {"n": 3, "d": True}, "xs": [2.0, -3.0, 10.0], "h": 1e-2}]
    for _ in range(25 if hidden else 5):
        n = rng.randint(1, 5)
        xs = [random_point(rng, -2, 2) for _ in range(n)]
        cases.append({"f": several(rng, n), "xs": xs, "h": rng.choice((1e-1, 1e-2))})
    # two equal inputs with different partials: an input found by its value (xs.index) shows here
    twins = {"n": 3, "terms": [["product", 2.0, 0, 2], ["cube", 2.5, 1, 1], ["sin", 1.5, 2, 2]]}
    return [*cases, {"f": twins, "xs": [1.5, 1.5, -0.5], "h": 1e-2}]


declare("01.forward", difference_cases((1e-1, 1e-2, 1e-3, 1e-4)), probe.forward, verdict.forward_difference)
declare("01.central", difference_cases((1e-1, 1e-2, 1e-3)), probe.central, verdict.central_difference)
declare("01.partials", partials_cases, probe.partials, verdict.partials)
declare("01.gradient", gradient_cases, probe.gradient, verdict.gradient)

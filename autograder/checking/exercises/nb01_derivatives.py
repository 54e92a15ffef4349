"""Notebook 01: derivatives as slopes, found by finite differences."""

from __future__ import annotations

from ..exercise import declare
from ..kit.cases import random_point
from ..probes import nb01_derivatives as probe
from ..verdicts import nb01_derivatives as verdict

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
        worked = [{"f": PARABOLA, "x": 3.0, "h": 1e-3}, {"f": PARABOLA, "x": 3.0, "h": 1e-4}]
        drawn = [
            {"f": random_function(rng), "x": random_point(rng, -2.0, 2.0), "h": rng.choice(hs)}
            for _ in range(30 if hidden else 6)
        ]
        return worked + drawn

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
    return cases


declare(
    "01.forward",
    title="numerical_derivative(f, x, h), the forward difference",
    points=2,
    hints=[
        "A slope is rise over run: how much f changes when x moves a little, divided by how far x moved.",
        "Move x forward by h. The rise is f(x + h) - f(x); the run is h.",
        "return (f(x + h) - f(x)) / h",
    ],
    objects=["numerical_derivative"],
    cases=difference_cases((1e-1, 1e-2, 1e-3, 1e-4)),
    probe=probe.forward,
    verdict=verdict.forward_difference,
    mistakes=verdict.MISTAKES,
)

declare(
    "01.central",
    title="central_difference(f, x, h), the symmetric difference",
    points=2,
    hints=[
        "Look on both sides of x: one point a step h to the right, one a step h to the left.",
        "The rise is f(x + h) - f(x - h). How far apart are x - h and x + h?",
        "return (f(x + h) - f(x - h)) / (2 * h)   (the brackets around 2 * h matter)",
    ],
    objects=["central_difference"],
    # h up to 0.1: there the forward and central errors differ by orders of magnitude
    cases=difference_cases((1e-1, 1e-2, 1e-3)),
    probe=probe.central,
    verdict=verdict.central_difference,
    mistakes=verdict.MISTAKES,
)

declare(
    "01.partials",
    title="partials_of_d(a, b, c): the partial derivatives of d = a*b + c, numerically",
    points=2,
    hints=[
        "A partial derivative asks: if only this one input moves a little, how fast does d move?",
        "For dd/da: compute d_of(a + h, b, c) and d_of(a, b, c); their difference divided by h is the "
        "slope. Do the same for b and for c, each time nudging only that one.",
        "dd_da = (d_of(a + h, b, c) - d_of(a, b, c)) / h, and similarly for b and c; "
        "return dd_da, dd_db, dd_dc",
    ],
    objects=["partials_of_d"],
    cases=partials_cases,
    probe=probe.partials,
    verdict=verdict.partials,
    mistakes=verdict.MISTAKES,
)

declare(
    "01.gradient",
    title="numerical_gradient(f, xs, h): every partial derivative, by central differences",
    points=3,
    hints=[
        "Handle one input at a time: for input i, make a copy of xs with only entry i moved up by h, and "
        "another copy with entry i moved down by h.",
        "For each i: up = list(xs); up[i] = xs[i] + h; down = list(xs); down[i] = xs[i] - h. Then "
        "f(*up) and f(*down) give the rise; the run is 2h.",
        "grads.append((f(*up) - f(*down)) / (2 * h)) inside the loop over i, and return grads at the end",
    ],
    objects=["numerical_gradient"],
    cases=gradient_cases,
    probe=probe.gradient,
    verdict=verdict.gradient,
    mistakes=verdict.MISTAKES,
)

"""Probes for notebook 01: call the student's difference formulas on test functions."""

from __future__ import annotations

import math

from ..kit.observe import plain, returned


def function(spec):
    """The test function a case describes: {"poly": coeffs}, {"sin": [a, b]} or {"exp": a}."""
    if "poly" in spec:
        return lambda x: sum(c * x**k for k, c in enumerate(spec["poly"]))
    if "sin" in spec:
        return lambda x: math.sin(spec["sin"][0] * x + spec["sin"][1])
    return lambda x: math.exp(spec["exp"] * x)


def several(spec):
    """A function of n inputs: d(a, b, c) = a*b + c, or a sum of terms [kind, coef, i, j]."""
    n = spec["n"]
    term = {
        "product": lambda c, x, y: c * x * y,
        "sin": lambda c, x, y: c * math.sin(x),
        "exp": lambda c, x, y: c * math.exp(0.5 * x),
        "cube": lambda c, x, y: c * x**3,
    }

    def f(*xs):
        if len(xs) != n:
            raise WrongArity(len(xs), n)
        if spec.get("d"):
            return xs[0] * xs[1] + xs[2]
        return sum(term[k](c, xs[i], xs[j]) for k, c, i, j in spec["terms"])

    return f


class WrongArity(TypeError):
    def __init__(self, given, takes):
        self.given, self.takes = given, takes
        super().__init__(f"f takes {takes} argument(s), one per input, but was called with {given}")


def forward(student, case):
    return returned(student.numerical_derivative(function(case["f"]), case["x"], case["h"]))


def central(student, case):
    return returned(student.central_difference(function(case["f"]), case["x"], case["h"]))


def partials(student, case):
    return returned(student.partials_of_d(case["a"], case["b"], case["c"]))


def gradient(student, case):
    xs = list(case["xs"])
    try:
        got = student.numerical_gradient(several(case["f"]), xs, case["h"])
    except WrongArity as error:
        return {"arity": [error.given, error.takes]}
    return {"returned": returned(got), "xs_after": plain(xs)}

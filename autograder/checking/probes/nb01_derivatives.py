"""Probes for notebook 01: call the student's difference formulas on test functions."""

import inspect
import math

from ..kit.observe import plain, raised, returned


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
    return _called(student.numerical_derivative, function(case["f"]), case["x"], case["h"])


def central(student, case):
    return _called(student.central_difference, function(case["f"]), case["x"], case["h"])


def _called(fn, *args):
    """What fn returned, or the error it raised ({"crash": record}) for the verdict to explain."""
    try:
        return returned(fn(*args))
    except NotImplementedError:
        raise
    except Exception as error:
        return {"crash": raised(error)}


class Step(float):
    """The step h handed to partials_of_d: a float that notes when arithmetic uses it."""

    used = False


def _noting(name):
    def op(self, *other):
        self.used = True
        return getattr(float, name)(self, *other)

    return op


for _name in ("add", "sub", "mul", "truediv", "pow", "radd", "rsub", "rmul", "rtruediv", "rpow", "neg"):
    setattr(Step, f"__{_name}__", _noting(f"__{_name}__"))


def partials(student, case):
    """What partials_of_d returned, and whether it nudged: did arithmetic use the h it was
    given, and at which points (other than a, b, c themselves) did it call the notebook's d_of?"""
    fn, a, b, c = student.partials_of_d, case["a"], case["b"], case["c"]
    names = getattr(fn, "__globals__", {})
    d_of, moved = names.get("d_of"), []

    def recorded(*args, **kwargs):
        if list(args) != [a, b, c]:
            moved.append(plain(list(args)))
        return d_of(*args, **kwargs)

    h, takes_h = Step(case.get("h", 1e-6)), "h" in _parameters(fn)
    if callable(d_of):
        names["d_of"] = recorded
    try:
        got = fn(a, b, c, h=h) if takes_h else fn(a, b, c)
    finally:
        if callable(d_of):
            names["d_of"] = d_of
    return {**returned(got), "h_used": h.used, "moved": moved[:6]}


def _parameters(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


def gradient(student, case):
    """What numerical_gradient returned, the list xs after the call, and how many times f was
    called at exactly the point of the call before (two names for one list do that)."""
    xs, f, points = list(case["xs"]), several(case["f"]), []

    def recorded(*args):
        points.append(list(args))
        return f(*args)

    try:
        got = student.numerical_gradient(recorded, xs, case["h"])
    except WrongArity as error:
        return {"arity": [error.given, error.takes]}
    repeats = sum(a == b for a, b in zip(points, points[1:]))
    return {"returned": returned(got), "xs_after": plain(xs), "repeats": repeats}

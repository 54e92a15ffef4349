"""Verdicts for notebook 01: derivatives as slopes, found by finite differences.

Each verdict evaluates the asked-for formula here (the same float operations as
a right answer, so agreement is to the last digits) and shows the true
derivative beside it. A wrong number is explained by evaluating each typical
mistake (forward for central, `/ 2 * h`, a fixed h, a list aliased instead of
copied, ...) and naming the one it matches.
"""

from __future__ import annotations

import math

from ..kit.compare import agree, close, first_matching
from ..kit.failure import Failure, Mistakes
from ..kit.fmt import num
from ..probes.nb01_derivatives import function, several

MISTAKES = Mistakes.beside(__file__)
FIXED_HS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10)


def forward(f, x, h):
    return (f(x + h) - f(x)) / h


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


# ---- the test functions, named, with their exact derivatives ---------------------------


def name_of(spec) -> str:
    if "sin" in spec:
        a, b = spec["sin"]
        return f"f(x) = sin({a:g}x + {b:g})"
    if "exp" in spec:
        return f"f(x) = exp({spec['exp']:g}x)"
    terms = []
    for power in range(len(spec["poly"]) - 1, -1, -1):
        c = spec["poly"][power]
        if c != 0:
            size = "" if abs(c) == 1 and power else f"{abs(c):g}"
            body = size + {0: "", 1: "x"}.get(power, f"x^{power}")
            terms.append(("-" if c < 0 else "+", body))
    text = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    return "f(x) = " + text + "".join(f" {sign} {body}" for sign, body in terms[1:])


def slope(spec, x) -> float:
    if "sin" in spec:
        a, b = spec["sin"]
        return a * math.cos(a * x + b)
    if "exp" in spec:
        return spec["exp"] * math.exp(spec["exp"] * x)
    return sum(k * c * x ** (k - 1) for k, c in enumerate(spec["poly"]) if k > 0)


# ---- 01.forward and 01.central -----------------------------------------------------------


def _fixed_h(formula, f, x, h, what="value"):
    return [
        (MISTAKES("fixed-h", what=what, h=h0), lambda h0=h0: formula(f, x, h0)) for h0 in FIXED_HS if h0 != h
    ]


def _forward_mistakes(f, x, h):
    return [
        (MISTAKES("central-for-forward"), central(f, x, h)),
        (MISTAKES("backward-difference", instead="step forward, to x + h"), (f(x) - f(x - h)) / h),
        (MISTAKES("rise-not-divided", rise="f(x + h) - f(x)", run="h to get a slope"), f(x + h) - f(x)),
        (MISTAKES("divided-by-2h"), (f(x + h) - f(x)) / (2 * h)),
        (MISTAKES("sign-reversed", order="f(x + h) - f(x)"), (f(x) - f(x + h)) / h),
        *_fixed_h(forward, f, x, h),
    ]


def _central_mistakes(f, x, h, exact):
    errors = {"forward_error": abs(forward(f, x, h) - exact), "central_error": abs(central(f, x, h) - exact)}
    return [
        (MISTAKES("forward-for-central", **errors), forward(f, x, h)),
        (
            MISTAKES("backward-difference", instead="step both ways, to x + h and x - h"),
            (f(x) - f(x - h)) / h,
        ),
        (MISTAKES("precedence-2h"), (f(x + h) - f(x - h)) / 2 * h),
        (MISTAKES("divided-by-h", points="x - h and x + h"), (f(x + h) - f(x - h)) / h),
        (MISTAKES("half-steps"), (f(x + h / 2) - f(x - h / 2)) / h),
        (MISTAKES("sign-reversed", order="f(x + h) - f(x - h)"), (f(x - h) - f(x + h)) / (2 * h)),
        (MISTAKES("rise-not-divided", rise="f(x + h) - f(x - h)", run="2h"), f(x + h) - f(x - h)),
        *_fixed_h(central, f, x, h),
    ]


def _not_a_number(observation, call):
    if observation["value"] is None or isinstance(observation["value"], list):
        return Failure(
            f"{call} should return a number, got {observation['type']} {observation['repr']}",
            mistakes=MISTAKES("not-a-number"),
        )
    return None


def _difference(case, observation, formula, mistakes, call):
    if failure := _not_a_number(observation, call):
        return failure
    f, x, h = function(case["f"]), case["x"], case["h"]
    got, expected, exact = observation["value"], formula(f, x, h), slope(case["f"], x)
    if close(got, expected, rel=1e-9, abs_=1e-12):
        return None
    return Failure(
        f"{call} is wrong for {name_of(case['f'])}",
        input=f"x = {num(x)}, h = {h:g}",
        expected=f"{num(expected)}   (the exact slope f'(x) is {num(exact)})",
        got=num(got),
        mistakes=first_matching(got, mistakes(f, x, h, exact), rel=1e-9),
    )


def forward_difference(case, observation):
    mistakes = lambda f, x, h, exact: _forward_mistakes(f, x, h)  # noqa: E731
    return _difference(case, observation, forward, mistakes, "numerical_derivative(f, x, h)")


def central_difference(case, observation):
    return _difference(case, observation, central, _central_mistakes, "central_difference(f, x, h)")


# ---- 01.partials -------------------------------------------------------------------------

PARTIALS = ("dd/da", "dd/db", "dd/dc")


def _partial_mistakes(a, b, c, got, expected, which):
    others = [
        MISTAKES("wrong-input-nudged", name=PARTIALS[which], other=o)
        for o in ("dd/da = b", "dd/db = a", "dd/dc = 1")
    ]
    candidates = [
        *zip(others, (b, a, 1.0)),
        (
            MISTAKES("all-at-once", which="three", instead="nudge one input, keep the other two as they are"),
            a + b + 1,
        ),
        (MISTAKES("sign-reversed", order="(d(nudged) - d(original)) / h"), -expected),
        (MISTAKES("partial-is-d"), a * b + c),
    ]
    found = first_matching(got, candidates, expected=expected, rel=1e-6)
    if found is None and expected != 0 and 0 < got / expected < 1e-2:
        return MISTAKES("partial-not-divided")
    if found is None and close(got, expected, rel=1e-2, abs_=1e-2):
        return MISTAKES("h-too-small")
    return found


def partials(case, observation):
    a, b, c = case["a"], case["b"], case["c"]
    given = f"a = {num(a)}, b = {num(b)}, c = {num(c)}"
    got = observation["value"]
    if not isinstance(got, list) or len(got) != 3:
        return Failure(
            "partials_of_d(a, b, c) should return three numbers: dd_da, dd_db, dd_dc",
            input=given,
            got=observation["repr"],
            mistakes=MISTAKES("not-three-numbers"),
        )
    expected = (b, a, 1.0)
    for which, (g, e) in enumerate(zip(got, expected)):
        if not close(g, e, rel=1e-5, abs_=1e-5):
            return Failure(
                f"{PARTIALS[which]} is wrong (d = a*b + c = {num(a * b + c)})",
                input=given,
                expected=f"about {num(e)}   (all three: {', '.join(num(v) for v in expected)})",
                got=f"{num(g)}   (all three: {', '.join(num(v) for v in got)})",
                mistakes=_partial_mistakes(a, b, c, g, e, which),
            )
    return None


# ---- 01.gradient -------------------------------------------------------------------------


def gradient_name(spec) -> str:
    if spec.get("d"):
        return "d(a, b, c) = a*b + c"
    names = {
        "product": "{c:g}*x{i}*x{j}",
        "sin": "{c:g}*sin(x{i})",
        "exp": "{c:g}*exp(0.5*x{i})",
        "cube": "{c:g}*x{i}^3",
    }
    body = " + ".join(names[k].format(c=c, i=i, j=j) for k, c, i, j in spec["terms"]).replace("+ -", "- ")
    return f"f({', '.join(f'x{i}' for i in range(spec['n']))}) = {body}"


def exact_gradient(spec, xs) -> list[float]:
    if spec.get("d"):
        return [xs[1], xs[0], 1.0]
    g = [0.0] * spec["n"]
    local = {
        "product": lambda c, x, y: ((c * y, c * x)),
        "sin": lambda c, x, y: (c * math.cos(x), 0.0),
        "exp": lambda c, x, y: (0.5 * c * math.exp(0.5 * x), 0.0),
        "cube": lambda c, x, y: (3 * c * x * x, 0.0),
    }
    for kind, c, i, j in spec["terms"]:
        di, dj = local[kind](c, xs[i], xs[j])
        g[i] += di
        if kind == "product":
            g[j] += dj
    return g


def _by(step, f, xs, h):
    """Partials of f at xs, each by `step(f_i, x_i, h)` with f_i varying input i only."""
    return [step(lambda t, i=i: f(*xs[:i], t, *xs[i + 1 :]), xs[i], h) for i in range(len(xs))]


def _not_restored(f, xs, h):
    xs, out = list(xs), []
    for i in range(len(xs)):
        x = xs[i]
        xs[i] = x + h
        up = f(*xs)
        xs[i] = x - h
        out.append((up - f(*xs)) / (2 * h))
    return out


def _aliased(f, xs, h):
    """`up = xs` (no copy), then `up[i] = xs[i] + h; down = list(xs); down[i] = xs[i] - h`."""
    xs, out = list(xs), []
    for i in range(len(xs)):
        xs[i] = xs[i] + h
        down = list(xs)
        down[i] = xs[i] - h
        out.append((f(*xs) - f(*down)) / (2 * h))
    return out


def _gradient_mistakes(f, xs, h):
    right = _by(central, f, xs, h)
    every = (f(*[x + h for x in xs]) - f(*[x - h for x in xs])) / (2 * h)
    return [
        (MISTAKES("forward-gradient"), _by(forward, f, xs, h)),
        (MISTAKES("not-restored"), _not_restored(f, xs, h)),
        (MISTAKES("aliased-list"), _aliased(f, xs, h)),
        (
            MISTAKES("all-at-once", which="the", instead="for the partial in x_i, move x_i only"),
            [every] * len(xs),
        ),
        (MISTAKES("divided-by-h", points="x_i - h and x_i + h"), [2 * g for g in right]),
        (MISTAKES("precedence-2h"), [g * h * h for g in right]),
        (MISTAKES("sign-reversed", order="f(x_i + h) - f(x_i - h)"), [-g for g in right]),
        *_fixed_h(lambda f, xs, h0: _by(central, f, xs, h0), f, xs, h, what="values"),
    ]


def _vector(values):
    return "[" + ", ".join(num(float(v)) for v in values) + "]"


def gradient(case, observation):
    spec, xs, h = case["f"], case["xs"], case["h"]
    f, name = several(spec), gradient_name(spec)
    if "arity" in observation:
        given, takes = observation["arity"]
        return Failure(
            f"numerical_gradient called f with {given} argument(s), but f takes {takes}",
            mistakes=MISTAKES("call-f-unpacked"),
        )
    got, after = observation["returned"]["value"], observation["xs_after"]
    if not agree(after, xs, rel=1e-12):
        aliased = isinstance(got, list) and agree(got, _aliased(f, xs, h), rel=1e-7, abs_=1e-12)
        return Failure(
            f"numerical_gradient changed the list xs it was given, for {name}",
            input=f"xs = {_vector(xs)}, h = {h:g}",
            expected=f"xs still {_vector(xs)} afterwards",
            got=f"xs = {_vector(after)}",
            mistakes=MISTAKES("aliased-list" if aliased else "xs-changed"),
        )
    if not isinstance(got, list) or len(got) != len(xs):
        return Failure(
            f"numerical_gradient(f, xs, h) should return a list of {len(xs)} numbers, one per input",
            input=f"{name}, xs = {_vector(xs)}",
            got=observation["returned"]["repr"],
            mistakes=MISTAKES("not-a-list"),
        )
    expected = _by(central, f, xs, h)
    wrong = [i for i, (g, e) in enumerate(zip(got, expected)) if not close(g, e, 1e-7, 1e-10)]
    if not wrong:
        return None
    return Failure(
        f"numerical_gradient(f, xs, h) is wrong for {name}; the first wrong partial is number {wrong[0]} "
        "(counting from 0)",
        input=f"xs = {_vector(xs)}, h = {h:g}",
        expected=f"{_vector(expected)}   (the exact gradient is {_vector(exact_gradient(spec, xs))})",
        got=_vector(got),
        mistakes=first_matching(got, _gradient_mistakes(f, xs, h), rel=1e-7, abs_=1e-12),
    )

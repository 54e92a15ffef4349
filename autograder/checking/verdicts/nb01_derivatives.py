"""Verdicts for notebook 01. Each evaluates the asked-for formula here (the same float operations as a
right answer, so agreement is to the last digits), beside the true derivative; a wrong number is named
by evaluating each typical mistake (`/ 2 * h`, a fixed h, a list aliased instead of copied, ...)."""

import math

from ..exercise import get_exercise
from ..kit.compare import agree, close, first_difference, first_matching
from ..kit.failure import Failure
from ..kit.fmt import num
from ..kit.says import Says
from ..probes.nb01_derivatives import function, several
from ..runner import crashed

SAY = Says.beside(__file__)
MISTAKES = SAY.mistakes
FIXED_HS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10)
PARTIALS = ("dd/da", "dd/db", "dd/dc")
GRADIENT_PRECEDENCE = ("f(*up) - f(*down) / (2 * h)", "f(*down)", "(f(*up) - f(*down)) / (2 * h)")
TERMS = {  # a term of a function of several inputs: its name, and its partials in x_i and x_j
    "product": ("{c:g}*x{i}*x{j}", lambda c, x, y: (c * y, c * x)),
    "sin": ("{c:g}*sin(x{i})", lambda c, x, y: (c * math.cos(x), 0.0)),
    "exp": ("{c:g}*exp(0.5*x{i})", lambda c, x, y: (0.5 * c * math.exp(0.5 * x), 0.0)),
    "cube": ("{c:g}*x{i}^3", lambda c, x, y: (3 * c * x * x, 0.0)),
}


def forward(f, x, h):
    return (f(x + h) - f(x)) / h


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


# ---- 01.forward and 01.central -----------------------------------------------------------


def name_of(spec) -> str:
    """'f(x) = 3x^2 - 4x + 5', 'f(x) = sin(2x + 0.5)' or 'f(x) = exp(1.5x)'."""
    if "sin" in spec:
        return "f(x) = sin({:g}x + {:g})".format(*spec["sin"])
    if "exp" in spec:
        return f"f(x) = exp({spec['exp']:g}x)"
    terms = []
    for power, c in reversed(list(enumerate(spec["poly"]))):
        x = {0: "", 1: "x"}.get(power, f"x^{power}")
        if c != 0:
            terms.append((f"{c:g}".rstrip("1") if abs(c) == 1 and x else f"{c:g}") + x)  # x, not 1x
    return "f(x) = " + " + ".join(terms).replace("+ -", "- ")


def slope(spec, x) -> float:
    if "sin" in spec:
        a, b = spec["sin"]
        return a * math.cos(a * x + b)
    if "exp" in spec:
        return spec["exp"] * math.exp(spec["exp"] * x)
    return sum(k * c * x ** (k - 1) for k, c in enumerate(spec["poly"]) if k > 0)


def _fixed_h(formula, f, x, h, what="value"):
    """What `formula` gives with each usual h but this one: the answer of code that ignores its h."""
    return [
        (MISTAKES("fixed-h", what=what, h=h0), lambda h0=h0: formula(f, x, h0)) for h0 in FIXED_HS if h0 != h
    ]


def _precedence(written, part, fixed):
    return MISTAKES("precedence-rise", written=written, part=part, fixed=fixed)


def _forward_mistakes(f, x, h, exact):
    return [
        (MISTAKES("central-for-forward"), central(f, x, h)),
        (MISTAKES("backward-difference", instead="step forward, to x + h"), (f(x) - f(x - h)) / h),
        (MISTAKES("rise-not-divided", rise="f(x + h) - f(x)", run="h to get a slope"), f(x + h) - f(x)),
        (MISTAKES("divided-by-2h"), (f(x + h) - f(x)) / (2 * h)),
        (MISTAKES("sum-not-difference", rise="f(x + h) - f(x)"), (f(x + h) + f(x)) / h),
        (MISTAKES("both-sides-over-h"), (f(x + h) - f(x - h)) / h),
        (_precedence("f(x + h) - f(x) / h", "f(x)", "(f(x + h) - f(x)) / h"), f(x + h) - f(x) / h),
        (MISTAKES("nudged-output", wrote="(f(x) + h - f(x)) / h"), (f(x) + h - f(x)) / h),
        (MISTAKES("sign-reversed", order="f(x + h) - f(x)"), (f(x) - f(x + h)) / h),
        (MISTAKES("f-at-h"), (f(h) - f(x)) / h),
        *_fixed_h(forward, f, x, h),
    ]


def _central_mistakes(f, x, h, exact):
    errors = {"forward_error": abs(forward(f, x, h) - exact), "central_error": abs(central(f, x, h) - exact)}
    backward = MISTAKES("backward-difference", instead="step both ways, to x + h and x - h")
    run, minus_one = "(2 * h)", f(x + h) - f(x - h) / (2 * h)
    return [
        (MISTAKES("forward-for-central", **errors), forward(f, x, h)),
        (backward, (f(x) - f(x - h)) / h),
        (MISTAKES("precedence-2h"), (f(x + h) - f(x - h)) / 2 * h),
        (
            _precedence(f"f(x + h) - f(x - h) / {run}", "f(x - h)", f"(f(x + h) - f(x - h)) / {run}"),
            minus_one,
        ),
        (
            MISTAKES("nudged-output", wrote="(f(x) + h - (f(x) - h)) / (2 * h)"),
            (f(x) + h - (f(x) - h)) / (2 * h),
        ),
        *_doubled(f, x, h),
        (MISTAKES("half-steps"), (f(x + h / 2) - f(x - h / 2)) / h),
        (MISTAKES("sum-not-difference", rise="f(x + h) - f(x - h)"), (f(x + h) + f(x - h)) / (2 * h)),
        (MISTAKES("sign-reversed", order="f(x + h) - f(x - h)"), (f(x - h) - f(x + h)) / (2 * h)),
        (MISTAKES("rise-not-divided", rise="f(x + h) - f(x - h)", run="2h"), f(x + h) - f(x - h)),
        (MISTAKES("one-side-over-2h"), (f(x + h) - f(x)) / (2 * h)),
        (MISTAKES("f-at-h"), (f(h) - f(-h)) / (2 * h)),
        *_fixed_h(central, f, x, h),
    ]


def _doubled(f, x, h):
    """Twice the slope: over h instead of 2h, or steps of 2h over 2h (on a parabola the same number)."""
    over_h, wide = (f(x + h) - f(x - h)) / h, (f(x + 2 * h) - f(x - 2 * h)) / (2 * h)
    if close(over_h, wide, rel=1e-9):
        return [(MISTAKES("twice-the-slope"), over_h)]
    return [(MISTAKES("divided-by-h", points="x - h and x + h"), over_h), (MISTAKES("double-steps"), wide)]


def _whole_or_rounded(got, expected):
    """`//` for `/` (a whole number, rounded down) or round(..., k): equal to the last digit, so that
    no nearby formula (a central difference is 14.0000000000004 where the forward one is 14.003)
    is named instead."""
    if got in (math.floor(expected), math.trunc(expected)):
        return MISTAKES("floor-division")
    digits = next((k for k in range(7) if got == round(expected, k)), None)
    return None if digits is None else MISTAKES("rounded", digits=digits)


def _difference(case, observation, formula, mistakes, call):
    if error := observation.get("crash"):
        if error["type"] == "TypeError" and "'function'" in error["message"]:  # f - 1.0, f * 2, ...
            what, called = f"{call} raised TypeError: {error['message']}", MISTAKES("f-not-called")
            return Failure(what, error["where"], mistakes=called)  # where: None if no line is the student's
        exercise = "01.forward" if formula is forward else "01.central"
        return crashed(get_exercise(exercise), error)
    if (got := observation["value"]) is None or isinstance(got, list):
        return SAY("not-a-number", MISTAKES("not-a-number"), call=call, **observation)
    f, x, h = function(case["f"]), case["x"], case["h"]
    expected, exact = formula(f, x, h), slope(case["f"], x)
    if close(got, expected, rel=1e-9, abs_=1e-12):
        return None
    found = _whole_or_rounded(got, expected) or first_matching(got, mistakes(f, x, h, exact), rel=1e-9)
    fields = {"want": num(expected), "exact": num(exact), "got": num(got)}
    return SAY("difference", found, call=call, name=name_of(case["f"]), x=num(x), h=h, **fields)


def forward_difference(case, observation):
    return _difference(case, observation, forward, _forward_mistakes, "numerical_derivative(f, x, h)")


def central_difference(case, observation):
    return _difference(case, observation, central, _central_mistakes, "central_difference(f, x, h)")


# ---- 01.partials -------------------------------------------------------------------------


def _partial_mistakes(a, b, c, got, expected, which, h=1e-6):
    others = zip(("dd/da = b", "dd/db = a", "dd/dc = 1"), (b, a, 1.0))
    at_once = MISTAKES(
        "all-at-once", which="three", instead="nudge one input, keep the other two as they are"
    )
    candidates = [
        *((MISTAKES("wrong-input-nudged", name=PARTIALS[which], other=o), value) for o, value in others),
        (at_once, a + b + 1),
        (MISTAKES("sign-reversed", order="(d(nudged) - d(original)) / h"), -expected),
        (MISTAKES("partial-is-d"), a * b + c),
        (_precedence(*_partial_precedence(which)), _moved_d(a, b, c, which, h) - (a * b + c) / h),
    ]
    if found := first_matching(got, candidates, expected=expected, rel=1e-6):
        return found
    if expected != 0 and 0 < got / expected < 1e-2:
        return MISTAKES("partial-not-divided")
    return MISTAKES("h-too-small") if close(got, expected, rel=1e-2, abs_=1e-2) else None


def _moved_d(a, b, c, which, h):
    inputs = [a, b, c]
    inputs[which] += h
    return inputs[0] * inputs[1] + inputs[2]


def _partial_precedence(which):
    call = "d_of({}, {}, {})".format(*(f"{n} + h" if k == which else n for k, n in enumerate("abc")))
    return f"{call} - d / h", "d", f"({call} - d) / h"


def partials(case, observation):
    a, b, c = case["a"], case["b"], case["c"]
    given, got, expected = f"a = {num(a)}, b = {num(b)}, c = {num(c)}", observation["value"], (b, a, 1.0)
    if not isinstance(got, list) or len(got) != 3:
        return SAY("not-three-numbers", MISTAKES("not-three-numbers"), given=given, repr=observation["repr"])
    # nudged: arithmetic used the h it was given, or d_of was called at a moved point
    nudged = observation.get("h_used", True) or observation.get("moved", True)
    unmoved = MISTAKES("not-nudged", which="the right" if got == list(expected) else "these")
    if (which := first_difference(got, expected, rel=1e-5, abs_=1e-5)) is None:
        if nudged:
            return None
        return SAY("partials-not-nudged", unmoved, given=given, got=", ".join(map(num, got)))
    mistake = _partial_mistakes(a, b, c, got[which], expected[which], which) if nudged else unmoved
    fields = {"want": num(expected[which]), "wants": ", ".join(map(num, expected)), "got": num(got[which])}
    partial, d = PARTIALS[which], num(a * b + c)
    return SAY("partial", mistake, partial=partial, d=d, given=given, gots=", ".join(map(num, got)), **fields)


# ---- 01.gradient -------------------------------------------------------------------------


def gradient_name(spec) -> str:
    if spec.get("d"):
        return "d(a, b, c) = a*b + c"
    body = " + ".join(TERMS[k][0].format(c=c, i=i, j=j) for k, c, i, j in spec["terms"]).replace("+ -", "- ")
    return f"f({', '.join(f'x{i}' for i in range(spec['n']))}) = {body}"


def exact_gradient(spec, xs) -> list[float]:
    if spec.get("d"):
        return [xs[1], xs[0], 1.0]
    g = [0.0] * spec["n"]
    for kind, c, i, j in spec["terms"]:
        di, dj = TERMS[kind][1](c, xs[i], xs[j])
        g[i] += di
        g[j] += dj  # 0.0 but for a product, whose j is another input
    return g


def _by(step, f, xs, h):
    """Partials of f at xs, each by `step(f_i, x_i, h)` with f_i varying input i only."""
    return [step(lambda t, i=i: f(*xs[:i], t, *xs[i + 1 :]), xs[i], h) for i in range(len(xs))]


def _not_restored(f, xs, h):
    """`xs[i] = x + h; up = f(*xs); xs[i] = x - h`, never put back: the inputs before i stay at x - h."""
    down = [x - h for x in xs]
    return [central(lambda t, i=i: f(*down[:i], t, *xs[i + 1 :]), xs[i], h) for i in range(len(xs))]


def _aliased(f, xs, h):
    """`up = xs` (no copy), then `up[i] = xs[i] + h; down = list(xs); down[i] = xs[i] - h`."""
    xs, out = list(xs), []
    for i in range(len(xs)):
        xs[i] = xs[i] + h
        down = list(xs)
        down[i] = xs[i] - h
        out.append((f(*xs) - f(*down)) / (2 * h))
    return out


def _one_list_between(f, xs, h):
    """`up = xs; up[i] += h; f(*up); down = xs; down[i] -= h; f(*down)`: down is back at the start."""
    return [(f(*xs[:i], x + h, *xs[i + 1 :]) - f(*xs)) / (2 * h) for i, x in enumerate(xs)]


def _copied_once(f, xs, h):
    """`up, down = list(xs), list(xs)` before the loop: the earlier inputs' nudges stay in them."""
    up, down, out = list(xs), list(xs), []
    for i in range(len(xs)):
        up[i], down[i] = xs[i] + h, xs[i] - h
        out.append((f(*up) - f(*down)) / (2 * h))
    return out


def _index_of_value(f, xs, h):
    """`for x in xs: i = xs.index(x)`: an input equal to an earlier one gets that one's partial."""
    right = _by(central, f, xs, h)
    return [right[xs.index(x)] for x in xs]


def _gradient_mistakes(f, xs, h):
    right = _by(central, f, xs, h)
    every = (f(*[x + h for x in xs]) - f(*[x - h for x in xs])) / (2 * h)
    at_once = MISTAKES("all-at-once", which="the", instead="for the partial in x_i, move x_i only")
    return [
        (MISTAKES("forward-gradient"), _by(forward, f, xs, h)),
        (MISTAKES("not-restored"), _not_restored(f, xs, h)),
        (MISTAKES("aliased-list"), _aliased(f, xs, h)),
        (MISTAKES("one-list-between"), _one_list_between(f, xs, h)),
        (MISTAKES("copied-once"), _copied_once(f, xs, h)),
        *([(MISTAKES("index-of-value"), _index_of_value(f, xs, h))] if len(set(xs)) < len(xs) else []),
        (at_once, [every] * len(xs)),
        (
            MISTAKES("set-to-h"),
            [central(lambda t, i=i: f(*xs[:i], t, *xs[i + 1 :]), 0.0, h) for i in range(len(xs))],
        ),
        (MISTAKES("divided-by-h", points="x_i - h and x_i + h"), [2 * g for g in right]),
        (MISTAKES("precedence-2h"), [g * h * h for g in right]),
        (_precedence(*GRADIENT_PRECEDENCE), _by(lambda f, x, h: f(x + h) - f(x - h) / (2 * h), f, xs, h)),
        (MISTAKES("sign-reversed", order="f(x_i + h) - f(x_i - h)"), [-g for g in right]),
        *_fixed_h(lambda f, xs, h0: _by(central, f, xs, h0), f, xs, h, what="values"),
    ]


def _vector(values):
    return "[" + ", ".join(num(float(v)) for v in values) + "]"


def gradient(case, observation):
    spec, xs, h = case["f"], case["xs"], case["h"]
    if "arity" in observation:
        given, takes = observation["arity"]
        return SAY("call-f-unpacked", MISTAKES("call-f-unpacked"), given=given, takes=takes)
    f, name, given = several(spec), gradient_name(spec), f"xs = {_vector(xs)}, h = {h:g}"
    got, after = observation["returned"]["value"], observation["xs_after"]
    if not agree(after, xs, rel=1e-12):
        aliased = isinstance(got, list) and agree(got, _aliased(f, xs, h), rel=1e-7, abs_=1e-12)
        mistake = MISTAKES("aliased-list" if aliased else "xs-changed")
        return SAY("xs-changed", mistake, name=name, given=given, xs=_vector(xs), after=_vector(after))
    if not isinstance(got, list) or len(got) != len(xs):
        first = central(lambda t: f(t, *xs[1:]), xs[0], h)
        # the first partial alone, as a list of one or a number: returned from inside the loop
        alone = got[0] if isinstance(got, list) and len(got) == 1 else got
        early = len(xs) > 1 and isinstance(alone, float) and close(alone, first, rel=1e-7, abs_=1e-12)
        if early:
            mistake = MISTAKES("return-in-loop")
        elif isinstance(got, list) and all(isinstance(g, float) for g in got):
            mistake = MISTAKES("wrong-length", got=len(got), inputs=len(xs))
        else:
            mistake = MISTAKES("not-a-list")
        return SAY(
            "not-a-list", mistake, n=len(xs), name=name, xs=_vector(xs), repr=observation["returned"]["repr"]
        )
    if (wrong := first_difference(got, expected := _by(central, f, xs, h), 1e-7, 1e-10)) is None:
        return None
    if observation.get("repeats") and all(g == 0 for g in got):  # f(*up) - f(*down) with up is down
        mistakes = MISTAKES("same-list")
    else:
        mistakes = first_matching(got, _gradient_mistakes(f, xs, h), rel=1e-7, abs_=1e-12)
    fields = {"want": _vector(expected), "exact": _vector(exact_gradient(spec, xs)), "got": _vector(got)}
    return SAY("gradient", mistakes, name=name, wrong=wrong, given=given, **fields)

"""Notebook 01 (derivatives): its checks, typical mistakes, and correct alternatives.

The unit tests call the checks directly with Python functions (no kernel). The
mutants rewrite one line of the solution notebook and run it in a real kernel:
exactly the graded cell of the broken exercise must fail, naming the mistake.
The alternatives are other correct answers: every graded cell must pass.
"""

import math

import pytest
from nbharness import Mutant, failure, mutant_tests

from autograder import NotAttempted, check

# ---- the checks, called directly ------------------------------------------------------


def forward(f, x, h):
    return (f(x + h) - f(x)) / h


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def d_of(a, b, c):
    return a * b + c


def partials(a, b, c, h=1e-6):
    d = d_of(a, b, c)
    return (d_of(a + h, b, c) - d) / h, (d_of(a, b + h, c) - d) / h, (d_of(a, b, c + h) - d) / h


def gradient(f, xs, h=1e-6):
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i], down[i] = xs[i] + h, xs[i] - h
        grads.append((f(*up) - f(*down)) / (2 * h))
    return grads


@pytest.mark.parametrize(
    "exercise, fn",
    [("01.forward", forward), ("01.central", central), ("01.partials", partials), ("01.gradient", gradient)],
)
def test_right_answers_pass_visible_and_hidden(exercise, fn):
    check(exercise, fn, quiet=True)
    for seed in range(3):
        check(exercise, fn, hidden=True, seed=seed, quiet=True)


def test_the_curriculum_numbers():
    parabola = lambda x: 3 * x**2 - 4 * x + 5  # noqa: E731
    assert parabola(3) == 20
    assert forward(parabola, 3.0, 1e-3) == pytest.approx(14.003, abs=1e-9)
    assert forward(parabola, 3.0, 1e-4) == pytest.approx(14.0003, abs=1e-9)
    assert partials(2.0, -3.0, 10.0) == pytest.approx((-3.0, 2.0, 1.0), abs=1e-6)


def test_stubs_are_not_attempted():
    def stub(*args):
        raise NotImplementedError()

    for exercise in ("01.forward", "01.central", "01.partials", "01.gradient"):
        with pytest.raises(NotAttempted):
            check(exercise, stub, quiet=True)


def test_forward_rejects_central_and_shows_both_numbers():
    failed = failure("01.forward", central, hidden=False)
    assert failed.key == "central-for-forward"
    assert "14.003" in str(failed)  # the expected forward value at x = 3, h = 1e-3


def test_central_rejects_forward_and_quantifies_the_errors():
    failed = failure("01.central", forward, hidden=False)
    assert failed.key == "forward-for-central" and "its error here is" in str(failed)


@pytest.mark.parametrize(
    "wrong, key",
    [
        (lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h, "precedence-2h"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / h, "divided-by-h"),
        (lambda f, x, h: (f(x + h / 2) - f(x - h / 2)) / h, "half-steps"),
        (lambda f, x, h: (f(x + 1e-6) - f(x - 1e-6)) / 2e-6, "fixed-h"),
    ],
)
def test_central_mistakes_are_named(wrong, key):
    assert failure("01.central", wrong, hidden=False).key == key


def test_central_accepts_equivalent_arithmetic():
    check("01.central", lambda f, x, h: 0.5 * (f(x + h) - f(x - h)) / h, hidden=True, quiet=True)
    check("01.central", lambda f, x, h: (f(x + h) - f(x - h)) / ((x + h) - (x - h)), hidden=True, quiet=True)


def test_a_hard_coded_answer_fails_the_hidden_partials():
    failed = failure("01.partials", lambda a, b, c, h=1e-6: (-3.0, 2.0, 1.0))
    assert "dd/da is wrong" in str(failed)


def test_partials_must_return_three_numbers():
    assert failure("01.partials", lambda a, b, c, h=1e-6: b).key == "not-three-numbers"


def test_gradient_must_not_change_xs_and_must_call_f_with_separate_arguments():
    def in_place_forgetting(f, xs, h=1e-6):
        out = []
        for i in range(len(xs)):
            x = xs[i]
            xs[i] = x + h
            up = f(*xs)
            xs[i] = x - h
            out.append((up - f(*xs)) / (2 * h))
        return out

    assert failure("01.gradient", in_place_forgetting).key == "xs-changed"
    unpacked = failure("01.gradient", lambda f, xs, h=1e-6: gradient(lambda *v: f(list(v)), xs, h))
    assert unpacked.key == "call-f-unpacked"


def test_gradient_names_all_at_once():
    def all_at_once(f, xs, h=1e-6):
        g = (f(*[x + h for x in xs]) - f(*[x - h for x in xs])) / (2 * h)
        return [g] * len(xs)

    assert failure("01.gradient", all_at_once).key == "all-at-once"


def test_gradient_with_exact_derivatives_of_sin_and_exp():
    # the truth of the check: central differences agree with calculus to ~1e-10
    g = gradient(lambda x, y: math.sin(x) * math.exp(y), [0.3, -0.7], 1e-5)
    assert g == pytest.approx([math.cos(0.3) * math.exp(-0.7), math.sin(0.3) * math.exp(-0.7)], rel=1e-8)


# ---- mutants: one typical mistake each, run in a real kernel -----------------------------

NB = "01_derivatives"
FORWARD = "return (f(x + h) - f(x)) / h"
CENTRAL = "return (f(x + h) - f(x - h)) / (2 * h)"
GRADIENT = "grads.append((f(*up) - f(*down)) / (2 * h))"

MUTANTS = [
    Mutant("forward is central", NB, "01.forward", FORWARD, CENTRAL, "central-for-forward"),
    Mutant("forward without /h", NB, "01.forward", FORWARD, "return f(x + h) - f(x)", "rise-not-divided"),
    Mutant(
        "forward with a fixed h",
        NB,
        "01.forward",
        FORWARD,
        "return (f(x + 1e-5) - f(x)) / 1e-5",
        "fixed-h",
    ),
    Mutant("central is forward", NB, "01.central", CENTRAL, FORWARD, "forward-for-central"),
    Mutant(
        "central / 2 * h",
        NB,
        "01.central",
        CENTRAL,
        "return (f(x + h) - f(x - h)) / 2 * h",
        "precedence-2h",
    ),
    Mutant(
        "central over h",
        NB,
        "01.central",
        CENTRAL,
        "return (f(x + h) - f(x - h)) / h",
        "divided-by-h",
    ),
    Mutant(
        "partials nudge b for dd/da",
        NB,
        "01.partials",
        "dd_da = (d_of(a + h, b, c) - d) / h",
        "dd_da = (d_of(a, b + h, c) - d) / h",
        "wrong-input-nudged",
    ),
    Mutant(
        "partials sign reversed",
        NB,
        "01.partials",
        "dd_db = (d_of(a, b + h, c) - d) / h",
        "dd_db = (d - d_of(a, b + h, c)) / h",
        "sign-reversed",
    ),
    Mutant(
        "partials not divided by h",
        NB,
        "01.partials",
        "dd_dc = (d_of(a, b, c + h) - d) / h",
        "dd_dc = d_of(a, b, c + h) - d",
        "partial-not-divided",
    ),
    Mutant(
        "gradient by forward differences",
        NB,
        "01.gradient",
        GRADIENT,
        "grads.append((f(*up) - f(*xs)) / h)",
        "forward-gradient",
    ),
    Mutant("gradient aliases xs", NB, "01.gradient", "up = list(xs)", "up = xs", "aliased-list"),
    Mutant(
        "gradient over h",
        NB,
        "01.gradient",
        GRADIENT,
        "grads.append((f(*up) - f(*down)) / h)",
        "divided-by-h",
    ),
]


# ---- correct alternatives: every graded cell must pass ------------------------------------

ALTERNATIVES = {
    "multiply by 1/h, halve first, central partials, in-place gradient": [
        (FORWARD, "return (f(x + h) - f(x)) * (1 / h)"),
        (CENTRAL, "return 0.5 * (f(x + h) - f(x - h)) / h"),
        ("dd_da = (d_of(a + h, b, c) - d) / h", "dd_da = (d_of(a + h, b, c) - d_of(a - h, b, c)) / (2 * h)"),
        (
            "        up = list(xs)\n        up[i] = xs[i] + h\n        down = list(xs)\n        down[i] = xs[i] - h\n"
            "        grads.append((f(*up) - f(*down)) / (2 * h))",
            "        old = xs[i]\n        xs[i] = old + h\n        above = f(*xs)\n        xs[i] = old - h\n"
            "        below = f(*xs)\n        xs[i] = old\n        grads.append((above - below) / (2 * h))",
        ),
    ],
    "distance between the points, gradient from central_difference": [
        (CENTRAL, "return (f(x + h) - f(x - h)) / ((x + h) - (x - h))"),
        (
            "    grads = []\n    for i in range(len(xs)):",
            "    def along(i):\n        return lambda t: f(*xs[:i], t, *xs[i + 1 :])\n\n"
            "    return [central_difference(along(i), xs[i], h) for i in range(len(xs))]\n"
            "    grads = []\n    for i in range(len(xs)):",
        ),
    ],
}


test_mutant_is_caught, test_correct_alternative_passes = mutant_tests(MUTANTS, ALTERNATIVES, NB)

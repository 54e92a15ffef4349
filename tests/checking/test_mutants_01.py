"""Notebook 01 (derivatives): its checks, typical mistakes, and correct alternatives.

The unit tests call the checks directly with Python functions (no kernel). The
mutants rewrite one line of the solution notebook and run it in a real kernel:
exactly the graded cell of the broken exercise must fail, naming the mistake.
The alternatives are other correct answers: every graded cell must pass.
"""

import math
import sys

import nbformat
import pytest
from nbharness import Mutant, failure, mutant_tests, solution_namespace, solution_path

from autograder import check

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
        (lambda f, x, h: (f(x + h) - f(x - h)) / h, "twice-the-slope"),  # on the parabola, = 2h steps
        (lambda f, x, h: (f(x + 2 * h) - f(x - 2 * h)) / (2 * h), "twice-the-slope"),
        (lambda f, x, h: (f(x + h / 2) - f(x - h / 2)) / h, "half-steps"),
        (lambda f, x, h: (f(x + 1e-6) - f(x - 1e-6)) / 2e-6, "fixed-h"),
    ],
)
def test_central_mistakes_are_named(wrong, key):
    assert failure("01.central", wrong, hidden=False).key == key


def test_twice_the_slope_is_told_apart_where_the_two_mistakes_differ():
    from autograder.checking.verdicts.nb01_derivatives import central_difference

    case = {"f": {"sin": [2.0, 0.5]}, "x": 0.3, "h": 0.1}
    f = lambda x: math.sin(2.0 * x + 0.5)  # noqa: E731
    over_h = central_difference(case, {"value": (f(0.4) - f(0.2)) / 0.1})
    wide = central_difference(case, {"value": (f(0.5) - f(0.1)) / 0.2})
    assert (over_h.keys, wide.keys) == (("divided-by-h",), ("double-steps",))


@pytest.mark.parametrize(
    "exercise, wrong, key",
    [
        ("01.forward", lambda f, x, h: (f(x + h) - f(x)) // h, "floor-division"),
        ("01.forward", lambda f, x, h: int((f(x + h) - f(x)) / h), "floor-division"),
        ("01.forward", lambda f, x, h: round((f(x + h) - f(x)) / h, 4), "rounded"),
        ("01.central", lambda f, x, h: round((f(x + h) - f(x - h)) / (2 * h), 3), "rounded"),
    ],
)
def test_a_whole_or_rounded_number_is_not_called_a_central_difference(exercise, wrong, key):
    # the parabola's central difference is its exact slope 14, so 14 from `//` looked like one
    failed = failure(exercise, wrong)
    assert failed.key == key and "central difference" not in str(failed)


def test_f_taken_at_h_or_one_side_over_2h_is_named():
    assert failure("01.forward", lambda f, x, h: (f(h) - f(x)) / h).key == "f-at-h"
    assert failure("01.central", lambda f, x, h: (f(h) - f(-h)) / (2 * h)).key == "f-at-h"
    assert failure("01.central", lambda f, x, h: (f(x + h) - f(x)) / (2 * h)).key == "one-side-over-2h"


def test_central_accepts_equivalent_arithmetic():
    check("01.central", lambda f, x, h: 0.5 * (f(x + h) - f(x - h)) / h, hidden=True, quiet=True)
    check("01.central", lambda f, x, h: (f(x + h) - f(x - h)) / ((x + h) - (x - h)), hidden=True, quiet=True)


def test_a_hard_coded_answer_fails_the_hidden_partials():
    def hard_coded(a, b, c, h=1e-6):
        d_of(a + h, b, c)  # it nudges, but then returns the worked example's numbers
        return -3.0, 2.0, 1.0

    assert "dd/da is wrong" in str(failure("01.partials", hard_coded))
    assert failure("01.partials", lambda a, b, c, h=1e-6: (-3.0, 2.0, 1.0)).key == "not-nudged"


def test_partials_written_from_the_formula_are_not_nudged():
    analytic = failure("01.partials", lambda a, b, c, h=1e-6: (b, a, 1.0))
    assert analytic.key == "not-nudged" and "without nudging" in str(analytic)
    swapped = failure("01.partials", lambda a, b, c, h=1e-6: (a, b, 1.0))  # wrong and not nudged
    assert swapped.key == "not-nudged" and "dd/da is wrong" in str(swapped)


def central_partials(a, b, c, h=1e-6):
    return (
        (d_of(a + h, b, c) - d_of(a - h, b, c)) / (2 * h),
        (d_of(a, b + h, c) - d_of(a, b - h, c)) / (2 * h),
        (d_of(a, b, c + h) - d_of(a, b, c - h)) / (2 * h),
    )


def own_step_partials(a, b, c, h=1e-6):  # ignores h, but nudges through d_of
    d, step = d_of(a, b, c), 1e-4
    return (
        (d_of(a + step, b, c) - d) / step,
        (d_of(a, b + step, c) - d) / step,
        (d_of(a, b, c + step) - d) / step,
    )


def inline_partials(a, b, c, h=1e-6):  # nudges without d_of, with the h it is given
    d = a * b + c
    return ((a + h) * b + c - d) / h, (a * (b + h) + c - d) / h, (a * b + c + h - d) / h


def backward_partials(a, b, c, h=1e-6):
    d = d_of(a, b, c)
    return (d - d_of(a - h, b, c)) / h, (d - d_of(a, b - h, c)) / h, (d - d_of(a, b, c - h)) / h


def test_nudged_partials_are_never_taken_for_formulas():
    # the observation is whether h was used and where d_of was called, not how close the numbers
    # are, so no seed can reject a nudged answer: 100 hidden checks of 31 cases each, five ways
    for answer in (partials, central_partials, own_step_partials, inline_partials, backward_partials):
        for seed in range(100):
            check("01.partials", answer, hidden=True, seed=seed, quiet=True)


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
    # the same on a copy: the caller's xs is safe, but each later partial is taken at a shifted point
    on_a_copy = failure("01.gradient", lambda f, xs, h=1e-6: in_place_forgetting(f, list(xs), h))
    assert on_a_copy.key == "not-restored"
    unpacked = failure("01.gradient", lambda f, xs, h=1e-6: gradient(lambda *v: f(list(v)), xs, h))
    assert unpacked.key == "call-f-unpacked"


def aliased(copy_down):
    """numerical_gradient whose up and down lists are one list: `copy_down(xs, up)` gives down."""

    def numerical_gradient(f, xs, h=1e-6):
        grads = []
        for i in range(len(xs)):
            up = xs
            down = copy_down(xs, up)
            up[i] = xs[i] + h
            down[i] = xs[i] - h
            grads.append((f(*up) - f(*down)) / (2 * h))
        return grads

    return numerical_gradient


@pytest.mark.parametrize(
    "copy_down", [lambda xs, up: xs, lambda xs, up: up], ids=["up = xs; down = xs", "down = up"]
)
def test_gradient_with_one_list_for_up_and_down_names_the_aliasing(copy_down):
    failed = failure("01.gradient", aliased(copy_down))
    assert failed.key == "same-list" and "all the inputs at once" not in str(failed)


def test_gradient_aliasing_variants():
    def chained_copy(f, xs, h=1e-6):
        grads = []
        for i in range(len(xs)):
            up = down = list(xs)  # one copy, two names
            up[i] += h
            down[i] -= h
            grads.append((f(*up) - f(*down)) / (2 * h))
        return grads

    def evaluated_between(f, xs, h=1e-6):
        grads = []
        for i in range(len(xs)):
            up = xs
            up[i] += h
            above = f(*up)
            down = xs
            down[i] -= h  # back where it started
            grads.append((above - f(*down)) / (2 * h))
        return grads

    def copied_before_the_loop(f, xs, h=1e-6):
        grads, up, down = [], list(xs), list(xs)
        for i in range(len(xs)):
            up[i], down[i] = xs[i] + h, xs[i] - h
            grads.append((f(*up) - f(*down)) / (2 * h))
        return grads

    def nudged_in_place_and_left(f, xs, h=1e-6):
        grads = []
        for i in range(len(xs)):
            xs[i] += h
            above = f(*xs)
            xs[i] -= 2 * h
            grads.append((above - f(*xs)) / (2 * h))
        return grads

    assert failure("01.gradient", chained_copy).key == "same-list"
    assert failure("01.gradient", evaluated_between).key == "one-list-between"
    assert failure("01.gradient", copied_before_the_loop).key == "copied-once"
    assert failure("01.gradient", nudged_in_place_and_left).key == "xs-changed"


@pytest.mark.parametrize(
    "exercise, wrong",
    [
        ("01.forward", lambda f, x, h: f(x + h) - f(x) / h),
        ("01.central", lambda f, x, h: f(x + h) - f(x - h) / (2 * h)),
    ],
    ids=["forward", "central"],
)
def test_a_difference_not_in_brackets_is_named_operator_precedence(exercise, wrong):
    failed = failure(exercise, wrong, hidden=False)
    assert failed.key == "precedence-rise" and "brackets" in str(failed)


def test_precedence_in_partials_and_gradient():
    def partials_unbracketed(a, b, c, h=1e-6):
        d = d_of(a, b, c)
        return d_of(a + h, b, c) - d / h, (d_of(a, b + h, c) - d) / h, (d_of(a, b, c + h) - d) / h

    def gradient_unbracketed(f, xs, h=1e-6):
        grads = []
        for i in range(len(xs)):
            up, down = list(xs), list(xs)
            up[i], down[i] = xs[i] + h, xs[i] - h
            grads.append(f(*up) - f(*down) / (2 * h))
        return grads

    assert failure("01.partials", partials_unbracketed).key == "precedence-rise"
    assert failure("01.gradient", gradient_unbracketed).key == "precedence-rise"


@pytest.mark.parametrize(
    "exercise, wrong",
    [
        ("01.forward", lambda f, x, h: (f(x) + h - f(x)) / h),
        ("01.central", lambda f, x, h: (f(x) + h - (f(x) - h)) / (2 * h)),
    ],
    ids=["forward", "central"],
)
def test_h_added_to_the_output_is_named(exercise, wrong):
    assert failure(exercise, wrong, hidden=False).key == "nudged-output"


def test_gradient_returned_from_inside_the_loop():
    # the notebook's numerical_gradient with its return one indent too deep
    returns_early = solution_namespace(NB, [("    return grads\n", "        return grads\n")])[
        "numerical_gradient"
    ]
    assert failure("01.gradient", returns_early).key == "return-in-loop"


def test_gradient_that_moves_a_loop_variable_is_told_f_saw_one_point():
    def moves_loop_variable(f, xs, h=1e-6):
        grads = []
        for x in xs:
            x += h
            above = f(*xs)
            x -= 2 * h
            grads.append((above - f(*xs)) / (2 * h))
        return grads

    failed = failure("01.gradient", moves_loop_variable)
    assert failed.key == "same-list" and "loop variable" in str(failed)


@pytest.mark.parametrize(
    "exercise, wrong",
    [
        ("01.forward", lambda f, x, h: (f(x + h) + f(x)) / h),
        ("01.central", lambda f, x, h: (f(x + h) + f(x - h)) / (2 * h)),
    ],
    ids=["forward", "central"],
)
def test_values_added_instead_of_subtracted(exercise, wrong):
    assert failure(exercise, wrong, hidden=False).key == "sum-not-difference"


def test_forward_with_f_not_called_or_a_step_to_each_side():
    not_called = failure("01.forward", lambda f, x, h: (f(x + h) - f) / h, hidden=False)
    assert not_called.key == "f-not-called" and "call it on a number" in str(not_called)
    both_sides = failure("01.forward", lambda f, x, h: (f(x + h) - f(x - h)) / h, hidden=False)
    assert both_sides.key == "both-sides-over-h"
    assert (
        failure("01.central", lambda f, x, h: 1 / 0, hidden=False).key == "raised"
    )  # other crashes: as before


def test_gradient_names_all_at_once():
    def all_at_once(f, xs, h=1e-6):
        g = (f(*[x + h for x in xs]) - f(*[x - h for x in xs])) / (2 * h)
        return [g] * len(xs)

    assert failure("01.gradient", all_at_once).key == "all-at-once"


def test_gradient_that_finds_an_input_by_its_value_fails_on_equal_inputs():
    def by_index(f, xs, h=1e-6):
        grads = []
        for x in xs:
            i = xs.index(x)  # the first input equal to x: wrong when two inputs are equal
            up, down = list(xs), list(xs)
            up[i], down[i] = x + h, x - h
            grads.append((f(*up) - f(*down)) / (2 * h))
        return grads

    assert failure("01.gradient", by_index, hidden=False).key == "index-of-value"
    assert failure("01.gradient", by_index).key == "index-of-value"


def test_gradient_one_short_or_set_to_h_is_named():
    def one_short(f, xs, h=1e-6):
        return gradient(f, xs, h)[1:]

    def set_to_h(f, xs, h=1e-6):
        grads = []
        for i in range(len(xs)):
            up, down = list(xs), list(xs)
            up[i], down[i] = h, -h
            grads.append((f(*up) - f(*down)) / (2 * h))
        return grads

    short = failure("01.gradient", one_short)
    assert short.key == "wrong-length" and "2 partial(s) for 3 inputs" in str(short)
    assert failure("01.gradient", set_to_h).key == "set-to-h"


def test_gradient_with_exact_derivatives_of_sin_and_exp():
    # the truth of the check: central differences agree with calculus to ~1e-10
    g = gradient(lambda x, y: math.sin(x) * math.exp(y), [0.3, -0.7], 1e-5)
    assert g == pytest.approx([math.cos(0.3) * math.exp(-0.7), math.sin(0.3) * math.exp(-0.7)], rel=1e-8)


# ---- the notebook's lessons and credits -----------------------------------------------------


def solution_cells():
    return {c.id: c for c in nbformat.read(solution_path("01_derivatives"), as_version=4).cells}


def test_the_zero_slope_at_the_minimum_is_shown():
    cells = solution_cells()
    assert "critical point" in cells["critical-md"].source
    shown = "".join(o.get("text", "") for o in cells["critical-plot"].outputs)
    assert "f'(2/3) = 0.0" in shown and "f(2/3)  = 3.666667" in shown
    assert any("image/png" in o.get("data", {}) for o in cells["critical-plot"].outputs)  # the plot


def test_the_best_central_step_minimises_the_sum_and_the_equal_errors_step_is_named_apart():
    eps = sys.float_info.epsilon
    total = lambda h: h**2 / 6 + eps / h  # noqa: E731  (central truncation + round-off, sizes of order 1)
    best = min((10 ** (k / 1000) for k in range(-7000, -4000)), key=total)
    assert best == pytest.approx((3 * eps) ** (1 / 3), rel=1e-2)
    # the prose: (3 eps)^(1/3) where the sum is smallest, (6 eps)^(1/3) where the two are equal
    central = solution_cells()["h-explain"].source.split("For the central one", 1)[1]
    smallest, equal = central.split("(3\\varepsilon)^{1/3}", 1)
    assert "smallest" in smallest and "equal" in equal and "(6\\varepsilon)^{1/3}" in equal


def test_micrograd_and_its_lecture_are_credited():
    lecture = "The spelled-out intro to neural networks and backpropagation: building"
    intro = solution_cells()["intro"].source.replace("\n", " ")
    readme = (solution_path("01_derivatives").parents[2] / "README.md").read_text().replace("\n", " ")
    for text in (intro, readme[:2000]):  # README: near the top
        assert "Andrej Karpathy" in text and "github.com/karpathy/micrograd" in text and lecture in text


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
        "twice-the-slope",
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
    Mutant("gradient: down is up", NB, "01.gradient", "down = list(xs)", "down = up", "same-list"),
    Mutant(
        "forward without brackets",
        NB,
        "01.forward",
        FORWARD,
        "return f(x + h) - f(x) / h",
        "precedence-rise",
    ),
    Mutant(  # found by its docstring too, so that it can share a kernel run with "forward is central"
        "central without brackets",
        NB,
        "01.central",
        '(symmetric) difference estimate of f\'(x) with step h."""\n    ### BEGIN SOLUTION\n    ' + CENTRAL,
        '(symmetric) difference estimate of f\'(x) with step h."""\n    ### BEGIN SOLUTION\n    '
        "return f(x + h) - f(x - h) / (2 * h)",
        "precedence-rise",
    ),
    Mutant(
        "partials from the formula",
        NB,
        "01.partials",
        "d = d_of(a, b, c)\n    dd_da = (d_of(a + h, b, c) - d) / h\n    dd_db = (d_of(a, b + h, c) - d) / h\n"
        "    dd_dc = (d_of(a, b, c + h) - d) / h\n    return dd_da, dd_db, dd_dc",
        "return b, a, 1.0",
        "not-nudged",
    ),
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
    "distance between the points, partials with a step of their own, gradient from central_difference": [
        (CENTRAL, "return (f(x + h) - f(x - h)) / ((x + h) - (x - h))"),
        ("dd_db = (d_of(a, b + h, c) - d) / h", "dd_db = (d_of(a, b + 1e-4, c) - d) / 1e-4"),
        (
            "    grads = []\n    for i in range(len(xs)):",
            "    def along(i):\n        return lambda t: f(*xs[:i], t, *xs[i + 1 :])\n\n"
            "    return [central_difference(along(i), xs[i], h) for i in range(len(xs))]\n"
            "    grads = []\n    for i in range(len(xs)):",
        ),
    ],
}


test_mutant_is_caught, test_correct_alternative_passes = mutant_tests(MUTANTS, ALTERNATIVES, NB)

"""Checks for notebook 01: derivatives as slopes, found by finite differences.

Every check compares the student's number with the same formula evaluated here
(same float operations, so agreement is to the last few digits) and shows the
true derivative alongside, so a message says both "what your formula should
give" and "how far that is from the real slope". Wrong answers are recognised
by evaluating each typical mistake (forward for central, `/ 2 * h`, a fixed h,
a list aliased instead of copied, ...) and seeing which one the student's
number matches.
"""

from __future__ import annotations

import math
from numbers import Real

from ..core import CheckFailed, close, diagnose, exercise, random_point

# ---- test functions with known derivatives ---------------------------------------


class Function:
    """A smooth function of one variable with its exact derivative and a name."""

    def __init__(self, name, f, df):
        self.name, self.f, self.df = name, f, df

    def __call__(self, x):
        return self.f(x)


def _poly_name(coeffs):
    """'3x^2 - 4x + 5' from [5, -4, 3] (constant term first)."""
    terms = []
    for power in range(len(coeffs) - 1, -1, -1):
        c = coeffs[power]
        if c == 0:
            continue
        size = abs(c)
        body = {0: f"{size:g}", 1: f"{'' if size == 1 else f'{size:g}'}x"}.get(
            power, f"{'' if size == 1 else f'{size:g}'}x^{power}"
        )
        sign = "-" if c < 0 else "+"
        terms.append((sign, body))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    text = ("-" if first_sign == "-" else "") + first
    for sign, body in terms[1:]:
        text += f" {sign} {body}"
    return text


def polynomial(coeffs) -> Function:
    coeffs = list(coeffs)

    def f(x):
        return sum(c * x**k for k, c in enumerate(coeffs))

    def df(x):
        return sum(k * c * x ** (k - 1) for k, c in enumerate(coeffs) if k > 0)

    return Function(f"f(x) = {_poly_name(coeffs)}", f, df)


THE_PARABOLA = polynomial([5, -4, 3])  # f(x) = 3x^2 - 4x + 5: f(3) = 20, f'(3) = 14


def random_function(rng) -> Function:
    """A random polynomial (degree 2 to 4), sin(a x + b) or exp(a x)."""
    kind = rng.choice(["poly", "poly", "sin", "exp"])
    if kind == "poly":
        degree = rng.randint(2, 4)
        coeffs = [rng.randint(-5, 5) for _ in range(degree)] + [rng.choice([-3, -2, -1, 1, 2, 3])]
        return polynomial(coeffs)
    a = round(rng.uniform(0.5, 2.5), 2) * rng.choice([-1, 1])
    if kind == "sin":
        b = round(rng.uniform(-1, 1), 2)
        return Function(
            f"f(x) = sin({a:g}x + {b:g})", lambda x: math.sin(a * x + b), lambda x: a * math.cos(a * x + b)
        )
    return Function(f"f(x) = exp({a:g}x)", lambda x: math.exp(a * x), lambda x: a * math.exp(a * x))


def num(x) -> str:
    """Enough digits to see 14.003 vs 14.0003 vs 14.00003."""
    return f"{x:.10g}" if isinstance(x, float) else repr(x)


def _require_number(got, call):
    if isinstance(got, bool) or not isinstance(got, Real):
        raise CheckFailed(
            f"{call} should return a number, got {type(got).__name__} {got!r}",
            mistake="return the value of the formula (check that the function ends with `return ...`)",
        )
    return float(got)


# ---- the formulas and their typical mistakes -----------------------------------------

FIXED_HS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10)


def forward(f, x, h):
    return (f(x + h) - f(x)) / h


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def _fixed_h_mistakes(formula, f, x, h):
    return {
        f"your function ignores its h argument (it gives the value for h = {h0:g}): use the h it is given": (
            formula(f, x, h0)
        )
        for h0 in FIXED_HS
        if h0 != h
    }


def forward_mistakes(f, x, h):
    mistakes = {
        "this is the central difference (f(x+h) - f(x-h)) / 2h; this exercise asks for the forward "
        "difference (f(x + h) - f(x)) / h": central(f, x, h),
        "this is the backward difference (f(x) - f(x-h)) / h: step forward, to x + h": (f(x) - f(x - h)) / h,
        "f(x + h) - f(x) is the rise; divide it by the run h to get a slope": f(x + h) - f(x),
        "divided by 2h: the run from x to x + h is h": (f(x + h) - f(x)) / (2 * h),
        "the sign is reversed: subtract in the order f(x + h) - f(x)": (f(x) - f(x + h)) / h,
    }
    mistakes.update(_fixed_h_mistakes(forward, f, x, h))
    return mistakes


def central_mistakes(fn, x, h):
    f = fn
    fwd_error = abs(forward(f, x, h) - fn.df(x))
    cen_error = abs(central(f, x, h) - fn.df(x))
    mistakes = {
        "this is the forward difference (f(x+h) - f(x)) / h; its error here is "
        f"{fwd_error:.1e}, while a central difference's is {cen_error:.1e}: "
        "use (f(x + h) - f(x - h)) / (2 * h)": forward(f, x, h),
        "this is the backward difference (f(x) - f(x-h)) / h: step both ways, to x + h and x - h": (
            (f(x) - f(x - h)) / h
        ),
        "operator precedence: `/ 2 * h` divides by 2 and then multiplies by h; write / (2 * h)": (
            (f(x + h) - f(x - h)) / 2 * h
        ),
        "divided by h instead of 2h: the points x - h and x + h are 2h apart": (f(x + h) - f(x - h)) / h,
        "you stepped h/2 each way: step a full h to x + h and x - h, and divide by 2h": (
            (f(x + h / 2) - f(x - h / 2)) / h
        ),
        "the sign is reversed: subtract in the order f(x + h) - f(x - h)": (f(x - h) - f(x + h)) / (2 * h),
        "f(x + h) - f(x - h) is the rise; divide it by the run 2h": f(x + h) - f(x - h),
    }
    mistakes.update(_fixed_h_mistakes(central, f, x, h))
    return mistakes


# ---- 01.forward ---------------------------------------------------------------------


def _difference_cases(rng, hidden, hs):
    cases = [(THE_PARABOLA, 3.0, 1e-3), (THE_PARABOLA, 3.0, 1e-4)]
    for _ in range(30 if hidden else 6):
        cases.append((random_function(rng), random_point(rng, -2.0, 2.0), rng.choice(hs)))
    return cases


@exercise(
    "01.forward",
    title="numerical_derivative(f, x, h), the forward difference",
    points=2,
    hints=[
        "A slope is rise over run: how much f changes when x moves a little, divided by how far x moved.",
        "Move x forward by h. The rise is f(x + h) - f(x); the run is h.",
        "return (f(x + h) - f(x)) / h",
    ],
)
def _check_forward(rng, hidden, numerical_derivative):
    for fn, x, h in _difference_cases(rng, hidden, (1e-1, 1e-2, 1e-3, 1e-4)):
        got = _require_number(numerical_derivative(fn, x, h), "numerical_derivative(f, x, h)")
        expected = forward(fn, x, h)
        if not close(got, expected, rel=1e-9, abs_=1e-12):
            raise CheckFailed(
                f"numerical_derivative(f, x, h) is wrong for {fn.name}",
                input=f"x = {num(x)}, h = {h:g}",
                expected=f"{num(expected)}   (the exact slope f'(x) is {num(fn.df(x))})",
                got=num(got),
                mistake=diagnose(got, forward_mistakes(fn, x, h), rel=1e-9),
            )


# ---- 01.central ---------------------------------------------------------------------


@exercise(
    "01.central",
    title="central_difference(f, x, h), the symmetric difference",
    points=2,
    hints=[
        "Look on both sides of x: one point a step h to the right, one a step h to the left.",
        "The rise is f(x + h) - f(x - h). How far apart are x - h and x + h?",
        "return (f(x + h) - f(x - h)) / (2 * h)   (the brackets around 2 * h matter)",
    ],
)
def _check_central(rng, hidden, central_difference):
    # h up to 0.1: there the forward and central errors differ by orders of magnitude
    for fn, x, h in _difference_cases(rng, hidden, (1e-1, 1e-2, 1e-3)):
        got = _require_number(central_difference(fn, x, h), "central_difference(f, x, h)")
        expected = central(fn, x, h)
        if not close(got, expected, rel=1e-9, abs_=1e-12):
            raise CheckFailed(
                f"central_difference(f, x, h) is wrong for {fn.name}",
                input=f"x = {num(x)}, h = {h:g}",
                expected=f"{num(expected)}   (the exact slope f'(x) is {num(fn.df(x))})",
                got=num(got),
                mistake=diagnose(got, central_mistakes(fn, x, h), rel=1e-9),
            )


# ---- 01.partials --------------------------------------------------------------------


def _partials_mistakes(a, b, c, got, expected, which):
    """What a wrong partial derivative of d = a*b + c most likely comes from."""
    name = ("dd/da", "dd/db", "dd/dc")[which]
    mistakes = {
        f"{name} came out as dd/da = b: nudge only the input it is about (and return the "
        "three in the order dd/da, dd/db, dd/dc)": b,
        f"{name} came out as dd/db = a: nudge only the input it is about (and return the "
        "three in the order dd/da, dd/db, dd/dc)": a,
        f"{name} came out as dd/dc = 1: nudge only the input it is about (and return the "
        "three in the order dd/da, dd/db, dd/dc)": 1.0,
        "you nudged all three inputs at once: nudge one input, keep the other two as they are": a + b + 1,
        "the sign is reversed: (d(nudged) - d(original)) / h": -expected,
        "that is d itself, not how fast it changes: subtract d at the original point and divide by h": (
            a * b + c
        ),
    }
    found = diagnose(got, {k: v for k, v in mistakes.items() if v != expected})
    if found:
        return found
    if expected != 0 and 0 < got / expected < 1e-2:
        return "the change in d was not divided by h: a slope is change in d / change in the input"
    if close(got, expected, rel=1e-2, abs_=1e-2):
        return "close, but not close enough: a very small h loses digits to round-off; use h around 1e-6"
    return None


@exercise(
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
)
def _check_partials(rng, hidden, partials_of_d):
    points = [(2.0, -3.0, 10.0)]
    for _ in range(30 if hidden else 5):
        # keep a, b, 1 and a + b + 1 apart so that a mistake can be told from the answer
        a = random_point(rng, -5, 5, away_from=(0.0, 1.0, -1.0), gap=0.3)
        b = random_point(rng, -5, 5, away_from=(0.0, 1.0, -1.0, a, -a, -a - 1, 1 - a), gap=0.3)
        points.append((a, b, random_point(rng, -10, 10)))
    for a, b, c in points:
        got = partials_of_d(a, b, c)
        try:
            got = [float(g) for g in got]
        except (TypeError, ValueError):
            got = None
        if got is None or len(got) != 3:
            raise CheckFailed(
                "partials_of_d(a, b, c) should return three numbers: dd_da, dd_db, dd_dc",
                input=f"a = {num(a)}, b = {num(b)}, c = {num(c)}",
                got=repr(partials_of_d(a, b, c)),
                mistake="end the function with `return dd_da, dd_db, dd_dc`",
            )
        expected = (b, a, 1.0)
        for which, (g, e) in enumerate(zip(got, expected)):
            if not close(g, e, rel=1e-5, abs_=1e-5):
                raise CheckFailed(
                    f"{('dd/da', 'dd/db', 'dd/dc')[which]} is wrong (d = a*b + c = {num(a * b + c)})",
                    input=f"a = {num(a)}, b = {num(b)}, c = {num(c)}",
                    expected=f"about {num(e)}   (all three: {', '.join(num(v) for v in expected)})",
                    got=f"{num(g)}   (all three: {', '.join(num(v) for v in got)})",
                    mistake=_partials_mistakes(a, b, c, g, e, which),
                )


# ---- 01.gradient --------------------------------------------------------------------


class Several:
    """A smooth function of n inputs, a sum of random terms, with its exact gradient."""

    def __init__(self, rng, n):
        self.n, self.terms = n, []
        for _ in range(rng.randint(n, n + 2)):
            kind = rng.choice(["product", "sin", "exp", "cube"] if n > 1 else ["sin", "exp", "cube"])
            coef = round(rng.uniform(0.5, 3.0), 2) * rng.choice([-1, 1])
            i = rng.randrange(n)
            j = rng.choice([k for k in range(n) if k != i]) if kind == "product" else i
            self.terms.append((kind, coef, i, j))
        names = {
            "product": "{c:g}*x{i}*x{j}",
            "sin": "{c:g}*sin(x{i})",
            "exp": "{c:g}*exp(0.5*x{i})",
            "cube": "{c:g}*x{i}^3",
        }
        body = " + ".join(names[k].format(c=c, i=i, j=j) for k, c, i, j in self.terms).replace("+ -", "- ")
        self.name = f"f({', '.join(f'x{i}' for i in range(n))}) = {body}"

    def __call__(self, *xs):
        _require_arguments(xs, self.n)
        total = 0.0
        for kind, c, i, j in self.terms:
            x = xs[i]
            total += {
                "product": lambda: c * x * xs[j],
                "sin": lambda: c * math.sin(x),
                "exp": lambda: c * math.exp(0.5 * x),
                "cube": lambda: c * x**3,
            }[kind]()
        return total

    def gradient(self, xs):
        g = [0.0] * self.n
        for kind, c, i, j in self.terms:
            x = xs[i]
            if kind == "product":
                g[i] += c * xs[j]
                g[j] += c * x
            elif kind == "sin":
                g[i] += c * math.cos(x)
            elif kind == "exp":
                g[i] += 0.5 * c * math.exp(0.5 * x)
            else:
                g[i] += 3 * c * x * x
        return g


class _D:
    """d(a, b, c) = a*b + c, the function of the partials exercise."""

    n, name = 3, "d(a, b, c) = a*b + c"

    def __call__(self, *xs):
        _require_arguments(xs, self.n)
        a, b, c = xs
        return a * b + c

    def gradient(self, xs):
        return [xs[1], xs[0], 1.0]


def _require_arguments(xs, n):
    if len(xs) != n:
        raise CheckFailed(
            f"numerical_gradient called f with {len(xs)} argument(s), but f takes {n}",
            mistake="call f with one argument per input: f(*xs) unpacks the list xs into them",
        )


def _gradient_by(step, f, xs, h):
    """Partials of f at xs, each by `step(f_i, x_i, h)` with f_i varying input i only."""
    out = []
    for i in range(len(xs)):

        def f_i(t, i=i):
            return f(*xs[:i], t, *xs[i + 1 :])

        out.append(step(f_i, xs[i], h))
    return out


def _gradient_not_restored(f, xs, h):
    """The mistake: nudge xs[i] in place and never put it back."""
    xs, out = list(xs), []
    for i in range(len(xs)):
        x = xs[i]
        xs[i] = x + h
        up = f(*xs)
        xs[i] = x - h
        out.append((up - f(*xs)) / (2 * h))
    return out


def _gradient_aliased(f, xs, h):
    """The mistake: `up = xs` (no copy), then `up[i] = xs[i] + h; down = list(xs); down[i] = xs[i] - h`."""
    xs, out = list(xs), []
    for i in range(len(xs)):
        xs[i] = xs[i] + h
        down = list(xs)
        down[i] = xs[i] - h
        out.append((f(*xs) - f(*down)) / (2 * h))
    return out


def _gradient_all_at_once(f, xs, h):
    up = f(*[x + h for x in xs])
    down = f(*[x - h for x in xs])
    return [(up - down) / (2 * h)] * len(xs)


def gradient_mistakes(f, xs, h):
    mistakes = {
        "these are forward differences (f(x + h) - f(x)) / h; the course's tool uses central ones, "
        "(f(.., x_i + h, ..) - f(.., x_i - h, ..)) / (2 * h), which are far more accurate": _gradient_by(
            forward, f, xs, h
        ),
        "each input was nudged and never put back, so every later partial is taken at a shifted "
        "point: restore xs[i] after nudging it, or nudge a copy of the list": _gradient_not_restored(
            f, xs, h
        ),
        "`up = xs` does not copy a list, it gives the same list a second name: use up = list(xs)": (
            _gradient_aliased(f, xs, h)
        ),
        "you nudged all the inputs at once: for the partial in x_i, move x_i only": _gradient_all_at_once(
            f, xs, h
        ),
        "divided by h instead of 2h: the points x_i - h and x_i + h are 2h apart": [
            2 * g for g in _gradient_by(central, f, xs, h)
        ],
        "operator precedence: `/ 2 * h` divides by 2 and then multiplies by h; write / (2 * h)": [
            g * 2 * h * h / 2 for g in _gradient_by(central, f, xs, h)
        ],
        "the signs are reversed: subtract in the order f(x_i + h) - f(x_i - h)": [
            -g for g in _gradient_by(central, f, xs, h)
        ],
    }
    for h0 in FIXED_HS:
        if h0 != h:
            mistakes[
                f"your function ignores its h argument (it gives the values for h = {h0:g}): use the h it is given"
            ] = _gradient_by(central, f, xs, h0)
    return mistakes


def _diagnose_vector(got, candidates, rel=1e-7):
    for mistake, predicted in candidates.items():
        if len(predicted) == len(got) and all(close(g, p, rel, 1e-12) for g, p in zip(got, predicted)):
            return mistake
    return None


def _vector(values):
    return "[" + ", ".join(num(float(v)) for v in values) + "]"


@exercise(
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
)
def _check_gradient(rng, hidden, numerical_gradient):
    cases = [(_D(), [2.0, -3.0, 10.0], 1e-2)]
    for _ in range(25 if hidden else 5):
        n = rng.randint(1, 5)
        cases.append(
            (Several(rng, n), [random_point(rng, -2, 2) for _ in range(n)], rng.choice((1e-1, 1e-2)))
        )
    for f, xs, h in cases:
        name = f.name
        given = list(xs)
        got = numerical_gradient(f, given, h)
        if len(given) != len(xs) or not all(close(a, b, 1e-12) for a, b in zip(given, xs)):
            raise CheckFailed(
                f"numerical_gradient changed the list xs it was given, for {name}",
                input=f"xs = {_vector(xs)}, h = {h:g}",
                expected=f"xs still {_vector(xs)} afterwards",
                got=f"xs = {_vector(given)}",
                mistake=(
                    "`up = xs` does not copy a list, it gives the same list a second name: use up = list(xs)"
                    if _diagnose_vector(list(got), {"a": _gradient_aliased(f, xs, h)})
                    else "put each input back after nudging it, or nudge a copy: list(xs)"
                ),
            )
        try:
            got = [float(g) for g in got]
        except (TypeError, ValueError):
            got = None
        if got is None or len(got) != len(xs):
            raise CheckFailed(
                f"numerical_gradient(f, xs, h) should return a list of {len(xs)} numbers, one per input",
                input=f"{name}, xs = {_vector(xs)}",
                got=repr(numerical_gradient(f, list(xs), h)),
                mistake="collect one partial derivative per input in a list and return the list",
            )
        expected = _gradient_by(central, f, xs, h)
        if not all(close(g, e, 1e-7, 1e-10) for g, e in zip(got, expected)):
            exact = f.gradient(xs)
            i = next(i for i, (g, e) in enumerate(zip(got, expected)) if not close(g, e, 1e-7, 1e-10))
            raise CheckFailed(
                f"numerical_gradient(f, xs, h) is wrong for {name}; the first wrong partial is number {i} "
                f"(counting from 0)",
                input=f"xs = {_vector(xs)}, h = {h:g}",
                expected=f"{_vector(expected)}   (the exact gradient is {_vector(exact)})",
                got=_vector(got),
                mistake=_diagnose_vector(got, gradient_mistakes(f, xs, h)),
            )

"""Exercises are declared once; checks, hints and points are derived from that.

A notebook's self-check cell and its hidden tests both call `check(id, ...)`.
A check function raises `CheckFailed` with a message that teaches: which
exercise, which operation, the input, expected vs got, the likely mistake.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field


class CheckFailed(AssertionError):
    """A check found a mistake. Subclasses AssertionError so nbgrader marks the cell failed."""

    def __init__(self, what, *, input=None, expected=None, got=None, mistake=None, exercise=None, graph=None):
        self.what, self.input, self.expected, self.got = what, input, expected, got
        self.mistake, self.exercise = mistake, exercise
        self.graph = graph  # (root, {node: note}): drawn with those nodes highlighted
        super().__init__(self._message())

    def _message(self):
        head = f"[{self.exercise}] " if self.exercise else ""
        lines = [f"{head}{self.what}"]
        for name, value in (("input", self.input), ("expected", self.expected), ("got", self.got)):
            if value is not None:
                lines.append(f"  {name + ':':<10}{value}")
        if self.mistake:
            lines.append(f"  likely mistake: {self.mistake}")
        return "\n".join(lines)

    def _render_traceback_(self):
        # IPython shows this instead of a traceback: the message is the whole story,
        # the frames inside the checker would only bury it
        return [
            f"{type(self).__name__}: {line}" if i == 0 else line
            for i, line in enumerate(str(self).splitlines())
        ]

    def for_exercise(self, exercise_id):
        self.exercise = exercise_id
        self.args = (self._message(),)
        return self


class NotAttempted(CheckFailed):
    """The exercise still holds its `raise NotImplementedError()` stub."""


@dataclass
class Exercise:
    id: str
    title: str
    points: float
    check: callable
    hints: list = field(default_factory=list)

    @property
    def notebook(self) -> str:
        return self.id.split(".")[0]


EXERCISES: dict[str, Exercise] = {}


def exercise(id, *, title, points, hints=()):
    """Declare an exercise: decorate its check function `check(rng, hidden, *objects)`."""

    def register(check_fn):
        if id in EXERCISES:
            raise ValueError(f"exercise {id!r} is declared twice")
        if not 1 <= len(hints) <= 3:
            raise ValueError(f"exercise {id!r} needs one to three hints, got {len(hints)}")
        EXERCISES[id] = Exercise(id, title, points, check_fn, list(hints))
        return check_fn

    return register


def all_exercises() -> dict[str, Exercise]:
    """Every declared exercise, by id."""
    _load_checks()
    return EXERCISES


def get_exercise(exercise_id) -> Exercise:
    _load_checks()
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise KeyError(f"no exercise called {exercise_id!r}; the exercises are: {known}")
    return EXERCISES[exercise_id]


def check(exercise_id, *objects, hidden=False, seed=None, quiet=False):
    """Run an exercise's check on the student's objects.

    Prints a one-line confirmation when everything passes; raises CheckFailed
    (an AssertionError) with a teaching message when something is wrong.
    `hidden=True` is what the hidden tests use: more and fresher random cases.
    """
    ex = get_exercise(exercise_id)
    rng = random.Random(seed)
    try:
        ex.check(rng, hidden, *objects)
    except CheckFailed as failure:
        if failure.graph is not None:
            show_graph(*failure.graph)
        raise failure.for_exercise(exercise_id).with_traceback(None) from None
    except NotImplementedError:
        raise NotAttempted(
            f"{ex.title}: not attempted yet. Replace `raise NotImplementedError()` in the "
            "exercise cell with your code, run that cell, then run this check again.",
            exercise=exercise_id,
        ).with_traceback(None) from None
    except Exception as error:  # the student's code crashed inside the check
        where = _student_frame(error)
        raise CheckFailed(
            f"{ex.title}: your code raised {type(error).__name__}: {error}",
            input=where,
            mistake="read the error above; run your function by hand on a small input to see it",
            exercise=exercise_id,
        ).with_traceback(None) from None
    if not quiet:
        print(f"\u2714 [{exercise_id}] {ex.title}: all checks passed ({_points(ex.points)})")


def show_graph(root, highlight):
    """In a notebook, draw the graph with the wrong nodes highlighted (red, with the
    finite difference written on them) above the failure message."""
    try:
        from IPython import get_ipython
        from IPython.display import display

        from course_engine.draw import draw
    except ImportError:
        return
    if get_ipython() is not None:
        display(draw(root, highlight))


def hint(exercise_id, level=1):
    """Print hint `level` (1 to 3, each more detailed) for an exercise."""
    ex = get_exercise(exercise_id)
    level = max(1, min(int(level), len(ex.hints)))
    more = f" (hint({exercise_id!r}, {level + 1}) says more)" if level < len(ex.hints) else ""
    print(f"Hint {level}/{len(ex.hints)} for {exercise_id}: {ex.hints[level - 1]}{more}")


def _points(points):
    return f"{points:g} point" + ("" if points == 1 else "s")


def _student_frame(error):
    """'line N of your cell' for the deepest frame that is not ours, when there is one."""
    tb, found = error.__traceback__, None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if "autograder" not in name and "course_engine" not in name:
            found = tb
        tb = tb.tb_next
    if found is None:
        return None
    return f"line {found.tb_lineno} of {found.tb_frame.f_code.co_name}()"


def _load_checks():
    # importing the per-notebook modules registers their exercises
    from . import checks  # noqa: F401


# ---- helpers for check functions -------------------------------------------------


def close(a, b, rel=1e-6, abs_=1e-9) -> bool:
    """Numbers agree to a relative tolerance, or an absolute one near zero."""
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def diagnose(got, candidates: dict, rel=1e-6):
    """The first mistake whose predicted value matches what the student got.

    `candidates` maps a mistake's description to the value that mistake produces.
    """
    for mistake, predicted in candidates.items():
        if predicted is not None and close(got, predicted, rel):
            return mistake
    return None


def random_point(rng, lo=-3.0, hi=3.0, away_from=(), gap=0.05):
    """A random float in [lo, hi] at least `gap` away from each point in `away_from`."""
    while True:
        x = round(rng.uniform(lo, hi), 4)  # short numbers read better in a message
        if all(abs(x - k) > gap for k in away_from):
            return x


def fmt(x) -> str:
    """A number as the messages show it."""
    if isinstance(x, float):
        return f"{x:.6g}"
    return repr(x)

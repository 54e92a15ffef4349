"""`check` and `hint`, as a student's notebook calls them.

In the student's kernel `check(id, ...)` runs the exercise's three parts, case
by case: cases -> probe (the student's code) -> verdict, stopping at the first
failure. It prints one line when everything passes and raises CheckFailed (an
AssertionError, so nbgrader fails the cell) with the teaching message when not.
"""

from __future__ import annotations

import json
import os
import random

from .exercise import Exercise, get_exercise
from .kit.failure import CheckFailed, Failure, Mistake, NotAttempted
from .kit.fmt import fmt_points
from .kit.observe import raised

# Under test, every case and observation goes through JSON before it is used, as it
# will between a grading kernel and the judge: a probe that returns anything but plain
# data, or a verdict that depends on tuples staying tuples, fails loudly.
PLAIN_DATA_ONLY = os.environ.get("MICROGRAD_COURSE_PLAIN_DATA") == "1"
FAILURE_MIME = "application/vnd.micrograd-course.failure+json"  # the mistakes named, for tools


def check(exercise_id, *objects, hidden=False, seed=None, quiet=False):
    """Run an exercise's check on the student's objects.

    `hidden=True` is what the hidden tests use: more and fresher random cases.
    """
    ex = get_exercise(exercise_id)
    failure = run(ex, objects, random.Random(seed), hidden)
    if failure is not None:
        if failure.graph is not None:
            show_graph(*failure.graph)
        _publish(exercise_id, failure)
        kind = NotAttempted if failure.keys == ("not-attempted",) else CheckFailed
        raise kind(failure, exercise_id).with_traceback(None) from None
    if not quiet:
        print(f"\u2714 [{exercise_id}] {ex.title}: all checks passed ({fmt_points(ex.points)})")


def run(ex: Exercise, objects, rng, hidden) -> Failure | None:
    """Probe and judge each case in turn; the first failure, or None when all pass."""
    student = ex.bind(objects)
    for case in ex.cases(rng, hidden):
        case = as_plain_data(ex, "case", case)
        observation = as_plain_data(ex, "observation", observe(ex.probe, student, case))
        failure = judge(ex, case, observation)
        if failure is not None:
            return failure
    return None


def observe(probe, student, case):
    """The probe's observation of one case; {"raised": ...} when the student's code raised,
    {"not_attempted": True} when it still holds the stub."""
    try:
        return probe(student, case)
    except NotImplementedError:
        return {"not_attempted": True}
    except Exception as error:
        return {"raised": raised(error)}


def as_plain_data(ex: Exercise, what: str, data):
    if not PLAIN_DATA_ONLY:
        return data
    try:
        return json.loads(json.dumps(data))
    except (TypeError, ValueError) as error:
        raise TypeError(f"{ex.id}: a {what} must be plain JSON data, but {error}: {data!r:.300}") from None


def judge(ex: Exercise, case, observation) -> Failure | None:
    """The verdict on one case (pure: it never touches student code)."""
    if isinstance(observation, dict) and observation.get("not_attempted"):
        return not_attempted(ex)
    if isinstance(observation, dict) and "raised" in observation and len(observation) == 1:
        return crashed(ex, observation["raised"])
    return ex.verdict(case, observation)


def not_attempted(ex: Exercise) -> Failure:
    return Failure(
        f"{ex.title}: not attempted yet. Replace `raise NotImplementedError()` in the "
        "exercise cell with your code, run that cell, then run this check again.",
        mistakes=Mistake("not-attempted", "the exercise cell still holds its stub"),
    )


def crashed(ex: Exercise, error: dict) -> Failure:
    return Failure(
        f"{ex.title}: your code raised {error['type']}: {error['message']}",
        input=error.get("where"),
        mistakes=Mistake(
            "raised", "read the error above; run your function by hand on a small input to see it"
        ),
    )


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


def _publish(exercise_id, failure: Failure):
    """An invisible output naming the mistake keys (tests and reports read it)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        mistakes = [{"key": m.key, "message": m.message} for m in failure.mistakes]
        display(
            {FAILURE_MIME: {"exercise": exercise_id, "keys": list(failure.keys), "mistakes": mistakes}},
            raw=True,
        )


def hint(exercise_id, level=1):
    """Print hint `level` (1 to 3, each more detailed) for an exercise."""
    ex = get_exercise(exercise_id)
    level = max(1, min(int(level), len(ex.hints)))
    more = f" (hint({exercise_id!r}, {level + 1}) says more)" if level < len(ex.hints) else ""
    print(f"Hint {level}/{len(ex.hints)} for {exercise_id}: {ex.hints[level - 1]}{more}")

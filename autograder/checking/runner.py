"""`check` and `hint`, as a student's notebook calls them.

In the student's kernel `check(id, ...)` runs the exercise's three parts, case
by case: cases -> probe (the student's code) -> verdict, stopping at the first
failure. It prints one line when everything passes and raises CheckFailed (an
AssertionError, so nbgrader fails the cell) with the teaching message when not.
"""

from __future__ import annotations

import difflib
import json
import os
import random

from .exercise import Exercise, all_exercises, exercises_in, get_exercise
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


def hint(exercise_id=None, level=1):
    """Print hint `level` (1 to 3, each more detailed) for an exercise; hint() lists the ids.

    A mistyped id or level is answered with one line saying what exists, not a traceback."""
    exercises = all_exercises()
    if exercise_id is None:
        notebooks = dict.fromkeys(ex.notebook for ex in exercises.values())
        listed = "; ".join(", ".join(ex.id for ex in exercises_in(nb)) for nb in notebooks)
        print(
            f'The exercises: {listed}. Ask for a hint with hint("01.forward"), a stronger one with hint("01.forward", 2).'
        )
        return
    ex = exercises.get(exercise_id) if isinstance(exercise_id, str) else None
    if ex is None:
        print(_unknown_exercise(exercise_id, list(exercises)))
        return
    count, note = len(ex.hints), ""
    if isinstance(level, bool) or not isinstance(level, int):
        note = f"hint levels are whole numbers, 1 to {count}; {level!r} is not one. "
        level = 1
    elif not 1 <= level <= count:
        note = f"{exercise_id} has {count} hint{'s' if count > 1 else ''} (levels 1 to {count}); here is "
        note += "the last. " if level > count else "the first. "
        level = min(max(level, 1), count)
    more = f" (hint({exercise_id!r}, {level + 1}) says more)" if level < count else ""
    print(f"{note}Hint {level}/{count} for {exercise_id}: {ex.hints[level - 1]}{more}")


def _unknown_exercise(given, ids) -> str:
    if not isinstance(given, str):
        return f'hint needs an exercise id in quotes, like hint("01.forward"), not {type(given).__name__}'
    # "01_forward", "1.forward", "01.Forward": the id written another way
    spelled = given.strip().lower().replace("_", ".").replace(" ", "")
    spelled = "0" + spelled if spelled[:1].isdigit() and spelled[1:2] == "." else spelled
    close = [spelled] if spelled in ids else difflib.get_close_matches(spelled, ids, n=3, cutoff=0.7)
    maybe = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return f"no exercise is called {given!r}; {maybe}hint() with no arguments lists them all"

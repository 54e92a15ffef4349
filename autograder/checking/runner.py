"""`check` and `hint`, as a student's notebook calls them.

`check(id, ...)` runs the exercise's three parts, case by case: cases -> probe (the
student's code) -> verdict, stopping at the first failure. It prints one line when
everything passes. When not, what it does depends on who runs the notebook:
  - in a student's own Jupyter kernel it shows the failure (a red block: the message,
    the likely mistake; the graph above it) and returns, so Run All goes on and the
    student sees the rest of the notebook;
  - under nbgrader (validate, autograde: NBGRADER_EXECUTION is set), with
    MICROGRAD_COURSE_STRICT=1 (the course's tests and scripts) or outside a Jupyter
    kernel it raises CheckFailed (an AssertionError, so nbgrader fails the cell).
Either way the result is recorded for progress() (`session`).
"""

import difflib
import json
import os
import random
from html import escape

from .exercise import Exercise, all_exercises, exercises_in, get_exercise
from .kit.failure import CheckFailed, Failure, Mistake, NotAttempted
from .kit.fmt import fmt_points, wrapped
from .kit.observe import raised
from .session import record

# Under test, every case and observation goes through JSON before it is used, as it
# will between a grading kernel and the judge: a probe that returns anything but plain
# data, or a verdict that depends on tuples staying tuples, fails loudly.
PLAIN_DATA_ONLY = os.environ.get("MICROGRAD_COURSE_PLAIN_DATA") == "1"
FAILURE_MIME = "application/vnd.micrograd-course.failure+json"  # the mistakes named, for tools
STRICT = "MICROGRAD_COURSE_STRICT"  # "1": a failing check raises even in a Jupyter kernel


def check(exercise_id, *objects, hidden=False, seed=None, quiet=False):
    """Run an exercise's check on the student's objects.

    `hidden=True` is what the hidden tests use: more and fresher random cases.
    """
    ex = get_exercise(exercise_id)
    failure = run(ex, objects, random.Random(seed), hidden)
    if failure is None:
        record(exercise_id, "passing")
        if not quiet:
            print(f"\u2714 [{exercise_id}] {ex.title}: all checks passed ({fmt_points(ex.points)})")
        return
    kind = NotAttempted if failure.keys == ("not-attempted",) else CheckFailed
    error = kind(failure, exercise_id)
    record(exercise_id, "not attempted" if kind is NotAttempted else "failing", failure.what)
    if failure.graph is not None:
        show_graph(*failure.graph)
    if stops_on_failure():
        _publish(exercise_id, failure, error)
        raise error.with_traceback(None) from None
    _show_failure(exercise_id, failure, error)


def stops_on_failure() -> bool:
    """Does a failing check raise? Under nbgrader, in the course's own runs and outside a
    Jupyter kernel, yes; in a student's kernel it shows the failure and lets the run go on."""
    if os.environ.get("NBGRADER_EXECUTION") or os.environ.get(STRICT, "") not in ("", "0"):
        return True
    try:
        from IPython import get_ipython
    except ImportError:
        return True
    return getattr(get_ipython(), "kernel", None) is None


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
        failure = crashed(ex, observation["raised"])
        # a verdict may know the mistake behind an error (its `explain(case, error)`, pure too)
        if (explain := getattr(ex.verdict, "explain", None)) and (
            mistake := explain(case, observation["raised"])
        ):
            failure.mistakes = (mistake,)
        return failure
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


def _published(exercise_id, failure: Failure, error: CheckFailed) -> dict:
    """What tools read of a failure: the exercise, the mistakes named, the error."""
    mistakes = [{"key": m.key, "message": m.message} for m in failure.mistakes]
    return {
        "exercise": exercise_id,
        "keys": list(failure.keys),
        "mistakes": mistakes,
        "error_name": type(error).__name__,
        "message": str(error),
    }


def _publish(exercise_id, failure: Failure, error: CheckFailed):
    """An invisible output naming the mistake keys (tests and reports read it)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display({FAILURE_MIME: _published(exercise_id, failure, error)}, raw=True)


FAILURE_STYLE = {  # border, background, heading colour, heading, what to do
    CheckFailed: ("#c0392b", "#fdf0ef", "#a93226", "\u2718 check failed", "Fix"),
    NotAttempted: ("#b9770e", "#fef9e7", "#7e5109", "\u00b7 not attempted yet", "Write"),
}


def _show_failure(exercise_id, failure: Failure, error: CheckFailed):
    """The failure as a block a student cannot miss (HTML, with the text beside it for
    other front ends), and the same record for tools as when it raises."""
    from IPython.display import display

    border, background, heading, verdict, todo = FAILURE_STYLE[type(error)]
    first, *rest = str(error).splitlines()
    box = (
        f"border-left:6px solid {border};background:{background};color:#1b1b1b;padding:6px 12px;"
        "margin:2px 0;font-family:var(--jp-code-font-family,monospace);font-size:var(--jp-code-font-size,13px)"
    )
    text = "white-space:pre-wrap;word-break:normal;overflow-wrap:break-word"
    block = (
        f'<div class="micrograd-course-failure" style="{box}">'
        f'<div style="color:{heading};font-weight:bold;{text}">{verdict}: {_escape(first)}</div>'
        + (f'<div style="{text}">{_escape(chr(10).join(rest))}</div>' if rest else "")
        + '<div style="color:#555;margin-top:4px;font-family:var(--jp-ui-font-family,sans-serif)">'
        f"The notebook goes on running. {todo} the exercise, run its cell, then this check again; "
        f"stuck? <code>hint(&quot;{exercise_id}&quot;)</code>. When graded, this cell fails.</div></div>"
    )
    plain = "\n".join(wrapped(f"{type(error).__name__}: {error}"))
    display(
        {"text/html": block, "text/plain": plain, FAILURE_MIME: _published(exercise_id, failure, error)},
        raw=True,
    )


def _escape(text: str) -> str:
    return escape(text, quote=False)


def hint(exercise_id=None, level=1):
    """Print hint `level` (1 to 3, each more detailed) for an exercise; hint() lists the ids.

    A mistyped id or level is answered with one line saying what exists, not a traceback."""
    exercises = all_exercises()
    if exercise_id is None:
        notebooks = dict.fromkeys(ex.notebook for ex in exercises.values())
        listed = "; ".join(", ".join(ex.id for ex in exercises_in(nb)) for nb in notebooks)
        _say(
            f'The exercises: {listed}. Ask for a hint with hint("01.forward"), a stronger one with hint("01.forward", 2).'
        )
        return
    ex = exercises.get(exercise_id) if isinstance(exercise_id, str) else None
    if ex is None:
        _say(_unknown_exercise(exercise_id, list(exercises)))
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
    _say(f"{note}Hint {level}/{count} for {exercise_id}: {ex.hints[level - 1]}{more}")


def _say(text: str) -> None:
    """Print `text` wrapped at spaces: JupyterLab breaks a long output line anywhere, mid-word."""
    print("\n".join(wrapped(text)))


def _unknown_exercise(given, ids) -> str:
    if not isinstance(given, str):
        return f'hint needs an exercise id in quotes, like hint("01.forward"), not {type(given).__name__}'
    # "01_forward", "1.forward", "01.Forward": the id written another way
    spelled = given.strip().lower().replace("_", ".").replace(" ", "")
    spelled = "0" + spelled if spelled[:1].isdigit() and spelled[1:2] == "." else spelled
    close = [spelled] if spelled in ids else difflib.get_close_matches(spelled, ids, n=3, cutoff=0.7)
    maybe = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return f"no exercise is called {given!r}; {maybe}hint() lists them all"

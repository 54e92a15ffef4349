"""Stage 3, score: put each submission's outcome into the class gradebook.

A graded job's scores are copied from its private gradebook; a submission that
could not be graded (missing, invalid, crashed, ...) gets a zero on every
graded cell and a reason. Re-running replaces a submission's scores in place:
nothing is duplicated, and manual scores and other students' grades are left
alone.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from ..cells import read_graded_cells
from ..layout import notebook_path
from .execute import Execution
from .outcome import Outcome, Status
from .prepare import open_gradebook


def record(course: Path, execution: Execution) -> Outcome:
    """The outcome of one run, written into the class gradebook."""
    if execution.status is Status.GRADED:
        return record_graded(course, execution)
    return record_zero(
        course, execution.student, execution.assignment, execution.status, execution.reason,
        sandboxed=execution.sandboxed,
    )  # fmt: skip


def record_graded(course: Path, execution: Execution) -> Outcome:
    """Copy nbgrader's scores for one submission into the class gradebook, with its
    autograded notebook and feedback."""
    s, a, graded = execution.student, execution.assignment, execution.graded
    with open_gradebook(course) as gb:
        gb.update_or_create_student(s)
        gb.update_or_create_submission(a, s, timestamp=graded.timestamp)
        for (notebook, cell), (auto, manual) in graded.scores.items():
            grade = gb.find_grade(cell, notebook, a, s)
            grade.auto_score, grade.needs_manual_grade = auto, manual
        for (notebook, cell), text in graded.comments.items():
            gb.find_comment(cell, notebook, a, s).auto_comment = text
        gb.db.commit()
        score, max_score = _score(gb, a, s)
    for kind in ("autograded", "feedback"):
        shutil.rmtree(course / kind / s / a, ignore_errors=True)
    for name, content in graded.files.items():
        kind, _, rest = name.partition("/")
        target = course / kind / s / a / rest
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return Outcome(
        student=s,
        assignment=a,
        status=Status.GRADED,
        score=score,
        max_score=max_score,
        cells=tuple(read_graded_cells(notebook_path(course / "autograded" / s, a))),
        seconds=round(execution.seconds, 2),
        sandboxed=execution.sandboxed,
    )


def record_zero(
    course: Path, student: str, assignment: str, status: Status, reason: str, sandboxed: bool | None = None
) -> Outcome:
    """Zero on every graded cell, with a reason the student and the report can read;
    the feedback says it, and what to do."""
    with open_gradebook(course) as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = 0.0, False
        gb.db.commit()
        score, max_score = _score(gb, assignment, student)
    shutil.rmtree(course / "autograded" / student / assignment, ignore_errors=True)
    feedback = course / "feedback" / student / assignment
    shutil.rmtree(feedback, ignore_errors=True)
    feedback.mkdir(parents=True)
    (feedback / f"{assignment}.html").write_text(zero_feedback(student, assignment, status, reason))
    return Outcome(student, assignment, status, score, max_score, reason, sandboxed=sandboxed)


def cell_scores(course: Path) -> dict[tuple[str, str, str], float]:
    """(student, assignment, graded cell) -> auto score, for every grade in a folder's gradebook."""
    with open_gradebook(course) as gb:
        return {
            (sub.student.id, assignment.name, grade.name): grade.auto_score
            for assignment in gb.assignments
            for sub in assignment.submissions
            for nb in sub.notebooks
            for grade in nb.grades
        }


def score_table(outcomes: dict[str, Outcome]) -> str:
    """Students down, assignments across: 'score/max', or '0 (status)' when not graded."""
    students = sorted({o.student for o in outcomes.values()})
    assignments = sorted({o.assignment for o in outcomes.values()})
    width = max([7, *map(len, students)])
    cols = [max(9, len(a)) for a in assignments]
    lines = [f"{'student':<{width}}  " + "  ".join(f"{a:>{w}}" for a, w in zip(assignments, cols))]
    for student in students:
        cells = []
        for a, w in zip(assignments, cols):
            o = outcomes.get(f"{student}/{a}")
            if o is None:
                text = "-"
            elif o.status is Status.GRADED:
                text = f"{o.score:g}/{o.max_score:g}"
            else:
                text = f"0 ({o.status.value})"
            cells.append(f"{text:>{w}}")
        lines.append(f"{student:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def _score(gb, assignment: str, student: str) -> tuple[float, float]:
    submission = gb.find_submission(assignment, student)
    return submission.score, submission.max_score


NEXT_STEP = {
    Status.MISSING: "hand in your notebook, {notebook}.",
    Status.INTERNAL_ERROR: "nothing: the grader failed, not your notebook; it will be graded again.",
}
RUN_IT_FIRST = (
    "open your notebook in JupyterLab, choose <em>Kernel &gt; Restart and run all</em>, make sure "
    "it runs to the end, run <code>micrograd-course validate {notebook}</code>, and submit again."
)


def zero_feedback(student: str, assignment: str, status: Status, reason: str) -> str:
    """The feedback page of a submission that scored zero without being run to the end."""
    notebook = html.escape(f"{assignment}.ipynb")
    next_step = NEXT_STEP.get(status, RUN_IT_FIRST).format(notebook=notebook)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(assignment)}: feedback</title></head><body>"
        f"<h1>{html.escape(assignment)}: not graded ({html.escape(status.value)})</h1>"
        f"<p>Student: {html.escape(student)}</p>"
        f"<p><strong>Score: 0.</strong> Reason: {html.escape(reason)}.</p>"
        f"<p>What to do: {next_step}</p>"
        "</body></html>\n"
    )

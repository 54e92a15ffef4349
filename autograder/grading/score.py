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
from .prepare import open_gradebook, rows_of


class Recorder:
    """The class gradebook, held open while a run records one submission after another:
    its statements are compiled once, not once a submission (a record took 80 ms when
    each opened the gradebook and looked each cell up with a query of its own; a class of
    7,000 notebooks is recorded one at a time, by the driver alone)."""

    def __init__(self, course: Path):
        self.course = Path(course)

    def __enter__(self):
        self.gb = open_gradebook(self.course)
        return self

    def __exit__(self, *exc):
        self.gb.close()

    def record(self, execution: Execution) -> Outcome:
        """The outcome of one run."""
        if execution.status is Status.GRADED:
            return self.graded(execution)
        return self.zero(
            execution.student, execution.assignment, execution.status, execution.reason, execution.sandboxed
        )

    def graded(self, execution: Execution) -> Outcome:
        """nbgrader's scores for one submission, with its autograded notebook and feedback."""
        s, a, graded = execution.student, execution.assignment, execution.graded
        score, max_score = self._write(s, a, graded.timestamp, graded.scores, graded.comments)
        course = self.course
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

    def zero(
        self, student: str, assignment: str, status: Status, reason: str, sandboxed: bool | None = None
    ) -> Outcome:
        """Zero on every graded cell, with a reason the student and the report can read;
        the feedback says it, and what to do."""
        score, max_score = self._write(student, assignment, None, None, {})
        shutil.rmtree(self.course / "autograded" / student / assignment, ignore_errors=True)
        feedback = self.course / "feedback" / student / assignment
        shutil.rmtree(feedback, ignore_errors=True)
        feedback.mkdir(parents=True)
        (feedback / f"{assignment}.html").write_text(zero_feedback(student, assignment, status, reason))
        return Outcome(student, assignment, status, score, max_score, reason, sandboxed=sandboxed)

    def _write(self, student, assignment, timestamp, scores, comments) -> tuple[float, float]:
        """Set every graded cell's score (`scores`, by (notebook, cell): (auto, needs manual
        grading); None: zero on every one) and the `comments`, in one transaction; the
        submission's new score and maximum."""
        gb = self.gb
        try:
            gb.update_or_create_student(student)
            extra = {} if timestamp is None else {"timestamp": timestamp}
            submission = gb.update_or_create_submission(assignment, student, **extra)
            grades, rows = rows_of(submission)
            for key, (auto, manual) in (
                dict.fromkeys(grades, (0.0, False)) if scores is None else scores
            ).items():
                grades[key].auto_score, grades[key].needs_manual_grade = auto, manual
            for key, text in comments.items():
                rows[key].auto_comment = text
            gb.db.commit()
            return submission.score, submission.max_score
        finally:
            gb.db.close()  # no transaction held open between two submissions


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

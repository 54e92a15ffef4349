"""Stage 3, score: put each submission's outcome into the class gradebook.

A graded job's scores are copied from its private gradebook; a submission that
could not be graded (missing, broken, crashed) gets a zero on every graded cell
and a reason. Re-running replaces a submission's scores in place: nothing is
duplicated, and manual scores and other students' grades are left alone.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from .execute import JobResult

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RESULTS = "results.json"


def load_results(course: Path) -> dict:
    path = course / RESULTS
    return json.loads(path.read_text()) if path.exists() else {}


def save_results(course: Path, results: dict) -> None:
    (course / RESULTS).write_text(json.dumps(results, indent=1, sort_keys=True))


def db_url(course: Path) -> str:
    return f"sqlite:///{course / 'gradebook.db'}"


def record_graded(course: Path, result: JobResult) -> dict:
    """Copy nbgrader's scores for one submission from its job into the class gradebook."""
    s, a = result.student, result.assignment
    with Gradebook(f"sqlite:///{result.folder / 'gradebook.db'}") as job_gb:
        job_sub = job_gb.find_submission(a, s)
        scores = {
            (nb.name, g.name): (g.auto_score, g.needs_manual_grade)
            for nb in job_sub.notebooks
            for g in nb.grades
        }
        comments = {(nb.name, c.name): c.auto_comment for nb in job_sub.notebooks for c in nb.comments}
        timestamp = job_sub.timestamp
    with Gradebook(db_url(course)) as gb:
        gb.update_or_create_student(s)
        gb.update_or_create_submission(a, s, timestamp=timestamp)
        for (notebook, cell), (auto, manual) in scores.items():
            grade = gb.find_grade(cell, notebook, a, s)
            grade.auto_score, grade.needs_manual_grade = auto, manual
        for (notebook, cell), text in comments.items():
            gb.find_comment(cell, notebook, a, s).auto_comment = text
        gb.db.commit()
        score, max_score = _score(gb, a, s)
    for kind in ("autograded", "feedback"):
        target = course / kind / s / a
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(result.folder / kind / s / a, target)
    return {
        "student": s,
        "assignment": a,
        "status": "graded",
        "reason": None,
        "score": score,
        "max_score": max_score,
        "failures": failed_checks(course / "autograded" / s / a / f"{a}.ipynb"),
        "seconds": round(result.seconds, 2),
    }


def record_zero(course: Path, student: str, assignment: str, status: str, reason: str) -> dict:
    """Zero on every graded cell, with a reason the student and the report can read."""
    with Gradebook(db_url(course)) as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = 0.0, False
        gb.db.commit()
        score, max_score = _score(gb, assignment, student)
    for kind in ("autograded",):
        shutil.rmtree(course / kind / student / assignment, ignore_errors=True)
    feedback = course / "feedback" / student / assignment
    shutil.rmtree(feedback, ignore_errors=True)
    feedback.mkdir(parents=True)
    (feedback / f"{assignment}.html").write_text(_zero_feedback(student, assignment, reason))
    return {
        "student": student,
        "assignment": assignment,
        "status": status,
        "reason": reason,
        "score": score,
        "max_score": max_score,
        "failures": [],
        "seconds": 0.0,
    }


def failed_checks(notebook_path: Path) -> list[dict]:
    """Each graded cell that failed in an autograded notebook: its id and first message line."""
    nb = nbformat.read(notebook_path, as_version=4)
    failures = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                message = ANSI.sub("", f"{output.ename}: {output.evalue}")
                failures.append({"cell": meta["grade_id"], "message": message})
                break
    return failures


def cell_scores(db_path: Path) -> dict:
    """(student, assignment, graded cell) -> auto score, for every grade in a gradebook."""
    with Gradebook(f"sqlite:///{db_path}") as gb:
        return {
            (sub.student.id, assignment.name, grade.name): grade.auto_score
            for assignment in gb.assignments
            for sub in assignment.submissions
            for nb in sub.notebooks
            for grade in nb.grades
        }


def _score(gb: Gradebook, assignment: str, student: str):
    submission = gb.find_submission(assignment, student)
    return submission.score, submission.max_score


def _zero_feedback(student, assignment, reason):
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(assignment)}: feedback</title></head><body>"
        f"<h1>{html.escape(assignment)}: not graded</h1>"
        f"<p>Student: {html.escape(student)}</p>"
        f"<p><strong>Score: 0.</strong> Reason: {html.escape(reason)}.</p>"
        "<p>What to do: open your notebook in JupyterLab, choose <em>Kernel &gt; Restart and "
        "run all</em>, make sure it runs to the end, run "
        f"<code>micrograd-course validate {html.escape(assignment)}.ipynb</code>, and submit again.</p>"
        "</body></html>\n"
    )

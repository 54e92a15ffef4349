"""Tiny in-memory notebooks and gradebooks for the grading stages' unit tests.

The assignment is the course's own 01_derivatives, cut down to three graded
cells, so the report can name them by their real exercises' titles.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.cells import FAILURE_MIME
from autograder.grading.prepare import GRADEBOOK, open_gradebook

ASSIGNMENT = "01_derivatives"
POINTS = {"01_forward_test": 2.0, "01_central_test": 2.0, "01_partials_test": 3.0}  # in notebook order


def graded_cell(grade_id, points=None, error=None, failure=None, source="check(...)"):
    """A graded code cell; `error` is (ename, evalue), `failure` what the check published."""
    points = POINTS.get(grade_id, 1.0) if points is None else points
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "points": points,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    if failure is not None:
        cell.outputs.append(new_output("display_data", data={FAILURE_MIME: failure}))
    if error is not None:
        ename, evalue = error
        cell.outputs.append(new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]))
    return cell


def answer_cell(source="x = 1"):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": "answer", "locked": False, "solution": True}
    return cell


def failure(exercise, *mistakes):
    """What a failing check publishes; each mistake a (key, message) pair."""
    return {
        "exercise": exercise,
        "keys": [key for key, _ in mistakes],
        "mistakes": [{"key": key, "message": message} for key, message in mistakes],
    }


def notebook(*cells):
    """A notebook with a text cell and an answer cell before the given cells."""
    return new_notebook(cells=[new_markdown_cell("# 01"), answer_cell(), *cells])


def passing_notebook():
    return notebook(*(graded_cell(grade_id) for grade_id in POINTS))


def write_notebook(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def make_gradebook(folder: Path, empty: Path, cells=POINTS, assignment=ASSIGNMENT) -> Path:
    """FOLDER/gradebook.db, a copy of the empty gradebook `empty` with one assignment
    of one notebook whose graded cells are `cells` (grade_id -> points)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(empty, folder / GRADEBOOK)
    with open_gradebook(folder) as gb:
        gb.add_assignment(assignment)
        gb.add_notebook(assignment, assignment)
        for grade_id, points in cells.items():
            gb.add_grade_cell(grade_id, assignment, assignment, max_score=points, cell_type="code")
    return folder / GRADEBOOK


def add_submission(folder: Path, student: str, scores: dict, assignment=ASSIGNMENT) -> None:
    """A graded submission in FOLDER's gradebook: grade_id -> auto score."""
    with open_gradebook(folder) as gb:
        gb.update_or_create_student(student)
        gb.add_submission(assignment, student)
        for grade_id, score in scores.items():
            gb.find_grade(grade_id, assignment, assignment, student).auto_score = score
        gb.db.commit()

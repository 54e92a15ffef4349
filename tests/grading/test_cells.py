"""autograder.cells: what happened in each graded cell, read off the notebook."""

from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_output
from tinycourse import failure, graded_cell, notebook, write_notebook

from autograder.cells import FAILURE_MIME, GradedCell, NamedMistake, graded_cells, read_graded_cells
from autograder.checking import runner


def test_failure_mime_is_the_one_the_checks_publish():
    assert FAILURE_MIME == runner.FAILURE_MIME == "application/vnd.micrograd-course.failure+json"


def test_each_graded_cell_in_order_with_its_error_and_named_mistakes():
    nb = notebook(
        graded_cell("01_forward_test"),
        graded_cell(
            "01_central_test",
            error=("CheckFailed", "\x1b[31m[01.central] wrong\x1b[0m\nexpected 14, got 14.3"),
            failure=failure("01.central", ("forward-for-central", "this is the forward difference")),
        ),
        graded_cell("01_partials_test", error=("NameError", "name 'partials_of_d' is not defined")),
    )
    forward, central, partials = graded_cells(nb)
    assert forward == GradedCell("01_forward_test", 2.0)
    assert forward.passed and forward.error is None and forward.keys == ()
    assert not central.passed
    assert central.error == "CheckFailed: [01.central] wrong\nexpected 14, got 14.3"  # colours gone
    assert central.first_line == "[01.central] wrong"
    assert central.exercise == "01.central"
    assert central.mistakes == (NamedMistake("forward-for-central", "this is the forward difference"),)
    assert partials.error_name == "NameError" and partials.mistakes == () and partials.exercise is None
    assert partials.points == 3.0


def test_cells_that_are_not_graded_are_left_out():
    ungraded = new_code_cell("1 / 0")
    ungraded.outputs.append(
        new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])
    )
    nb = notebook(ungraded, graded_cell("01_forward_test"))
    assert [c.grade_id for c in graded_cells(nb)] == ["01_forward_test"]


def test_a_published_failure_without_an_error_does_not_fail_the_cell():
    """nbgrader fails a cell on its error output only; a stray failure output alone passes."""
    nb = notebook(graded_cell("01_forward_test", failure=failure("01.forward", ("sign", "wrong sign"))))
    (cell,) = graded_cells(nb)
    assert cell.passed and cell.mistakes == ()


def test_a_failure_shown_without_raising_fails_the_cell():
    """In a student's own kernel a failing check shows its failure and returns (Run All goes on)."""
    shown = {
        **failure("01.forward", ("sign", "wrong sign")),
        "error_name": "CheckFailed",
        "message": "[01.forward] no",
    }
    (cell,) = graded_cells(notebook(graded_cell("01_forward_test", failure=shown)))
    assert not cell.passed and cell.error == "CheckFailed: [01.forward] no" and cell.keys == ("sign",)


def test_keys_without_messages_are_still_named():
    published = {"exercise": "01.forward", "keys": ["sign", "off-by-h"]}
    nb = notebook(graded_cell("01_forward_test", error=("CheckFailed", "no"), failure=published))
    assert graded_cells(nb)[0].mistakes == (NamedMistake("sign", ""), NamedMistake("off-by-h", ""))


def test_plain_json_and_files_read_the_same(tmp_path):
    nb = notebook(
        graded_cell("01_forward_test", error=("CheckFailed", "x"), failure=failure("01.forward", ("k", "m")))
    )
    path = write_notebook(nb, tmp_path / "nb.ipynb")
    assert read_graded_cells(path) == graded_cells(json.loads(path.read_text())) == graded_cells(nb)
    assert graded_cells(nbformat.reads(path.read_text(), as_version=4)) == graded_cells(nb)


def test_json_round_trip():
    cell = GradedCell("01_central_test", 2.0, "CheckFailed", "msg", "01.central", (NamedMistake("k", "m"),))
    assert GradedCell.from_json(json.loads(json.dumps(cell.to_json()))) == cell

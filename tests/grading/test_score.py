"""score: each outcome into the class gradebook, in place, with a zero and a reason when not graded."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from tinycourse import (
    ASSIGNMENT,
    POINTS,
    add_submission,
    failure,
    graded_cell,
    make_gradebook,
    notebook,
    write_notebook,
)

from autograder.cells import NamedMistake
from autograder.grading.execute import Execution, read_graded
from autograder.grading.outcome import Outcome, Status
from autograder.grading.prepare import GRADEBOOK, open_gradebook
from autograder.grading.score import Recorder, cell_scores, score_table

FULL = sum(POINTS.values())
CENTRAL_WRONG = graded_cell(
    "01_central_test",
    error=("CheckFailed", "[01.central] wrong"),
    failure=failure("01.central", ("divided-by-h", "divided by h instead of 2h")),
)


@pytest.fixture
def course(tmp_path, empty_gradebook):
    folder = tmp_path / "course"
    make_gradebook(folder, empty_gradebook)
    return folder


@pytest.fixture
def job(tmp_path, empty_gradebook):
    """A finished job for `student`: its gradebook with these scores, its autograded notebook and feedback."""

    def make(student, scores, nb, seconds=1.5, sandboxed=True):
        folder = tmp_path / "work" / f"{student}__{ASSIGNMENT}"
        shutil.rmtree(folder, ignore_errors=True)
        make_gradebook(folder, empty_gradebook)
        add_submission(folder, student, scores)
        write_notebook(nb, folder / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        feedback = folder / "feedback" / student / ASSIGNMENT
        feedback.mkdir(parents=True)
        (feedback / f"{ASSIGNMENT}.html").write_text(f"<p>feedback for {student}</p>")
        graded = read_graded(folder, student, ASSIGNMENT)
        shutil.rmtree(folder)  # what the job made travels in the Execution, as from a cluster's worker
        return Execution(student, ASSIGNMENT, Status.GRADED, None, seconds, graded, sandboxed)

    return make


def record(course, execution):
    with Recorder(course) as recorder:
        return recorder.record(execution)


def record_graded(course, execution):
    with Recorder(course) as recorder:
        return recorder.graded(execution)


def record_zero(course, *args):
    with Recorder(course) as recorder:
        return recorder.zero(*args)


def submission_count(course):
    with open_gradebook(course) as gb:
        return len(gb.find_assignment(ASSIGNMENT).submissions)


def test_record_graded_copies_nbgraders_scores_notebook_and_feedback(course, job):
    nb = notebook(graded_cell("01_forward_test"), CENTRAL_WRONG, graded_cell("01_partials_test"))
    outcome = record_graded(
        course, job("ada", {"01_forward_test": 2, "01_central_test": 0, "01_partials_test": 3}, nb)
    )
    assert outcome.status is Status.GRADED and outcome.reason is None
    assert (outcome.score, outcome.max_score) == (5.0, FULL)
    assert outcome.seconds == 1.5 and outcome.sandboxed is True
    assert [c.grade_id for c in outcome.cells] == list(POINTS)
    assert [c.grade_id for c in outcome.failed_cells] == ["01_central_test"]
    assert outcome.failed_cells[0].mistakes == (NamedMistake("divided-by-h", "divided by h instead of 2h"),)
    assert cell_scores(course) == {
        ("ada", ASSIGNMENT, "01_forward_test"): 2.0,
        ("ada", ASSIGNMENT, "01_central_test"): 0.0,
        ("ada", ASSIGNMENT, "01_partials_test"): 3.0,
    }
    assert (course / "autograded" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert (
        course / "feedback" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    ).read_text() == "<p>feedback for ada</p>"


def test_regrading_replaces_one_submission_in_place(course, job):
    nb = notebook(graded_cell("01_forward_test"), CENTRAL_WRONG, graded_cell("01_partials_test"))
    record_graded(course, job("ada", {"01_forward_test": 2, "01_central_test": 0, "01_partials_test": 3}, nb))
    record_graded(course, job("ben", {"01_forward_test": 0, "01_central_test": 0, "01_partials_test": 0}, nb))
    before = cell_scores(course)
    again = record_graded(course, job("ada", dict(POINTS), notebook(*(graded_cell(g) for g in POINTS))))
    after = cell_scores(course)
    assert again.score == FULL and again.failed_cells == ()
    assert set(after) == set(before) and submission_count(course) == 2  # nothing added twice
    assert {k for k in after if after[k] != before[k]} == {("ada", ASSIGNMENT, "01_central_test")}


def test_one_recorder_records_a_run_and_holds_no_lock_between_submissions(course, job):
    """A run keeps the class gradebook open; between two submissions another program
    (nbgrader's formgrader, an instructor's script) can still write to it."""
    nb = notebook(graded_cell("01_forward_test"), CENTRAL_WRONG, graded_cell("01_partials_test"))
    with Recorder(course) as recorder:
        recorder.graded(job("ada", {"01_forward_test": 2, "01_central_test": 0, "01_partials_test": 3}, nb))
        other = sqlite3.connect(course / GRADEBOOK, timeout=0.5)
        with other:  # a write, committed: it would wait for a lock held by the recorder, and fail
            other.execute("UPDATE grade SET manual_score = 1 WHERE manual_score IS NULL")
        other.close()
        zero = recorder.zero("ben", ASSIGNMENT, Status.MISSING, "nothing was handed in")
    assert zero.score == 0 and submission_count(course) == 2
    assert cell_scores(course)[("ada", ASSIGNMENT, "01_partials_test")] == 3.0


def test_record_zero_zeroes_every_cell_and_explains_why(course, job):
    record_graded(course, job("ada", dict(POINTS), notebook(*(graded_cell(g) for g in POINTS))))
    outcome = record_zero(course, "ada", ASSIGNMENT, Status.INVALID, "the submitted file is <empty>")
    assert outcome == Outcome("ada", ASSIGNMENT, Status.INVALID, 0.0, FULL, "the submitted file is <empty>")
    assert set(cell_scores(course).values()) == {0.0} and submission_count(course) == 1
    assert not (course / "autograded" / "ada" / ASSIGNMENT).exists()  # no stale notebook left
    html = (course / "feedback" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "not graded (invalid)" in html and "Score: 0." in html
    assert "the submitted file is &lt;empty&gt;" in html
    assert f"micrograd-course validate {ASSIGNMENT}.ipynb" in html


@pytest.mark.parametrize(
    ("status", "next_step"),
    [
        (Status.MISSING, f"hand in your notebook, {ASSIGNMENT}.ipynb"),
        (Status.CRASHED, "Restart and run all"),
        (Status.TIMED_OUT, "make sure it runs to the end"),
        (Status.INTERNAL_ERROR, "the grader failed, not your notebook"),
    ],
)
def test_zero_feedback_says_what_to_do(course, status, next_step):
    record_zero(course, "cy", ASSIGNMENT, status, "a reason")
    html = (course / "feedback" / "cy" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert f"not graded ({status.value})" in html and next_step in html


def test_record_dispatches_on_the_executions_status(course, job):
    graded = record(
        course, job("ada", dict(POINTS), notebook(*(graded_cell(g) for g in POINTS)), sandboxed=False)
    )
    assert graded.status is Status.GRADED and graded.score == FULL and graded.sandboxed is False
    crash = Execution("ben", ASSIGNMENT, Status.CRASHED, "the Python kernel died", 4.0, None, True)
    crashed = record(course, crash)
    assert (crashed.status, crashed.score, crashed.reason, crashed.sandboxed) == (
        Status.CRASHED,
        0.0,
        "the Python kernel died",
        True,
    )


def test_score_table():
    outcomes = [
        Outcome("ada", "01_derivatives", Status.GRADED, 7.0, 9.0),
        Outcome("ada", "02_value", Status.GRADED, 11.0, 11.0),
        Outcome("bartholomew", "01_derivatives", Status.TIMED_OUT, 0.0, 9.0, "too slow"),
        Outcome("cy", "02_value", Status.INVALID, 0.0, 11.0, "empty"),
    ]
    assert score_table({o.key: o for o in outcomes}).splitlines() == [
        "student      01_derivatives   02_value",
        "ada                     7/9      11/11",
        "bartholomew   0 (timed out)          -",
        "cy                        -  0 (invalid)",
    ]

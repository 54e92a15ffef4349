"""The judge: observations read back from a graded cell and judged outside the kernel
(in this process, on outputs built by hand)."""

from __future__ import annotations

import ast

import nbformat
import pytest
from nbformat.v4 import new_output

from autograder import exercises_in, get_exercise
from autograder.checking.emit import OBSERVATIONS_MIME
from autograder.checking.runner import FAILURE_MIME, observe
from autograder.grading.judge import (
    INCOMPLETE,
    InjectProbes,
    Judge,
    Planned,
    emission_source,
    isolation_pieces,
    verdict_of,
)
from autograder.layout import assignments


def forward(f, x, h):
    return (f(x + h) - f(x)) / h


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def observed(planned, fn, nonce=None, exercise=None):
    """The output a kernel's emit() would display for `fn` on the planned cases."""
    student = planned.exercise.bind((fn,))
    entries = [
        {"case": i, "observation": observe(planned.exercise.probe, student, c)}
        for i, c in enumerate(planned.cases)
    ]
    payload = {
        "exercise": exercise or planned.exercise.id,
        "nonce": nonce or planned.nonce,
        "observations": entries,
    }
    return new_output("display_data", data={OBSERVATIONS_MIME: payload})


@pytest.fixture
def planned():
    return Planned.draw(get_exercise("01.forward"), seed=7)


def test_the_same_seed_draws_the_same_cases_and_a_fresh_seed_other_ones(planned):
    assert Planned.draw(planned.exercise, seed=7).cases == planned.cases
    assert Planned.draw(planned.exercise).cases != planned.cases
    assert len(planned.cases) == 32 and planned.cases[0] == {"f": {"poly": [5, -4, 3]}, "x": 3.0, "h": 1e-3}


def test_right_observations_pass_and_wrong_ones_fail_with_the_lesson(planned):
    assert verdict_of(planned, [observed(planned, forward)]) is None
    failure = verdict_of(planned, [observed(planned, central)])
    assert failure.keys == ("central-for-forward",)


def test_what_the_student_printed_or_raised_beside_the_observations_does_not_count(planned):
    noise = [
        new_output("stream", name="stderr", text="warning\n"),
        new_output("stream", name="stdout", text="x"),
    ]
    assert verdict_of(planned, [*noise, observed(planned, forward)]) is None
    raised = new_output("error", ename="CheckFailed", evalue="forged failure", traceback=[])
    assert verdict_of(planned, [raised, observed(planned, forward)]) is None


@pytest.mark.parametrize(
    "outputs, why",
    [
        (lambda p: [], "recorded no observations"),
        (lambda p: [observed(p, forward), observed(p, forward)], "appeared 2 times"),
        (lambda p: [observed(p, forward, nonce="0" * 16)], "not the ones the grader asked for"),
        (lambda p: [observed(p, forward, exercise="01.central")], "not the ones the grader asked for"),
    ],
)
def test_missing_duplicated_and_foreign_observations_fail_the_cell(planned, outputs, why):
    failure = verdict_of(planned, outputs(planned))
    assert failure.keys == (INCOMPLETE,) and why in failure.what


def test_malformed_out_of_order_and_short_observations_fail_the_cell(planned):
    good = observed(planned, forward)
    entries = good["data"][OBSERVATIONS_MIME]["observations"]
    swapped = [entries[1], entries[0], *entries[2:]]
    for broken, why in (
        (swapped, "out of order"),
        (entries[:5], "recorded 5 of 32 cases"),
        ("all good", "malformed"),
    ):
        output = new_output(
            "display_data",
            data={OBSERVATIONS_MIME: {**good["data"][OBSERVATIONS_MIME], "observations": broken}},
        )
        assert why in verdict_of(planned, [output]).what


def test_an_error_that_stopped_the_cell_is_quoted(planned):
    stopped = new_output(
        "error", ename="NameError", evalue="name 'numerical_derivative' is not defined", traceback=[]
    )
    failure = verdict_of(planned, [stopped])
    assert failure.got == "NameError: name 'numerical_derivative' is not defined"


def test_the_preprocessors_rewrite_graded_cells_and_then_their_outputs():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('check("01.forward", numerical_derivative)')
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "01_forward_test",
        "points": 2,
        "solution": False,
        "locked": True,
    }
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), cell]
    resources = {"nbgrader": {"assignment": "01_derivatives"}}
    nb, resources = InjectProbes().preprocess(nb, resources)
    assert "emit(" in cell.source and "hidden" not in cell.source and nb.cells[0].source == "x = 1"
    planned = resources["micrograd_plan"]["01_forward_test"]
    assert repr(planned.nonce) in cell.source and emission_source(planned) == cell.source
    cell.outputs = [observed(planned, central)]
    nb, resources = Judge().preprocess(nb, resources)
    kinds = [o.output_type for o in cell.outputs]
    assert kinds == ["display_data", "error"] and cell.outputs[0]["data"][FAILURE_MIME]["keys"] == [
        "central-for-forward"
    ]
    assert cell.source == 'check("01.forward", numerical_derivative)'
    assert cell.metadata["micrograd"] == {"exercise": "01.forward", "seed": planned.seed}


def test_a_hidden_cell_carries_only_pieces_of_exercises_graded_before_it():
    """What a cell sends into the kernel (its isolation and the reference modules that
    carries) never includes what this exercise, or a later one, asks the student to write."""
    for assignment in assignments():
        exercises = exercises_in(assignment)
        for k, ex in enumerate(exercises):
            sent = {name for name, _ in isolation_pieces(ex)}
            earlier = {m for e in exercises[:k] for m in e.supersedes}
            later = {m for e in exercises[k:] for m in e.supersedes}
            assert not sent & later, f"{ex.id} sends {sent & later} into the kernel"
            assert {m for m in sent if m.startswith("course_engine")} <= earlier, ex.id


def answers_of(source: str) -> tuple[str, ...]:
    """The exercises whose answers an isolation module holds: its ANSWERS marker (a module
    whose answers are the reference modules it CARRIES is checked by the test above)."""
    markers = {
        t.id: ast.literal_eval(node.value)
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if getattr(t, "id", "") in ("ANSWERS", "CARRIES")
    }
    assert markers, "an isolation module must say whose answer it holds: ANSWERS = ... (or None)"
    answers = markers.get("ANSWERS")
    return () if answers is None else (answers,) if isinstance(answers, str) else tuple(answers)


@pytest.mark.parametrize("assignment", assignments())
def test_no_isolation_piece_holds_the_answer_of_its_own_exercise_or_a_later_one(assignment):
    """The same rule for the isolation modules themselves (each names, in ANSWERS, the
    exercises whose answers it holds): the piece that does 03.sub right reaches the
    kernel only in the cells of 03.pow and later."""
    exercises = exercises_in(assignment)
    position = {e.id: k for k, e in enumerate(exercises)}
    for k, ex in enumerate(exercises):
        for name, source in isolation_pieces(ex):
            if name.startswith("autograder."):
                held = [a for a in answers_of(source) if position.get(a, -1) >= k]
                assert not held, f"{ex.id}'s hidden cell brings {name}, which holds the answer to {held}"

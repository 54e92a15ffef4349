"""Grades an instructor can trust, graded for real in one class: every trick in
tests/grading/cheats.py, each in a blank notebook, scores exactly what the blank
notebook scores (and writes nothing into the gradebook), and every mangling of a
complete notebook in test_repair's catalogue keeps full marks, the repair named."""

from __future__ import annotations

import json
import random

import nbformat
import pytest
from cheats import CHEATS, blank, cheating_notebook
from nbharness import solution_namespace
from test_repair import CATALOGUE, complete

from autograder import get_exercise
from autograder.checking.runner import observe
from autograder.grading.grade import grade
from autograder.grading.judge import Planned
from autograder.grading.prepare import open_gradebook
from autograder.grading.sandbox import bwrap_works
from autograder.layout import notebook_path

pytestmark = pytest.mark.skipif(not bwrap_works(), reason="cheats are graded in the sandbox (bubblewrap)")

# tricks the course does not stop yet, each with the reason: a red test the day it is fixed
OPEN: dict[str, str] = {}


MANGLED = "04_neurons"
# graded for real: at least one of each kind of repair (all_at_once holds six more);
# test_repair holds every mangling, on every assignment, in memory
GRADED_MANGLINGS = [
    m
    for m in CATALOGUE
    if m.name
    in {
        "nbformat_3",
        "nbformat_4_0",
        "vscode_foreign_kernel",
        "huge_outputs",
        "answer_duplicated_stub_left_below",
        "metadata_and_ids_stripped",
        "answer_turned_markdown_metadata_stripped",
        "grade_cell_duplicated",
        "locked_markdown_turned_code",
        "locked_cells_after_answers_deleted",
        "answer_moved_below_its_test",
        "all_at_once",
    }
]


def recorded_observations() -> dict:
    """An honest student's observations of 01, recorded on the cases of their own grading."""
    answers = solution_namespace("01_derivatives")
    recorded = {}
    for id in ("01.forward", "01.central", "01.partials", "01.gradient"):
        ex = get_exercise(id)
        planned = Planned.draw(ex, seed=random.Random(id).randrange(2**32))
        student = ex.bind(tuple(answers[name] for name in ex.objects))
        recorded[id] = [
            {"case": i, "observation": observe(ex.probe, student, c)} for i, c in enumerate(planned.cases)
        ]
    return recorded


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cheaters")
    recorded = recorded_observations()
    for cheat in CHEATS:
        path = notebook_path(folder / cheat.name, cheat.assignment)
        path.parent.mkdir(parents=True)
        nbformat.write(cheating_notebook(cheat, recorded), path)
    for mangling in GRADED_MANGLINGS:  # a complete 04 (its deleted test cells crash plain nbgrader)
        path = notebook_path(folder / f"mangled-{mangling.name}", MANGLED)
        path.parent.mkdir(parents=True)
        made = mangling.apply(complete(MANGLED))
        path.write_bytes(made) if isinstance(made, bytes) else path.write_text(json.dumps(made))
    for assignment in {c.assignment for c in CHEATS}:
        path = notebook_path(folder / f"blank-{assignment[:2]}", assignment)
        path.parent.mkdir(parents=True)
        nbformat.write(blank(assignment), path)
    out = tmp_path_factory.mktemp("graded")
    outcomes = grade(folder, out, jobs=2, timeout=15, progress=False)
    return out, outcomes


@pytest.mark.parametrize(
    "cheat",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=OPEN[c.name])) if c.name in OPEN else c
        for c in CHEATS
    ],
    ids=lambda c: c.name,
)
def test_a_cheat_scores_what_a_blank_notebook_scores(graded, cheat):
    out, outcomes = graded
    blank_score = outcomes[f"blank-{cheat.assignment[:2]}/{cheat.assignment}"].score
    outcome = outcomes[f"{cheat.name}/{cheat.assignment}"]
    assert outcome.score == blank_score == 0, (outcome.status, outcome.reason, outcome.cells)


def test_the_catalogue_is_at_least_fifteen_tricks_and_no_cheat_wrote_the_gradebook(graded):
    out, outcomes = graded
    assert len(CHEATS) - len(OPEN) >= 15 and len(GRADED_MANGLINGS) >= 12
    with open_gradebook(out) as gb:
        earned = {(s.student.id, s.assignment.name): s.score for a in gb.assignments for s in a.submissions}
    assert all(
        score == outcomes[f"{student}/{assignment}"].score for (student, assignment), score in earned.items()
    )
    expected = {c.name for c in CHEATS if c.name not in OPEN}
    assert all(earned[(name, a)] == 0 for name, a in earned if name in expected)


def test_a_student_who_dies_after_printing_success_is_told_where_the_kernel_died(graded):
    out, _ = graded
    nb = json.loads(
        notebook_path(out / "autograded" / "die-after-a-success-line", "01_derivatives").read_text()
    )
    said = json.dumps(nb)
    assert "the kernel died while running this cell" in said and "not run: the kernel died in cell" in said


@pytest.mark.parametrize("mangling", GRADED_MANGLINGS, ids=lambda m: m.name)
def test_a_mangled_complete_notebook_keeps_full_marks_and_says_what_was_repaired(graded, mangling):
    out, outcomes = graded
    outcome = outcomes[f"mangled-{mangling.name}/{MANGLED}"]
    assert outcome.score == outcome.max_score > 0, (outcome.status, outcome.reason, outcome.cells)
    graded_nb = notebook_path(out / "autograded" / f"mangled-{mangling.name}", MANGLED).read_text()
    assert "The grader repaired this notebook before grading it" in graded_nb

"""report: pass rates by exercise, the misconception table, failures and problems, on a tiny class."""

from __future__ import annotations

import pytest
from tinycourse import ASSIGNMENT

from autograder import get_exercise
from autograder.grading.outcome import Status, load_outcomes
from autograder.grading.report import (
    MistakeCount,
    common_failures,
    misconceptions,
    name_cells,
    pass_rates,
    problem_submissions,
    write_report,
)

TITLE = {ex: get_exercise(ex).title for ex in ("01.forward", "01.central", "01.partials")}


def test_cells_are_named_by_their_exercise_in_source_order(tiny_class):
    named = name_cells(tiny_class, load_outcomes(tiny_class))
    assert list(named) == [
        (ASSIGNMENT, "01_forward_test"),
        (ASSIGNMENT, "01_central_test"),
        (ASSIGNMENT, "01_partials_test"),
    ]
    central = named[ASSIGNMENT, "01_central_test"]
    assert (central.id, central.title) == ("01.central", TITLE["01.central"])
    assert central.label == f"01.central: {TITLE['01.central']}"


def test_pass_rates_count_graded_submissions_only(tiny_class):
    rates = pass_rates(tiny_class, load_outcomes(tiny_class))
    got = [(r.exercise.id, r.exercise.title, r.passed, r.graded) for r in rates]
    assert got == [
        ("01.forward", TITLE["01.forward"], 2, 3),  # ada, ben; dee and eve were not graded
        ("01.central", TITLE["01.central"], 1, 3),
        ("01.partials", TITLE["01.partials"], 2, 3),
    ]
    assert rates[1].rate == pytest.approx(1 / 3)


def test_misconception_table_counts_students_per_named_mistake(tiny_class):
    found = {m.exercise.id: m for m in misconceptions(tiny_class, load_outcomes(tiny_class))}
    assert list(found) == ["01.forward", "01.central", "01.partials"]
    central = found["01.central"]
    assert (central.failed, central.graded) == (2, 3)
    assert central.mistakes == (
        MistakeCount("divided-by-h", "divided by h instead of 2h", 2),  # most common first
        MistakeCount("forward-for-central", "this is the forward difference", 1),
    )
    assert found["01.forward"].mistakes == (MistakeCount("sign", "f(x) - f(x + h): the sign is flipped", 1),)
    assert found["01.partials"].mistakes == (MistakeCount(None, "", 1),)  # ben's NameError named nothing


def test_common_failures_and_problem_submissions(tiny_class):
    outcomes = load_outcomes(tiny_class)
    failures = common_failures(outcomes)
    assert failures[0] == (
        "CheckFailed: [01.central] central_difference(f, x, h) is wrong for f(x) = 3x^2 - 4x + 5",
        2,
    )
    assert sorted(failures[1:]) == [
        ("CheckFailed: [01.forward] wrong sign", 1),
        ("NameError: name 'partials_of_d' is not defined", 1),
    ]
    assert [(o.student, o.status) for o in problem_submissions(outcomes)] == [
        ("dee", Status.MISSING),
        ("eve", Status.CRASHED),
    ]


def test_written_report_has_every_table(tiny_class):
    target = write_report(tiny_class)
    assert target == tiny_class / "report" / "report.md"
    assert (tiny_class / "report" / "scores.png").read_bytes()[:4] == b"\x89PNG"
    text = target.read_text()
    assert f"| 01.central | {TITLE['01.central']} | 01_central_test | 1 of 3 (33%) |" in text
    assert f"### 01.central: {TITLE['01.central']} (2 of 3 students failed)" in text
    assert "| 2 | `divided-by-h` | divided by h instead of 2h |" in text
    assert "| 1 | (none named) | see the most common failures below |" in text
    assert "- 2 x CheckFailed: [01.central] central_difference(f, x, h) is wrong" in text
    assert "- dee / 01_derivatives: missing: no notebook was submitted" in text
    assert "- eve / 01_derivatives: crashed: the Python kernel died" in text
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Pass rate per exercise",
        "## Misconceptions",
        "## Most common failures",
        "## Submissions not graded",
    ]


def test_table_cells_keep_pipes_and_newlines_inside():
    from autograder.grading.report import _cell

    assert _cell("a | b\n  c") == "a \\| b c"


def test_no_results_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `micrograd-course grade` first"):
        write_report(tmp_path)

"""The stages' contract: outcomes saved to results.json load back as the same types."""

from __future__ import annotations

import json

from autograder.cells import GradedCell, NamedMistake
from autograder.grading.outcome import (
    JOURNAL,
    Journal,
    Outcome,
    Status,
    load_outcomes,
    results_path,
    save_outcomes,
)

CENTRAL = GradedCell(
    "01_central_test", 2.0, "CheckFailed", "[01.central] wrong", "01.central", (NamedMistake("k", "m"),)
)


def test_outcomes_round_trip_through_results_json(tmp_path):
    graded = Outcome(
        "ada",
        "01_derivatives",
        Status.GRADED,
        7.0,
        9.0,
        cells=(GradedCell("01_forward_test", 2.0), CENTRAL),
        seconds=3.14159,
        sandboxed=True,
    )
    missing = Outcome("ben", "01_derivatives", Status.MISSING, 0.0, 9.0, "no notebook was submitted")
    save_outcomes(tmp_path, {o.key: o for o in (missing, graded)})
    loaded = load_outcomes(tmp_path)
    assert list(loaded) == ["ada/01_derivatives", "ben/01_derivatives"]
    assert loaded["ben/01_derivatives"] == missing
    assert loaded["ada/01_derivatives"].status is Status.GRADED
    assert loaded["ada/01_derivatives"].cells == graded.cells
    assert loaded["ada/01_derivatives"].seconds == 3.14  # rounded on the way out
    assert loaded["ada/01_derivatives"].failed_cells == (CENTRAL,)
    data = json.loads(results_path(tmp_path).read_text())
    assert (
        data["ada/01_derivatives"]["status"] == "graded" and data["ben/01_derivatives"]["sandboxed"] is None
    )
    assert not list(tmp_path.glob("*.partial"))


def test_no_results_yet_is_no_outcomes(tmp_path):
    assert load_outcomes(tmp_path) == {}


def test_every_status_survives_json_and_the_old_name_of_invalid_loads():
    for status in Status:
        assert Status(json.loads(json.dumps(status.value))) is status
    assert Status("broken") is Status.INVALID


def test_the_journal_of_a_run_that_was_stopped_counts_only_what_it_finished(tmp_path):
    """A run appends as it records; one stopped midway (even mid-line) has recorded exactly the
    submissions whose outcome line is whole, and a submission it was re-recording counts as not
    recorded, so the next run grades it again."""
    ada = Outcome("ada", "01_derivatives", Status.GRADED, 9.0, 9.0, digest="a1")
    ben = Outcome("ben", "01_derivatives", Status.CRASHED, 0.0, 9.0, "the kernel died", digest="b1")
    cy = Outcome("cy", "01_derivatives", Status.GRADED, 2.0, 9.0, digest="c1")
    save_outcomes(tmp_path, {o.key: o for o in (ada, ben)})
    journal = Journal(tmp_path)
    journal.recording(cy.key)
    journal.done(cy)
    journal.recording(ada.key)  # stopped while ada's grades were being replaced
    journal.close()
    assert load_outcomes(tmp_path) == {ben.key: ben, cy.key: cy}
    with open(tmp_path / JOURNAL, "a") as torn:
        torn.write('{"outcome": {"student": "dee", "assig')
    assert load_outcomes(tmp_path) == {ben.key: ben, cy.key: cy}
    save_outcomes(tmp_path, load_outcomes(tmp_path))  # what a finished run does
    assert not (tmp_path / JOURNAL).exists()
    assert load_outcomes(tmp_path) == {ben.key: ben, cy.key: cy}

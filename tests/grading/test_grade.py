"""grade's own steps: which submissions an earlier run already graded, and one run per folder."""

from __future__ import annotations

import psutil
import pytest
from tinycourse import ASSIGNMENT

from autograder.grading.collect import Submission
from autograder.grading.execute import Settings
from autograder.grading.grade import digest_of, keep_earlier_grades, only_run
from autograder.grading.outcome import Outcome, Status
from autograder.grading.prepare import SOURCE_STAMP
from autograder.layout import SAMPLE_CLASS


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / SOURCE_STAMP).write_text("release 1")
    return folder


def handed_in(tmp_path, student, text):
    path = tmp_path / "in" / student / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return Submission(student, ASSIGNMENT, path)


def test_a_grade_depends_on_the_notebook_its_nbgrader_files_the_release_and_the_limits(tmp_path, course):
    ada = handed_in(tmp_path, "ada", "{}")
    first = digest_of(ada, course, Settings())
    assert digest_of(ada, course, Settings()) == first
    (ada.path.parent / "timestamp.txt").write_text("2026-12-01 10:00:00")
    stamped = digest_of(ada, course, Settings())
    assert stamped != first
    ada.path.write_text('{"cells": []}')
    assert digest_of(ada, course, Settings()) not in (first, stamped)
    changed = {
        digest_of(ada, course, Settings(timeout=60)),
        digest_of(ada, course, Settings(sandboxed=False)),
    }
    (course / SOURCE_STAMP).write_text("release 2")
    changed.add(digest_of(ada, course, Settings()))
    assert len(changed) == 3 and not changed & {first, stamped}


def test_an_earlier_runs_grades_are_kept_unless_something_changed_or_it_was_our_fault(tmp_path, course):
    found = [handed_in(tmp_path, s, "{}") for s in ("ada", "ben", "cy", "dee")]
    found.append(Submission("eve", ASSIGNMENT, None))  # missing: scored zero again, cheaply
    digests = {s.key: digest_of(s, course, Settings()) for s in found if s.status is None}
    earlier = {
        "ada": Outcome("ada", ASSIGNMENT, Status.GRADED, 9.0, 9.0, digest=digests[f"ada/{ASSIGNMENT}"]),
        "ben": Outcome(
            "ben", ASSIGNMENT, Status.TIMED_OUT, 0.0, 9.0, "slow", digest=digests[f"ben/{ASSIGNMENT}"]
        ),
        "cy": Outcome(
            "cy", ASSIGNMENT, Status.INTERNAL_ERROR, 0.0, 9.0, "ours", digest=digests[f"cy/{ASSIGNMENT}"]
        ),
        "dee": Outcome("dee", ASSIGNMENT, Status.GRADED, 9.0, 9.0, digest="another notebook"),
        "eve": Outcome("eve", ASSIGNMENT, Status.MISSING, 0.0, 9.0, "no notebook"),
    }
    notices = []
    left = keep_earlier_grades(found, {o.key: o for o in earlier.values()}, digests, notices)
    assert [s.student for s in left] == ["cy", "dee", "eve"]
    assert notices == [
        "2 submission(s) graded by an earlier run from the same notebook, release and limits kept "
        "their grades (--force grades them again)"
    ]
    assert keep_earlier_grades(found, {}, digests, []) == found


def test_one_grade_at_a_time_per_folder(course):
    with only_run(course):
        with pytest.raises(RuntimeError, match="another `micrograd-course grade` is grading into"):
            with only_run(course):
                pass
    with only_run(course):  # free again once the first has ended
        pass


def test_the_workers_started_ahead_are_stopped_when_grading_fails_before_it_uses_them(tmp_path, monkeypatch):
    """grade starts its workers (a process each, importing nbgrader) before preparing the
    course; a failure after that leaves no process behind."""
    from autograder.grading import grade as grading

    def broken(course, timeout):
        assert len(psutil.Process().children()) == 2, "the two workers are running by now"
        raise RuntimeError("the release is broken")

    monkeypatch.setattr(grading, "prepare", broken)
    with pytest.raises(RuntimeError, match="the release is broken"):
        grading.grade(SAMPLE_CLASS, tmp_path / "out", jobs=2, progress=False)
    assert psutil.Process().children(recursive=True) == []

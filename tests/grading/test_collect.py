"""collect: which submissions there are, whose they are, and which cannot be run."""

from __future__ import annotations

import json
import tempfile
import zipfile

import pytest
from tinycourse import passing_notebook, write_notebook

from autograder.grading.collect import find_submissions, notebook_problem, spare_earlier_work, stage
from autograder.grading.outcome import Status

ASSIGNMENTS = ["01_derivatives", "02_value", "03_backprop"]


def found(source, **options):
    return {(s.student, s.assignment): s for s in find_submissions(source, ASSIGNMENTS, **options)}


def put(folder, name, data=None):
    path = folder / name
    if data is None:
        write_notebook(passing_notebook(), path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def test_nbgrader_layout_prefers_the_assignments_own_notebook_name(tmp_path):
    put(tmp_path, "ada/01_derivatives/01_derivatives.ipynb")
    put(tmp_path, "ada/01_derivatives/a_copy.ipynb")
    put(tmp_path, "ben/02_value/my work.ipynb")
    put(tmp_path, "ben/99_unknown/99_unknown.ipynb")  # not an assignment of the course
    put(tmp_path, "__MACOSX/ada/01_derivatives/01_derivatives.ipynb")
    got = found(tmp_path)
    assert set(got) == {("ada", "01_derivatives"), ("ben", "02_value")}
    assert got["ada", "01_derivatives"].path.name == "01_derivatives.ipynb"
    assert got["ben", "02_value"].path.name == "my work.ipynb"
    assert all(s.status is None and s.problem is None for s in got.values())
    assert got["ada", "01_derivatives"].key == "ada/01_derivatives"


def test_lms_file_names_with_the_default_pattern(tmp_path):
    put(tmp_path, "jdoe_01_derivatives.ipynb")
    put(tmp_path, "ada.lovelace_1234_03_backprop.ipynb")  # an LMS id between name and assignment
    put(tmp_path, "sub/k-9_02_value_late.ipynb")  # in a sub-folder, a suffix after the assignment
    put(tmp_path, "notes.ipynb")  # names no student
    put(tmp_path, "jdoe_essay.ipynb")  # names no assignment
    put(tmp_path, ".ipynb_checkpoints/jdoe_02_value-checkpoint.ipynb")
    put(tmp_path, "__MACOSX/._jdoe_02_value.ipynb", b"\x00\x05\x16\x07")  # macOS zip clutter
    assert set(found(tmp_path)) == {
        ("jdoe", "01_derivatives"),
        ("ada.lovelace", "03_backprop"),
        ("k-9", "02_value"),
    }


def test_lms_custom_pattern_with_student_and_assignment_groups(tmp_path):
    put(tmp_path, "Submission 17 - 02_value - attempt 1.ipynb")
    pattern = r"Submission (?P<student>\d+) - (?P<assignment>\w+) -"
    assert set(found(tmp_path, pattern=pattern)) == {("17", "02_value")}
    with pytest.raises(ValueError, match=r"\(\?P<student>"):
        found(tmp_path, pattern=r"Submission (\d+)")


def test_the_first_file_of_a_student_wins(tmp_path):
    first = put(tmp_path, "ada_1_01_derivatives.ipynb")
    put(tmp_path, "ada_2_01_derivatives.ipynb")
    assert found(tmp_path)["ada", "01_derivatives"].path == first


def test_zip_export_never_writes_outside_its_folder(tmp_path, monkeypatch):
    unpack = tmp_path / "unpack"
    unpack.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(unpack))
    notebook = json.dumps(passing_notebook())
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ada_1234_01_derivatives.ipynb", notebook)
        zf.writestr("folder/chen_99_03_backprop.ipynb", notebook)
        zf.writestr("../escape_01_derivatives.ipynb", notebook)
        zf.writestr("/tmp/absolute_01_derivatives.ipynb", notebook)
    got = found(archive)
    assert set(got) == {("ada", "01_derivatives"), ("chen", "03_backprop")}
    assert not (tmp_path / "escape_01_derivatives.ipynb").exists()
    assert all(unpack in s.path.parents for s in got.values())


def test_files_that_are_not_notebooks_are_invalid_with_a_reason(tmp_path):
    put(tmp_path, "ada/01_derivatives/01_derivatives.ipynb", b"")
    put(tmp_path, "ada/02_value/02_value.ipynb", b"{ this is not json")
    put(tmp_path, "ada/03_backprop/03_backprop.ipynb", b'{"cells": [], "nbformat": 3}')
    got = found(tmp_path)
    assert {s.status for s in got.values()} == {Status.INVALID}
    assert got["ada", "01_derivatives"].problem.startswith("The file you handed in is empty.")
    assert "it is not valid JSON (line 1, column 3" in got["ada", "02_value"].problem
    assert got["ada", "03_backprop"].problem.startswith(
        "The file you handed in is JSON but not a Jupyter notebook (it has no nbformat 4 cells)"
    )


def test_notebook_problem_of_binary_and_of_a_good_notebook(tmp_path):
    assert "it is not text" in notebook_problem(put(tmp_path, "bin.ipynb", b"\xff\xfe\x00"))
    assert notebook_problem(put(tmp_path, "good.ipynb", None)) is None
    assert notebook_problem(put(tmp_path, "list.ipynb", b"[1, 2]")).startswith(
        "The file you handed in is JSON"
    )


def test_expected_assignments_are_missing_for_whoever_did_not_hand_them_in(tmp_path):
    put(tmp_path, "ada/01_derivatives/01_derivatives.ipynb")
    put(tmp_path, "ada/02_value/02_value.ipynb")
    put(tmp_path, "ben/02_value/02_value.ipynb")
    got = found(tmp_path, expected=["01_derivatives"])
    assert set(got) == {
        ("ada", "01_derivatives"),
        ("ada", "02_value"),
        ("ben", "01_derivatives"),
        ("ben", "02_value"),
    }
    missing = got["ben", "01_derivatives"]
    assert missing.path is None and missing.status is Status.MISSING
    assert missing.problem == "no notebook was submitted"
    assert [s.key for s in find_submissions(tmp_path, ASSIGNMENTS)] == [
        "ada/01_derivatives",
        "ada/02_value",
        "ben/02_value",
    ]
    with pytest.raises(ValueError, match="unknown assignment.*99_nope.*the course has 01_derivatives"):
        found(tmp_path, expected=["99_nope"])


def test_clear_errors_for_a_wrong_source(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        found(tmp_path / "nope")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="neither a folder nor a zip"):
        found(tmp_path / "notes.txt")
    with pytest.raises(ValueError, match="no submissions found .* 'student_01_derivatives.ipynb'"):
        found(tmp_path)


def test_stage_puts_submissions_in_nbgraders_layout_and_replaces_old_ones(tmp_path):
    source = tmp_path / "in"
    put(source, "ada_01_derivatives.ipynb")
    course = tmp_path / "course"
    old = put(course / "submitted", "ada/01_derivatives/old.ipynb")
    put(course / "submitted", "ben/01_derivatives/01_derivatives.ipynb")
    submissions = find_submissions(source, ASSIGNMENTS, expected=["01_derivatives", "02_value"])
    stage(submissions, course)
    target = course / "submitted" / "ada" / "01_derivatives" / "01_derivatives.ipynb"
    assert target.read_bytes() == (source / "ada_01_derivatives.ipynb").read_bytes()
    assert not old.exists()  # a re-run replaces, never mixes
    assert not (course / "submitted" / "ada" / "02_value").exists()  # missing: nothing to stage
    assert (course / "submitted" / "ben" / "01_derivatives").exists()  # not in this batch: untouched


def test_late_work_never_zeroes_what_an_earlier_batch_brought(tmp_path):
    put(tmp_path, "ada/02_value/02_value.ipynb")
    put(tmp_path, "ben/02_value/02_value.ipynb")
    batch = find_submissions(tmp_path, ASSIGNMENTS, expected=["01_derivatives", "02_value"])
    kept = spare_earlier_work(batch, {"ada/01_derivatives", "ada/02_value"})
    assert [s.key for s in kept] == ["ada/02_value", "ben/01_derivatives", "ben/02_value"]
    assert [s.status for s in kept] == [None, Status.MISSING, None]

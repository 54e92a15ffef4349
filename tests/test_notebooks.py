"""The course notebooks as nbgrader sees them: sources validate, student versions
are exactly a fresh release, and an untouched student notebook earns nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbharness import NOTEBOOKS, ROOT, SOLUTIONS, graded_results, run

from autograder import exercises_in
from autograder.grading.release import assignments, graded_cell_differences, release, sync_graded_cells

ASSIGNMENTS = assignments()


def student_path(name):
    return NOTEBOOKS / name / f"{name}.ipynb"


def nbgrader_validate(*args):
    """`nbgrader validate` with these arguments, run from the repository root."""
    command = [sys.executable, "-m", "nbgrader", "validate", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def test_there_are_notebooks():
    assert len(ASSIGNMENTS) >= 6, ASSIGNMENTS


def test_student_notebooks_are_a_fresh_release(tmp_path):
    release(tmp_path, quiet=True)
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.ipynb"))
    committed = sorted(p.relative_to(NOTEBOOKS) for p in NOTEBOOKS.rglob("*.ipynb"))
    assert fresh == committed, "notebooks/ has different files: run `make release`"
    for rel in fresh:
        assert json.loads((tmp_path / rel).read_text()) == json.loads((NOTEBOOKS / rel).read_text()), (
            f"notebooks/{rel} differs from a fresh release of solutions/: run `make release` and commit"
        )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_graded_cells_are_written_from_the_declarations(name):
    """Each exercise of the notebook has one graded cell, with its points and check() calls."""
    assert exercises_in(name), f"{name} declares no exercises"
    for folder, released in ((SOLUTIONS, False), (NOTEBOOKS, True)):
        nb = nbformat.read(folder / name / f"{name}.ipynb", as_version=4)
        assert graded_cell_differences(nb, name, released) == [], folder


def test_release_refuses_a_notebook_that_disagrees_with_its_declarations(tmp_path):
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    path = tmp_path / "solutions" / "01_derivatives" / "01_derivatives.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "01_central_test")
    cell.metadata.nbgrader.points = 5
    nbformat.write(nb, path)
    with pytest.raises(RuntimeError, match="01_central_test is worth 5, 01.central says 2"):
        release(tmp_path / "out", root=tmp_path, quiet=True)
    assert sync_graded_cells(tmp_path) == ["01_derivatives"]
    assert graded_cell_differences(nbformat.read(path, as_version=4), "01_derivatives") == []


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_validate_passes_on_the_solution(name):
    result = nbgrader_validate(SOLUTIONS / name / f"{name}.ipynb")
    assert "Success! Your notebook passes all the tests." in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_validate_invert_fails_every_graded_cell_of_the_student_notebook(name):
    result = nbgrader_validate("--invert", student_path(name))
    assert "Success! The notebook does not pass any tests." in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_untouched_student_notebook_says_not_attempted_everywhere(name):
    path = student_path(name)
    results = graded_results(run(nbformat.read(path, as_version=4), path.parent))
    assert results
    for grade_id, error in results.items():
        assert error is not None and "not attempted yet" in error, f"{name}/{grade_id}: {error}"


def test_given_and_demo_cells_of_a_student_notebook_may_raise_without_stopping_run_all():
    from autograder.grading.release import MAY_RAISE, tag_cells_that_may_raise

    nb = nbformat.read(SOLUTIONS / "03_backprop" / "03_backprop.ipynb", as_version=4)
    tagged = tag_cells_that_may_raise(nbformat.from_dict(json.loads(nbformat.writes(nb))))
    for cell in tagged.cells:
        meta, tags = cell.metadata.get("nbgrader", {}), cell.metadata.get("tags", [])
        expected = cell.cell_type == "code" and not meta.get("solution") and not meta.get("grade")
        assert (MAY_RAISE in tags) == expected, (meta.get("grade_id"), tags)
    assert tag_cells_that_may_raise(tagged) == tagged  # once only

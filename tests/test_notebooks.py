"""The course notebooks as nbgrader sees them: sources validate, student versions
are exactly a fresh release, and an untouched student notebook earns nothing."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import pytest
from nbharness import NOTEBOOKS, ROOT, SOLUTIONS, graded_results, run

from autograder import all_exercises, get_exercise
from autograder.grading.release import assignments, release

ASSIGNMENTS = assignments()
CHECK_CALL = re.compile(r'check\("([^"]+)"')


def student_path(name):
    return NOTEBOOKS / name / f"{name}.ipynb"


def graded_cells(path):
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]


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
def test_each_graded_cell_checks_one_declared_exercise_with_its_points(name):
    cells = graded_cells(SOLUTIONS / name / f"{name}.ipynb")
    assert cells, f"{name} has no graded cells"
    seen = set()
    for cell in cells:
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        ids = set(CHECK_CALL.findall(visible))
        assert len(ids) == 1, f"{name}: graded cell {cell.metadata.nbgrader.grade_id} checks {ids}"
        (exercise_id,) = ids
        assert exercise_id.startswith(name[:2] + "."), f"{exercise_id} in notebook {name}"
        assert "### BEGIN HIDDEN TESTS" in cell.source, f"{exercise_id} has no hidden tests"
        ex = get_exercise(exercise_id)
        assert cell.metadata.nbgrader.points == ex.points, f"{exercise_id}: points differ"
        assert exercise_id not in seen, f"{exercise_id} graded twice"
        seen.add(exercise_id)
    declared = {e for e in all_exercises() if e.startswith(name[:2] + ".")}
    assert seen == declared, f"{name}: declared but not graded: {declared - seen}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_validate_passes_on_the_solution(name):
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "validate", str(SOLUTIONS / name / f"{name}.ipynb")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert "Success! Your notebook passes all the tests." in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_validate_invert_fails_every_graded_cell_of_the_student_notebook(name):
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "validate", "--invert", str(student_path(name))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert "Success! The notebook does not pass any tests." in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_untouched_student_notebook_says_not_attempted_everywhere(name):
    path = student_path(name)
    results = graded_results(run(nbformat.read(path, as_version=4), path.parent))
    assert results
    for grade_id, error in results.items():
        assert error is not None and "not attempted yet" in error, f"{name}/{grade_id}: {error}"

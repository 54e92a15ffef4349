"""What a student sees besides the message: the highlighted graph, hints, progress."""

from __future__ import annotations

import subprocess
import sys

import pytest
from nbharness import ROOT, Mutant, cells_checking, graded_keys, run, solution_path

from autograder import all_exercises, get_exercise, hint
from autograder.checking.progress import progress, progress_table

SAMPLE = ROOT / "examples" / "sample_class"


def test_failing_gradient_check_draws_the_graph_with_the_wrong_nodes_highlighted():
    mutant = Mutant(
        "f.grad from the wrong factor",
        "03_backprop",
        "03.manual",
        find="f.grad = d.data * L.grad",
        replace="f.grad = f.data * L.grad",
        key="product-operands-swapped",
    )
    nb = run(mutant.apply(), solution_path("03_backprop").parent)
    (grade_id,) = cells_checking(nb, "03.manual")
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    svgs = [o.data["image/svg+xml"] for o in cell.outputs if "image/svg+xml" in o.get("data", {})]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert errors and "f.grad" in errors[0].evalue
    assert graded_keys(nb)[grade_id][0] == mutant.key
    assert len(svgs) == 1, "the failing check should draw its graph once"
    svg = svgs[0]
    assert svg.count('fill="#f8c4c4"') == 1  # only f disagrees with the finite difference
    assert "finite difference 4" in svg  # dL/df = d = 4 at the curriculum's point


@pytest.mark.parametrize("exercise_id", sorted(all_exercises()))
def test_every_exercise_has_one_to_three_hints_of_growing_detail(exercise_id, capsys):
    ex = get_exercise(exercise_id)
    assert 1 <= len(ex.hints) <= 3
    hint(exercise_id)
    first = capsys.readouterr().out
    assert first.startswith(f"Hint 1/{len(ex.hints)} for {exercise_id}: ")
    hint(exercise_id, len(ex.hints))
    assert "says more" not in capsys.readouterr().out
    assert len(set(ex.hints)) == len(ex.hints) and all(len(h) >= 8 for h in ex.hints)


def test_a_mistyped_hint_id_gets_one_line_naming_the_close_ones(capsys):
    for mistyped, meant in (
        ("01.centre", "'01.central'"),
        ("01_forward", "'01.forward'"),
        ("03.backwards", "'03.backward'"),
    ):
        hint(mistyped)  # no traceback
        said = capsys.readouterr().out
        assert (
            said.count("\n") == 1 and f"did you mean {meant}?" in said and "hint() with no arguments" in said
        )
    hint(42)
    assert 'in quotes, like hint("01.forward")' in capsys.readouterr().out
    hint()
    listed = capsys.readouterr().out
    assert "01.forward, 01.central, 01.partials, 01.gradient; 02.value" in listed


def test_a_hint_level_out_of_range_says_which_levels_exist(capsys):
    hint("01.forward", 9)
    said = capsys.readouterr().out
    assert "01.forward has 3 hints (levels 1 to 3); here is the last." in said and "Hint 3/3" in said
    hint("01.forward", 0)
    assert "here is the first." in capsys.readouterr().out
    for level in (2.5, "2", None):
        hint("01.forward", level)
        said = capsys.readouterr().out
        assert "hint levels are whole numbers, 1 to 3" in said and "Hint 1/3" in said


def test_progress_from_a_students_own_notebooks():
    rows = progress(SAMPLE / "chen", show=False)
    status = {r.exercise: r.status for r in rows}
    assert status["01.forward"] == "passing"
    assert status["01.central"] == "failing"
    assert status["03.tanh"] == "failing"
    assert status["03.manual"] == "passing"
    failing = next(r for r in rows if r.exercise == "01.central")
    assert "forward difference" in failing.message or "central" in failing.message
    table = progress_table(rows)
    assert "01_derivatives" in table and "\u2718 failing" in table and "total:" in table


def test_progress_command_on_untouched_notebooks():
    done = subprocess.run(
        [sys.executable, "-m", "autograder.grading.cli", "progress", str(ROOT / "notebooks")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "not attempted" in done.stdout and "passing" not in done.stdout
    assert "total: 0 of" in done.stdout

"""What a student sees besides the message: the highlighted graph, hints, progress."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import nbformat
import pytest
from nbformat.v4 import new_output
from nbharness import ROOT, Mutant, cells_checking, failure, graded_keys, run, solution_path

from autograder import CheckFailed, all_exercises, check, get_exercise, hint
from autograder.checking import runner, session
from autograder.checking.progress import progress

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
        assert said.count("\n") == 1 and f"did you mean {meant}?" in said and "hint() lists them all" in said
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


def saved_course(tmp_path, outputs):
    """The student notebooks in tmp_path, 01's answers edited and its graded cells given
    these saved outputs (grade_id -> outputs) as if a student had run and saved them."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "course")
    path = tmp_path / "course" / "01_derivatives" / "01_derivatives.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = cell.source.replace("raise NotImplementedError()", "return 0.0")
        if cell.cell_type == "code":
            cell.outputs = outputs.get(meta.get("grade_id"), [])
    nbformat.write(nb, path)
    return tmp_path / "course"


def shown_failure(exercise_id, fn):
    """The outputs a failing check leaves in a student's own kernel (it shows, it does not raise)."""
    error = failure(exercise_id, fn, hidden=False)
    payload = runner._published(exercise_id, error.failure, error)
    return [new_output("display_data", data={"text/plain": str(error), runner.FAILURE_MIME: payload})]


def test_progress_reads_the_saved_outputs_of_each_notebook_without_running_it(tmp_path, monkeypatch):
    passed = [new_output("stream", name="stdout", text="\u2714 [01.forward] ...: all checks passed\n")]
    raised = [new_output("error", ename="CheckFailed", evalue="[01.partials] wrong partials", traceback=[])]
    folder = saved_course(
        tmp_path,
        {
            "01_forward_test": passed,
            "01_central_test": shown_failure("01.central", lambda f, x, h: (f(x + h) - f(x)) / h),
            "01_partials_test": raised,
        },
    )
    monkeypatch.setattr(session, "RESULTS", {})  # no check has run in this process
    start = time.perf_counter()
    shown = progress(folder)
    elapsed = time.perf_counter() - start
    status = shown.status()
    assert status["01.forward"] == "passing"
    assert status["01.central"] == "failing"  # shown, not raised: the run went on
    assert status["01.partials"] == "failing"
    assert status["01.gradient"] == "not checked"  # edited, but its check has no saved output
    assert status["03.manual"] == "not attempted"  # an untouched notebook
    central = next(r for r in shown.rows if r.exercise == "01.central")
    assert central.message.startswith("central_difference(f, x, h) is wrong")
    text = str(shown)
    assert str(folder.resolve()) in text and "saved 20" in text and "live" not in text
    assert len(text.splitlines()) < 15 and repr(shown) == text
    assert "<table" in shown._repr_html_() and 'data-status="failing"' in shown._repr_html_()
    assert elapsed < 2, f"progress() took {elapsed:.2f} s"


def test_progress_of_the_notebook_in_this_process_is_live(tmp_path, monkeypatch):
    """What the checks just found wins over what the file says (it was saved failing)."""
    monkeypatch.setattr(session, "RESULTS", {})
    raised = [new_output("error", ename="CheckFailed", evalue="[01.forward] wrong", traceback=[])]
    folder = saved_course(tmp_path, {"01_forward_test": raised})
    check("01.forward", lambda f, x, h: (f(x + h) - f(x)) / h, quiet=True)
    with pytest.raises(CheckFailed):
        check("01.central", lambda f, x, h: (f(x + h) - f(x)) / h)
    shown = progress(folder)
    status = shown.status()
    assert status["01.forward"] == "passing" and status["01.central"] == "failing"
    assert status["01.partials"] == "not checked"  # not run in this process yet
    assert status["02.value"] == "not attempted"  # from 02's saved file
    assert "01_derivatives: live" in str(shown) and "live: this kernel" in str(shown)


def test_progress_of_the_whole_solved_course_in_under_two_seconds(monkeypatch):
    monkeypatch.setattr(session, "RESULTS", {})
    start = time.perf_counter()
    shown = progress(ROOT / "solutions")  # every notebook saved with its outputs
    elapsed = time.perf_counter() - start
    assert set(shown.status().values()) == {"passing"}, shown
    assert elapsed < 2, f"progress() took {elapsed:.2f} s"


def test_progress_command_names_the_folder_it_read():
    """Run at the course's root (where `make lab` is typed) it reads notebooks/."""
    done = subprocess.run(
        [sys.executable, "-m", "autograder.grading.cli", "progress"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no kernel, no warnings
    assert "not attempted" in done.stdout and "passing" in done.stdout  # the legend names it
    assert "Progress: 0 of" in done.stdout and str(ROOT / "notebooks") in done.stdout


def test_progress_command_outside_a_course_folder_says_how_to_name_one(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "autograder.grading.cli", "progress"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert str(tmp_path) in done.stdout and "micrograd-course progress PATH" in done.stdout
    named = subprocess.run(
        [sys.executable, "-m", "autograder.grading.cli", "progress", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert named.returncode == 2 and "micrograd-course progress PATH" in named.stderr


FORWARD_AS_CENTRAL = "def central_difference(f, x, h):\n    return (f(x + h) - f(x)) / h\n"


def test_in_a_students_kernel_a_failing_check_shows_its_failure_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.delenv("MICROGRAD_COURSE_STRICT", raising=False)
    cells = [
        "from autograder import check, hint, progress",
        FORWARD_AS_CENTRAL + 'check("01.central", central_difference)',
        'check("01.forward", lambda f, x, h: (f(x + h) - f(x)) / h)',
        "progress()",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    run(nb, tmp_path)
    outputs = [cell.outputs for cell in nb.cells]
    assert not [o for cell in outputs for o in cell if o.output_type == "error"], outputs
    (shown,) = outputs[1]
    html, plain = shown.data["text/html"], shown.data["text/plain"]
    assert "\u2718 check failed: [01.central] central_difference(f, x, h) is wrong" in html
    assert "likely mistake: " in html and "word-break:normal" in html
    assert plain.startswith("CheckFailed: [01.central]") and "likely mistake" in plain
    assert shown.data[runner.FAILURE_MIME]["keys"][0] == "forward-for-central"
    assert "all checks passed" in outputs[2][0].text  # the next cell ran
    table = outputs[3][0].data
    assert 'data-status="failing"' in table["text/html"] and 'data-status="passing"' in table["text/html"]
    assert len(table["text/plain"].splitlines()) < 5  # no folder of notebooks here: this kernel's only


def test_validate_still_fails_a_failing_check(tmp_path, monkeypatch):
    """nbgrader sets NBGRADER_EXECUTION in the kernel's environment: there a failing check raises."""
    from autograder.checking.validate import validate

    monkeypatch.delenv("MICROGRAD_COURSE_STRICT", raising=False)
    answer = nbformat.v4.new_code_cell("from autograder import check\n" + FORWARD_AS_CENTRAL)
    graded = nbformat.v4.new_code_cell('check("01.central", central_difference)')
    graded.metadata["nbgrader"] = {
        **{"grade": True, "grade_id": "01_central_test", "points": 2, "locked": True},
        **{"schema_version": 3, "solution": False, "task": False},
    }
    path = tmp_path / "01_derivatives.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[answer, graded]), path)
    ok, said = validate(path)
    assert not ok and "FAILED" in said, said
    assert "[01.central] central_difference(f, x, h) is wrong" in said and "forward difference" in said

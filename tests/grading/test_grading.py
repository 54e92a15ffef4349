"""The instructor's workflow end to end on the bundled sample class: real nbgrader,
real kernels, the real sandbox, the real SQLite gradebook.

The class is graded once (the module's fixture); each test reads what only a real
run can show. What one stage does alone is proven by that stage's unit tests.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import psutil
import pytest
from daskcluster import DaskCluster, course_of_another_version

from autograder import get_exercise
from autograder.grading.cli import main
from autograder.grading.grade import grade
from autograder.grading.outcome import JOURNAL, Status, load_outcomes
from autograder.grading.prepare import GRADEBOOK, nbgrader, open_gradebook, write_config
from autograder.grading.release import put_scripts_on_path
from autograder.grading.sandbox import bwrap_works
from autograder.grading.score import cell_scores
from autograder.layout import ROOT, SAMPLE_CLASS, notebook_path

TIMEOUT = 20  # seconds per cell (eli's endless loop costs this much); imports need some under load
EXPECTED = ["01_derivatives"]  # what every student of the sample class owes
FIRST = "01_derivatives"


LEFT_BEHIND = {}  # what the graded fixture found still there once grade had returned


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out, scratch = tmp_path_factory.mktemp("grading"), tmp_path_factory.mktemp("scratch")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(scratch))  # where the workers make their spare kernels' folders
        outcomes = grade(SAMPLE_CLASS, out, jobs=2, timeout=TIMEOUT, expected=EXPECTED, progress=False)
    LEFT_BEHIND["processes"] = [p.cmdline() for p in psutil.Process().children(recursive=True)]
    LEFT_BEHIND["folders"] = sorted(p.name for p in scratch.iterdir())
    return out, outcomes


def test_grade_returns_once_its_workers_and_their_spare_kernels_are_gone(graded):
    assert LEFT_BEHIND == {"processes": [], "folders": []}


def submission_scores(folder):
    """(student, assignment) -> score, straight from the gradebook."""
    with open_gradebook(folder) as gb:
        return {(s.student.id, s.assignment.name): s.score for a in gb.assignments for s in a.submissions}


def max_scores(folder):
    with open_gradebook(folder) as gb:
        return {a.name: a.max_score for a in gb.assignments}


def test_every_student_gets_the_expected_score(graded):
    out, _ = graded
    got, full = submission_scores(out), max_scores(out)
    central = get_exercise("01.central").points
    for a in sorted(p.name for p in (SAMPLE_CLASS / "ada").iterdir()):
        assert got[("ada", a)] == full[a], a
    assert got[("blake", FIRST)] == got[("blake", "02_value")] == 0
    assert got[("chen", FIRST)] == full[FIRST] - central
    assert got[("chen", "03_backprop")] == full["03_backprop"] - get_exercise("03.tanh").points
    assert got[("dara", FIRST)] == 0
    assert got[("eli", FIRST)] == full[FIRST]  # the loop cost only its own (ungraded) cell
    assert got[("fay", FIRST)] == full[FIRST] - central  # edited test cell restored
    assert got[("gus", FIRST)] == full[FIRST] - central  # deleted test cell restored
    assert got[("hana", "02_value")] == full["02_value"]
    assert got[("hana", FIRST)] == 0
    assert got[("ivan", FIRST)] == got[("ivan", "02_value")] == 0
    assert got[("kai", FIRST)] == full[FIRST]
    # sys.exit() only ends its own cell; a syntax error costs the exercise it is in
    assert got[("lena", FIRST)] == full[FIRST] - get_exercise("01.partials").points


def test_outcomes_say_why_and_are_saved_as_returned(graded):
    out, outcomes = graded
    assert load_outcomes(out) == outcomes
    # dara's kernel died in her first answer: graded, with what ran before it kept (nothing here)
    assert outcomes["dara/01_derivatives"].status is Status.GRADED
    dara = json.loads(notebook_path(out / "autograded" / "dara", FIRST).read_text())
    assert "the kernel died while running this cell" in json.dumps(dara)
    assert outcomes["hana/01_derivatives"].status is Status.MISSING
    assert outcomes["ivan/01_derivatives"].status is outcomes["ivan/02_value"].status is Status.INVALID
    graded_ones = [o for o in outcomes.values() if o.status is Status.GRADED]
    assert len(graded_ones) == 18 and all(o.sandboxed is bwrap_works() for o in graded_ones)
    assert all(o.score == sum(c.points for c in o.cells if c.passed) for o in graded_ones)


def test_the_checks_named_mistakes_reach_the_outcomes_and_the_report(graded):
    """Hidden tests publish the mistakes they recognised; the autograded notebooks keep them."""
    out, outcomes = graded
    chen = {c.grade_id: c for c in outcomes["chen/01_derivatives"].failed_cells}
    assert list(chen) == ["01_central_test"] and chen["01_central_test"].exercise == "01.central"
    assert chen["01_central_test"].mistakes, "the failing check named no mistake"
    lena = outcomes["lena/01_derivatives"].failed_cells
    assert [c.grade_id for c in lena] == ["01_partials_test"] and "partials_of_d" in lena[0].error
    assert main(["report", str(out)]) == 0
    text = (out / "report" / "report.md").read_text()
    assert f"### 01.central: {get_exercise('01.central').title} (5 of 9 students failed)" in text
    assert f"| 1 | `{chen['01_central_test'].keys[0]}` |" in text
    assert "- hana / 01_derivatives: missing: no notebook was submitted" in text


def test_endless_loop_is_interrupted_and_the_rest_graded(graded):
    out, _ = graded
    nb = json.loads(notebook_path(out / "autograded" / "eli", FIRST).read_text())
    errors = [o["ename"] for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert "KeyboardInterrupt" in errors or "CellTimeoutError" in errors


@pytest.mark.skipif(not bwrap_works(), reason="bubblewrap cannot run here")
def test_sandbox_stops_writes_to_the_gradebook_and_the_network(graded):
    out, _ = graded
    nb = json.loads(notebook_path(out / "autograded" / "kai", FIRST).read_text())
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "network: blocked" in text and "network: open" not in text
    # the kernel runs in a folder of its own: it cannot even tell where the grading folder is,
    # and what it could write (its folder, its private /tmp) is thrown away with it
    assert "could not write /gradebook.db" in text and str(out) not in text
    wrote = [line.split()[1] for line in text.splitlines() if line.startswith("wrote ")]
    assert all(path.startswith("/tmp/") for path in wrote), wrote
    assert b"tampered" not in (out / GRADEBOOK).read_bytes()  # (the job's went with its folder)
    sqlite3.connect(out / GRADEBOOK).execute("pragma integrity_check").fetchall()


def test_feedback_explains_without_showing_hidden_tests_and_grades_are_exported(graded):
    out, outcomes = graded
    html = (out / "feedback" / "chen" / FIRST / f"{FIRST}.html").read_text()
    assert "forward difference" in html
    assert "hidden=True" not in html and "BEGIN HIDDEN TESTS" not in html
    assert "vnd.micrograd-course" not in html  # the failure data stays invisible
    broken = (out / "feedback" / "ivan" / "02_value" / "02_value.html").read_text()
    assert "not valid JSON" in broken and "Score: 0" in broken
    assert len((out / "grades.csv").read_text().splitlines()) > len(outcomes)  # a header and a row each


def test_regrading_from_the_command_line_unsandboxed(graded, tmp_path):
    """Late work, graded into a copy of the class folder without the sandbox: only the
    late submission changes, nothing is added twice, and the lack of a sandbox is loud."""
    out, _ = graded
    copy = tmp_path / "grading"
    shutil.copytree(out, copy, symlinks=True)
    before = cell_scores(copy)
    late = tmp_path / "late" / "hana" / FIRST
    late.mkdir(parents=True)
    shutil.copyfile(notebook_path(SAMPLE_CLASS / "ada", FIRST), late / f"{FIRST}.ipynb")
    done = subprocess.run(
        [sys.executable, "-m", "autograder.grading.cli", "grade", str(tmp_path / "late"), "--out", str(copy),
         "--no-sandbox", "--quiet", "--timeout", str(TIMEOUT)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "UNSANDBOXED" in done.stderr
    full = max_scores(copy)[FIRST]
    hana = next(line for line in done.stdout.splitlines() if line.startswith("hana "))
    assert hana.split()[1] == f"{full:g}/{full:g}"
    after = cell_scores(copy)
    assert set(after) == set(before)  # the same cells, none added twice
    changed = {k for k in after if after[k] != before[k]}
    assert changed and all(k[:2] == ("hana", FIRST) for k in changed)
    outcome = load_outcomes(copy)["hana/01_derivatives"]
    assert outcome.status is Status.GRADED and outcome.sandboxed is False


def test_parallel_grades_equal_sequential_nbgrader(graded, tmp_path):
    """Plain `nbgrader autograde`, all assignments in one run, one notebook after another."""
    out, outcomes = graded
    put_scripts_on_path()
    course = tmp_path / "sequential"
    shutil.copytree(out / "source", course / "source")
    shutil.copyfile(out / GRADEBOOK, course / GRADEBOOK)
    write_config(course, TIMEOUT)
    with open_gradebook(course) as gb:  # the prepared course, without anyone's grades
        for student in list(gb.students):
            gb.remove_student(student.id)
    # kai tries to tamper with gradebooks: never run him unsandboxed; eli's loop only costs
    # time; dara's kernel dies, which plain nbgrader cannot grade at all (we keep what ran)
    comparable = [
        o
        for o in outcomes.values()
        if o.status is Status.GRADED
        and o.student not in ("kai", "eli", "dara")
        and o.assignment in ("01_derivatives", "03_backprop")
    ]
    for o in comparable:
        target = notebook_path(course / "submitted" / o.student, o.assignment)
        target.parent.mkdir(parents=True)
        shutil.copyfile(notebook_path(SAMPLE_CLASS / o.student, o.assignment), target)
    done = nbgrader("autograde", "*", "--force", cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    ours, theirs = cell_scores(out), cell_scores(course)
    keys = {k for k in theirs if any(k[:2] == (o.student, o.assignment) for o in comparable)}
    assert len(keys) > 20 and len(keys) == len(theirs)
    assert {k: ours[k] for k in keys} == {k: theirs[k] for k in keys}


def graded_lines(folder) -> int:
    """How many submissions a run in progress has recorded as run (graded or not), from its journal."""
    journal = folder / JOURNAL
    lines = journal.read_text().splitlines() if journal.exists() else []
    return sum('"outcome"' in line and '"sandboxed": null' not in line for line in lines)


def judged(outcome):
    return [(c.grade_id, c.points, c.error_name, c.exercise, c.mistakes) for c in outcome.cells]


def wait_until(condition, timeout=600):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_dask_cluster_grades_the_class_as_this_machine_does_though_a_worker_dies(graded, tmp_path):
    """Two workers and one with another course version: that one is refused before it grades;
    one of the two is killed after three notebooks, in the middle of a job. Every grade still
    arrives, identical to local grading."""
    out, outcomes = graded
    folder = tmp_path / "cluster"
    with DaskCluster(tmp_path / "dask") as cluster:
        cluster.add_worker("w1")
        cluster.add_worker("w2")
        cluster.add_worker("stale", pythonpath=course_of_another_version(tmp_path / "stale"))
        addresses = cluster.wait_for(3)
        killed = []

        def kill_one():
            wait_until(lambda: graded_lines(folder) >= 3)
            cluster.kill("w1")
            killed.append(graded_lines(folder))

        killer = threading.Thread(target=kill_one, daemon=True)
        killer.start()
        notices = []
        got = grade(SAMPLE_CLASS, folder, timeout=TIMEOUT, expected=EXPECTED, progress=False,
                    cluster=cluster.address, notices=notices)  # fmt: skip
        killer.join(timeout=5)
        assert cluster.exited("stale")
        # each worker's course folder is in Dask's own folder for it, which Dask tidies
        assert len(list(cluster.scratch.glob("dask-scratch-space/*/mcg-site-*"))) in (1, 2)  # w2's (w1's)
    runs = sum(o.sandboxed is not None for o in outcomes.values())
    assert killed and killed[0] < runs - 2  # w1 died mid-run, with work left for w2
    assert any(addresses["stale"] in n and "refused: it has course version" in n for n in notices)
    assert cell_scores(folder) == cell_scores(out)
    assert {k: (o.status, o.score, o.reason) for k, o in got.items()} == {
        k: (o.status, o.score, o.reason) for k, o in outcomes.items()
    }
    # each grading draws fresh hidden cases (judge.py), so the numbers in a message differ; the rest may not
    assert {k: judged(o) for k, o in got.items()} == {k: judged(o) for k, o in outcomes.items()}


def test_a_grade_killed_midway_goes_on_when_run_again_and_grades_nothing_twice(graded, tmp_path):
    out, _ = graded
    students = ["ada", "chen", "fay", "gus"]
    for student in students:
        shutil.copytree(SAMPLE_CLASS / student, tmp_path / "class" / student)
    folder = tmp_path / "grading"
    command = [sys.executable, "-m", "autograder.grading.cli", "grade", str(tmp_path / "class"), "--out",
               str(folder), "--quiet", "--timeout", str(TIMEOUT), "--jobs", "2"]  # fmt: skip
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: graded_lines(folder) >= 3)
    first.kill()  # kill -9: no chance to tidy up
    first.wait()
    before = load_outcomes(folder)
    assert 3 <= len(before) < 12 and not (folder / "results.json").exists()
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert f"note: {len(before)} submission(s) graded by an earlier run" in again.stdout
    after = load_outcomes(folder)
    assert {k: after[k] for k in before} == before  # the same records: not graded again
    theirs = {k: v for k, v in cell_scores(out).items() if k[0] in students}
    assert cell_scores(folder) == theirs and len(after) == len({k[:2] for k in theirs})
    assert not (folder / JOURNAL).exists()

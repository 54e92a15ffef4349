"""The instructor's workflow end to end on the bundled sample class: real nbgrader,
real kernels, the real sandbox, the real SQLite gradebook."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile

import pytest
from nbgrader.api import Gradebook

from autograder import get_exercise
from autograder.grading.collect import find_submissions
from autograder.grading.grade import grade
from autograder.grading.prepare import nbgrader, prepare
from autograder.grading.release import ROOT, assignments, put_scripts_on_path
from autograder.grading.report import common_failures, exercise_pass_rates, problem_submissions, write_report
from autograder.grading.sandbox import bwrap_works
from autograder.grading.score import cell_scores, load_results

SAMPLE = ROOT / "examples" / "sample_class"
TIMEOUT = 20  # seconds per cell (eli's endless loop costs this much); imports need some under load
EXPECTED = ["01_derivatives"]  # what every student of the sample class owes


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("grading")
    results = grade(SAMPLE, out, jobs=2, timeout=TIMEOUT, expected=EXPECTED, progress=False)
    return out, results


def max_score(out, assignment):
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        return gb.find_assignment(assignment).max_score


def scores(out):
    """(student, assignment) -> score, straight from the gradebook."""
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        return {
            (sub.student.id, sub.assignment.name): sub.score
            for assignment in gb.assignments
            for sub in assignment.submissions
        }


def ada_assignments():
    return sorted(p.name for p in (SAMPLE / "ada").iterdir())


def test_sample_class_is_a_fresh_build(tmp_path):
    sys.path.insert(0, str(ROOT / "examples"))
    from make_sample_class import build

    fresh = build(tmp_path / "class")
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file())
    for rel in files:
        assert (fresh / rel).read_bytes() == (SAMPLE / rel).read_bytes(), f"{rel}: run `make release`"


def test_every_student_gets_the_expected_score(graded):
    out, results = graded
    got = scores(out)
    first, third = "01_derivatives", "03_backprop"
    central = get_exercise("01.central").points
    for a in ada_assignments():
        assert got[("ada", a)] == max_score(out, a), a
    assert got[("blake", first)] == got[("blake", "02_value")] == 0
    assert got[("chen", first)] == max_score(out, first) - central
    assert got[("chen", third)] == max_score(out, third) - get_exercise("03.tanh").points
    assert got[("dara", first)] == 0
    assert got[("eli", first)] == max_score(out, first)  # the loop cost only its own (ungraded) cell
    assert got[("fay", first)] == max_score(out, first) - central  # edited test cell restored
    assert got[("gus", first)] == max_score(out, first) - central  # deleted test cell restored
    assert got[("hana", "02_value")] == max_score(out, "02_value")
    assert got[("hana", first)] == 0
    assert got[("ivan", first)] == got[("ivan", "02_value")] == 0
    assert got[("kai", first)] == max_score(out, first)
    # sys.exit() only ends its own cell; a syntax error costs the exercise it is in
    assert got[("lena", first)] == max_score(out, first) - get_exercise("01.partials").points


def test_reasons_for_zeros(graded):
    _, results = graded
    assert results["dara/01_derivatives"]["status"] == "crashed"
    assert "kernel died" in results["dara/01_derivatives"]["reason"]
    assert results["hana/01_derivatives"]["status"] == "missing"
    assert results["ivan/01_derivatives"]["reason"] == "the submitted file is empty"
    assert "not valid JSON" in results["ivan/02_value"]["reason"]
    lena = {f["cell"]: f["message"] for f in results["lena/01_derivatives"]["failures"]}
    assert list(lena) == ["01_partials_test"] and "partials_of_d" in lena["01_partials_test"]
    chen = {f["cell"]: f["message"] for f in results["chen/01_derivatives"]["failures"]}
    assert "forward difference" in chen["01_central_test"]


def test_endless_loop_is_interrupted_and_the_rest_graded(graded):
    out, _ = graded
    nb = json.loads((out / "autograded" / "eli" / "01_derivatives" / "01_derivatives.ipynb").read_text())
    errors = [o["ename"] for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert "KeyboardInterrupt" in errors or "CellTimeoutError" in errors


@pytest.mark.skipif(not bwrap_works(), reason="bubblewrap cannot run here")
def test_sandbox_stops_writes_to_the_gradebook_and_the_network(graded):
    out, results = graded
    nb = json.loads((out / "autograded" / "kai" / "01_derivatives" / "01_derivatives.ipynb").read_text())
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "network: blocked" in text and "network: open" not in text
    job = out / "work" / "kai__01_derivatives"
    for gradebook in (out / "gradebook.db", job / "gradebook.db"):  # the class's, and the job's own copy
        assert f"could not write {gradebook} - Read-only file system" in text
        assert f"wrote {gradebook}" not in text
        assert b"tampered" not in gradebook.read_bytes()
    sqlite3.connect(out / "gradebook.db").execute("pragma integrity_check").fetchall()
    assert all(r.get("sandboxed") for r in results.values() if r["status"] == "graded")


def test_grades_csv_has_nbgraders_columns(graded):
    out, _ = graded
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert set(rows[0]) >= {"assignment", "student_id", "raw_score", "score", "max_score"}
    ada = [r for r in rows if r["student_id"] == "ada" and r["assignment"] in ada_assignments()]
    assert len(ada) == len(ada_assignments())
    assert all(float(r["score"]) == float(r["max_score"]) for r in ada)


def test_feedback_explains_without_showing_hidden_tests(graded):
    out, _ = graded
    html = (out / "feedback" / "chen" / "01_derivatives" / "01_derivatives.html").read_text()
    assert "forward difference" in html
    assert "hidden=True" not in html and "BEGIN HIDDEN TESTS" not in html
    broken = (out / "feedback" / "ivan" / "02_value" / "02_value.html").read_text()
    assert "not valid JSON" in broken and "Score: 0" in broken


def test_report(graded):
    out, _ = graded
    target = write_report(out)
    assert (out / "report" / "scores.png").read_bytes()[:4] == b"\x89PNG"
    rates = exercise_pass_rates(out)["01_derivatives"]
    assert 0 < rates["01_central_test"] < rates["01_forward_test"] < 1  # chen, fay, gus; blake left both
    assert any("forward difference" in message for message, _ in common_failures(out))
    problems = {(r["student"], r["assignment"]) for r in problem_submissions(out)}
    assert {("hana", "01_derivatives"), ("ivan", "01_derivatives"), ("dara", "01_derivatives")} <= problems
    text = target.read_text()
    assert "hana / 01_derivatives: missing" in text


def test_regrading_updates_without_losing_or_duplicating(graded, tmp_path):
    out, _ = graded
    before = cell_scores(out / "gradebook.db")
    late = tmp_path / "late" / "hana" / "01_derivatives"
    late.mkdir(parents=True)
    shutil.copyfile(SAMPLE / "ada" / "01_derivatives" / "01_derivatives.ipynb", late / "01_derivatives.ipynb")
    grade(tmp_path / "late", out, jobs=1, timeout=TIMEOUT, progress=False)
    after = cell_scores(out / "gradebook.db")
    assert set(after) == set(before)  # the same cells, none added twice
    changed = {k for k in after if after[k] != before[k]}
    assert changed and all(k[0] == "hana" and k[1] == "01_derivatives" for k in changed)
    assert scores(out)[("hana", "01_derivatives")] == max_score(out, "01_derivatives")
    assert load_results(out)["hana/01_derivatives"]["status"] == "graded"


def test_parallel_grades_equal_sequential_nbgrader(graded, tmp_path):
    """Plain `nbgrader autograde`, one assignment after another, on the same class."""
    out, results = graded
    put_scripts_on_path()
    course = tmp_path / "sequential"
    prepare(course, TIMEOUT)
    # kai tries to tamper with gradebooks: never run him unsandboxed; eli's loop only costs time
    comparable = [
        r
        for r in results.values()
        if r["status"] == "graded"
        and r["student"] not in ("kai", "eli")
        and r["assignment"] in ("01_derivatives", "03_backprop")
    ]
    for r in comparable:
        src = SAMPLE / r["student"] / r["assignment"] / f"{r['assignment']}.ipynb"
        dst = course / "submitted" / r["student"] / r["assignment"]
        dst.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst / src.name)
    for assignment in sorted({r["assignment"] for r in comparable}):
        nbgrader("autograde", assignment, "--force", cwd=course)
    ours, theirs = cell_scores(out / "gradebook.db"), cell_scores(course / "gradebook.db")
    keys = {k for k in theirs if any(k[0] == r["student"] and k[1] == r["assignment"] for r in comparable)}
    assert len(keys) > 20
    assert {k: ours[k] for k in keys} == {k: theirs[k] for k in keys}


def test_lms_zip_export_is_understood(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(SAMPLE / "ada" / "01_derivatives" / "01_derivatives.ipynb", "ada_1234_01_derivatives.ipynb")
        zf.write(SAMPLE / "chen" / "01_derivatives" / "01_derivatives.ipynb", "chen_99_01_derivatives.ipynb")
        zf.write(SAMPLE / "chen" / "03_backprop" / "03_backprop.ipynb", "chen_99_03_backprop.ipynb")
        zf.writestr("../escape_01_derivatives.ipynb", "{}")
    found = {
        (s.student, s.assignment): s
        for s in find_submissions(archive, assignments(), expected=["01_derivatives", "03_backprop"])
    }
    assert set(found) == {
        ("ada", "01_derivatives"),
        ("ada", "03_backprop"),
        ("chen", "01_derivatives"),
        ("chen", "03_backprop"),
    }
    assert found[("ada", "03_backprop")].path is None  # expected from everyone, missing for ada
    custom = find_submissions(archive, assignments(), pattern=r"_(?P<student>\d+)_")
    assert {s.student for s in custom} == {"1234", "99"}


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "autograder.grading.cli", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_validate_command_exit_status_and_message():
    good = cli("validate", str(SAMPLE / "ada" / "01_derivatives" / "01_derivatives.ipynb"))
    assert good.returncode == 0 and "Ready to submit" in good.stdout
    bad = cli("validate", str(SAMPLE / "chen" / "01_derivatives" / "01_derivatives.ipynb"))
    assert bad.returncode == 1 and "forward difference" in bad.stdout
    missing = cli("validate", "nope.ipynb")
    assert missing.returncode == 1 and "does not exist" in missing.stdout


def test_unsandboxed_grading_says_so_loudly(tmp_path):
    one = tmp_path / "one" / "ada" / "01_derivatives"
    one.mkdir(parents=True)
    shutil.copyfile(SAMPLE / "ada" / "01_derivatives" / "01_derivatives.ipynb", one / "01_derivatives.ipynb")
    done = cli("grade", str(tmp_path / "one"), "--out", str(tmp_path / "g"), "--no-sandbox", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "UNSANDBOXED" in done.stderr
    assert "ada" in done.stdout and "9/9" in done.stdout

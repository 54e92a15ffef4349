"""execute: one folder per job, a worker process per thread, a status for every way a run ends."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_output
from tinycourse import (
    ASSIGNMENT,
    add_submission,
    failure,
    graded_cell,
    make_gradebook,
    notebook,
    passing_notebook,
    write_notebook,
)

from autograder.grading import execute, feedback, sandbox
from autograder.grading.execute import (
    Execution,
    Settings,
    Worker,
    failure_status,
    make_template,
    prepare_job,
    run_all,
)
from autograder.grading.feedback import ErrorMessagesOnly
from autograder.grading.outcome import Status
from autograder.grading.prepare import gradebook_url, nbgrader, open_gradebook, write_config
from autograder.grading.score import cell_scores
from autograder.layout import ROOT


@pytest.mark.parametrize(
    ("log", "status", "words"),
    [
        ("[ERROR] DeadKernelError: Kernel died", Status.CRASHED, "kernel died"),
        ("nbclient: Kernel died while waiting", Status.CRASHED, "os._exit"),
        ("CellTimeoutError: A cell timed out", Status.TIMED_OUT, "did not finish in time"),
        (
            "[INFO] ok\n[ERROR] There was an error processing notebook x\nbye",
            Status.NBGRADER_ERROR,
            "processing notebook x",
        ),
        ("", Status.NBGRADER_ERROR, "unknown error"),
    ],
)
def test_failure_status_from_nbgraders_log(log, status, words):
    got, reason = failure_status(log)
    assert got is status and words.lower() in reason.lower()


def test_a_job_folder_holds_the_submission_its_gradebook_and_names_its_kernels_sandbox(tmp_path):
    course = tmp_path / "course"
    write_notebook(passing_notebook(), course / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (course / "source").mkdir()
    template = tmp_path / "template.db"
    template.write_bytes(b"a gradebook")
    run = tmp_path / "run"
    settings = Settings(timeout=7, memory_mb=64, sandboxed=True)
    job = prepare_job(course, template, "ada", ASSIGNMENT, settings, run)
    assert job == course / "work" / f"ada__{ASSIGNMENT}"
    assert (job / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert (job / "gradebook.db").read_bytes() == b"a gradebook"  # a private copy
    assert (job / "source").resolve() == (course / "source").resolve()
    config = (job / "nbgrader_config.py").read_text()
    assert f"c.CourseDirectory.db_url = {gradebook_url(job)!r}" in config
    assert "c.Execute.timeout = 7" in config and "ErrorMessagesOnly" in config
    # the grade is decided by the judge, between the guarded Execute and SaveAutoGrades
    order = config[config.index("c.Autograde.autograde_preprocessors") :]
    assert (
        order.index("InjectProbes")
        < order.index("GuardedExecute")
        < order.index("Judge")
        < order.index("SaveAutoGrades")
    )
    # the kernel (kernels.py) is sandboxed in this assignment's view only, with these limits
    assert f"c.GuardedExecute.view = {str(course / 'views' / ASSIGNMENT)!r}" in config
    assert "c.GuardedExecute.sandboxed = True" in config and "c.GuardedExecute.memory_mb = 64" in config
    assert not (job / "jupyter").exists(), "no kernel of the job's own: nothing of the job is bound into one"
    (job / "autograded" / "ada" / ASSIGNMENT / "stale.ipynb").write_text("{}")
    again = prepare_job(course, template, "ada", ASSIGNMENT, settings, run)
    assert again == job and not (job / "autograded" / "ada" / ASSIGNMENT / "stale.ipynb").exists()


def stand_in(code: str):
    """A Worker whose process runs `code` instead of nbgrader."""
    worker = Worker()
    worker.command = (sys.executable, "-c", code)
    return worker


ANSWER = "import json, sys\nfor line in sys.stdin:\n    print(json.dumps({answer!r}), flush=True)\n"


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        (ANSWER.format(answer={"ok": True, "log": "fine"}), Status.GRADED, None),
        (ANSWER.format(answer={"ok": False, "log": "DeadKernelError"}), Status.CRASHED, "kernel died"),
        (
            "import sys; sys.stdin.readline(); print('not json', flush=True)",
            Status.INTERNAL_ERROR,
            "unreadable",
        ),
        ("import os; os._exit(3)", Status.CRASHED, "the grader crashed"),
        ("import time; time.sleep(60)", Status.TIMED_OUT, "longer than 1 s"),
    ],
)
def test_worker_answers_become_statuses(tmp_path, code, status, reason):
    worker = stand_in(code)
    try:
        got, why, _ = worker.run(tmp_path, tmp_path, "ada", ASSIGNMENT, limit=1)
    finally:
        worker.stop()
    assert got is status
    assert why is None if reason is None else reason in why.lower()


def test_a_worker_that_answered_is_reused_and_one_that_died_is_restarted(tmp_path):
    worker = stand_in(ANSWER.format(answer={"ok": True, "log": ""}))
    try:
        worker.run(tmp_path, tmp_path, "ada", ASSIGNMENT, limit=5)
        first = worker.process.pid
        worker.run(tmp_path, tmp_path, "ben", ASSIGNMENT, limit=5)
        assert worker.process.pid == first
        worker.process.kill()
        worker.process.wait()
        assert worker.run(tmp_path, tmp_path, "cy", ASSIGNMENT, limit=5)[0] is Status.GRADED
        assert worker.process.pid != first
    finally:
        worker.stop()
    assert worker.process is None


def test_run_all_runs_every_job_reports_in_the_callers_thread_and_survives_our_faults(
    tmp_path, monkeypatch, empty_gradebook
):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copyfile(empty_gradebook, course / "gradebook.db")
    threads = set()

    def fake_run_job(course, template, student, assignment, settings, worker):
        threads.add(threading.current_thread().name)
        if student == "bug":
            raise KeyError("oops")
        return Execution(student, assignment, Status.GRADED, sandboxed=settings.sandboxed)

    monkeypatch.setattr(execute, "run_job", fake_run_job)
    caller, seen = threading.current_thread(), []
    pairs = [(s, ASSIGNMENT) for s in ("ada", "ben", "bug", "cy", "dee")]

    def on_done(execution):
        assert threading.current_thread() is caller  # so it may write the class gradebook
        seen.append(execution)

    results = run_all(course, pairs, Settings(sandboxed=False), jobs=2, on_done=on_done)
    assert results == seen and sorted(r.student for r in results) == ["ada", "ben", "bug", "cy", "dee"]
    bug = next(r for r in results if r.student == "bug")
    assert bug.status is Status.INTERNAL_ERROR and "KeyError('oops')" in bug.reason and bug.sandboxed is False
    assert (course / "work" / "template.db").exists()
    assert len(threads) <= 2


def test_feedback_shows_messages_not_tracebacks_and_no_failure_data():
    """The failure output needs no stripping: HTML has no way to show its MIME type."""
    cell = graded_cell(
        "01_central_test",
        error=("CheckFailed", "[01.central] expected 14, got 14.3"),
        failure=failure("01.central", ("forward-for-central", "used a forward difference")),
    )
    cell.outputs[-1].traceback = ["Traceback", 'check("01.central", f, hidden=True)', "CheckFailed: ..."]
    nb = notebook(cell)
    ErrorMessagesOnly().preprocess(nb, {})
    assert cell.outputs[-1].traceback == ["CheckFailed: [01.central] expected 14, got 14.3"]
    with pytest.warns(UserWarning, match="not able to be represented"):  # nbconvert leaves it out
        html, _ = HTMLExporter().from_notebook_node(nb)
    assert "expected 14, got 14.3" in html
    assert "hidden=True" not in html
    assert "forward-for-central" not in html and "vnd.micrograd-course" not in html


def test_the_jobs_gradebook_template_has_the_assignments_and_nobodys_grades(tiny_class, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copyfile(tiny_class / "gradebook.db", course / "gradebook.db")
    template = make_template(course)
    shutil.copyfile(template, tmp_path / "gradebook.db")
    with open_gradebook(tmp_path) as gb, open_gradebook(tiny_class) as class_gb:
        assert len(class_gb.students) == 5 and gb.students == []
        assert [a.name for a in gb.assignments] == [a.name for a in class_gb.assignments]
        cells = [
            (n.name, c.name, c.max_score)
            for n in gb.find_assignment(ASSIGNMENT).notebooks
            for c in n.grade_cells
        ]
        assert cells == [
            (n.name, c.name, c.max_score)
            for n in class_gb.find_assignment(ASSIGNMENT).notebooks
            for c in n.grade_cells
        ]
    assert cell_scores(tiny_class)  # the class's own gradebook is untouched


def test_the_worker_renders_the_feedback_page_nbgrader_would(tmp_path, empty_gradebook):
    """render (in the worker, from the notebook just graded) writes the page `nbgrader
    generate_feedback` writes with the job's config (the same document once parsed, as
    nbgrader's own last step parses it; images without alt text given nbconvert's), and
    the files beside it byte for byte; errors as messages."""
    job = tmp_path / "job"
    make_gradebook(job, empty_gradebook)
    with open_gradebook(job) as gb:
        gb.add_solution_cell("answer", ASSIGNMENT, ASSIGNMENT)  # notebook()'s answer cell
    add_submission(job, "ben", {"01_forward_test": 2.0, "01_central_test": 0.0, "01_partials_test": 0.0})
    slip = new_code_cell("y = x + z")
    slip.outputs = [
        new_output("error", ename="NameError", evalue="name 'z' is not defined", traceback=TRACEBACK)
    ]
    plot = new_code_cell("plot()")
    plot.outputs = [
        new_output("display_data", data={"image/png": PIXEL, "text/plain": "<Figure>"}),
        new_output("display_data", data={"text/html": IMAGES}),
    ]
    nb = notebook(
        slip,
        plot,
        graded_cell("01_forward_test"),
        graded_cell("01_central_test", error=("CheckFailed", "[01.central] expected 14, got 14.3")),
        graded_cell("01_partials_test", error=("NotAttempted", "[01.partials] not attempted")),
    )
    graded = job / "autograded" / "ben" / ASSIGNMENT
    write_notebook(nb, graded / f"{ASSIGNMENT}.ipynb")
    (graded / "data.csv").write_text("x,y\n1,2\n")
    limits = sandbox.Limits()
    extra = execute.FEEDBACK_EXTRA.format(
        view=str(tmp_path / "view"), sandboxed=False, memory_mb=limits.memory_mb,
        processes=limits.processes, file_mb=limits.file_mb, tmp_mb=limits.tmp_mb, reap=False,
    )  # fmt: skip
    write_config(job, 30, extra)
    feedback.render(job, "ben", ASSIGNMENT)
    ours = {p.relative_to(job): p.read_bytes() for p in (job / "feedback").rglob("*") if p.is_file()}
    shutil.rmtree(job / "feedback")
    done = nbgrader("generate_feedback", ASSIGNMENT, "--student", "ben", "--force", cwd=job)
    assert done.returncode == 0, done.stdout + done.stderr
    theirs = {p.relative_to(job): p.read_bytes() for p in (job / "feedback").rglob("*") if p.is_file()}
    page = Path("feedback", "ben", ASSIGNMENT, f"{ASSIGNMENT}.html")
    assert sorted(ours) == sorted(theirs) == sorted([page, page.with_name("data.csv")])
    written = ours.pop(page).decode()
    html = str(BeautifulSoup(written, "html.parser"))
    assert html == theirs.pop(page).decode()
    assert ours == theirs
    assert written.count(f'alt="{feedback.NO_ALT}"') == 3  # the plot, the two tags without alt
    assert "expected 14, got 14.3" in html and "NameError: name 'z' is not defined</pre>" in html
    assert "Cell In[2]" not in html, "a traceback reads as its message"


PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
IMAGES = (  # a student's own HTML: tags with alt text (kept), and without (given nbconvert's)
    '<img src="a.png" alt="a plot"><img title="no alt here" src="b.png"/>'
    "<IMG SRC=c.png ALT=''><img\n  src='d.png'\n  width=20\n>"
)
TRACEBACK = [
    "\x1b[0;31mNameError\x1b[0m  Traceback (most recent call last)",
    "Cell In[2], line 1\n----> 1 y = x + z",
    "\x1b[0;31mNameError\x1b[0m: name 'z' is not defined",
]


def test_a_workers_job_gradebooks_commit_without_waiting_for_the_disk(tmp_path):
    """In a grading process, nbgrader's gradebook connections neither fsync each commit nor
    keep a journal file; what they commit is there for the driver's own connection."""
    probe = f"""
from autograder.grading.worker import gradebooks_without_waiting_for_the_disk
gradebooks_without_waiting_for_the_disk()
from nbgrader.api import Gradebook
with Gradebook("sqlite:///{tmp_path}/gradebook.db") as gb:
    gb.add_student("ben")
    pragmas = [gb.db.execute(__import__("sqlalchemy").text(f"PRAGMA {{p}}")).scalar()
               for p in ("synchronous", "journal_mode")]
print(pragmas)
"""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # (nbgrader runs alembic)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PATH": path},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "[0, 'memory']"  # synchronous OFF is 0
    with open_gradebook(tmp_path) as gb:  # this process's connections are as sqlite makes them
        assert [s.id for s in gb.students] == ["ben"]
        assert gb.db.execute(sqlalchemy.text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_grading_processes_never_load_rfc3987_syntax(tmp_path):
    """jsonschema (under nbformat) loads rfc3987_syntax where it is installed, seconds of
    parser building; a process that imports the grading pipeline first goes without it, and
    nbformat still validates notebooks."""
    (tmp_path / "rfc3987_syntax.py").write_text(  # a stand-in that says when it is loaded
        "import sys\nprint('rfc3987_syntax loaded', file=sys.stderr)\n"
        "def is_valid_syntax(rule, value):\n    return True\n"
    )
    load = "import nbformat; nbformat.validate(nbformat.v4.new_notebook()); print('validated')"

    def run(code):
        env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)

    plain = run(load)  # the stand-in is found: jsonschema loads it
    assert "rfc3987_syntax loaded" in plain.stderr and "validated" in plain.stdout
    grading = run("import autograder.grading\n" + load)
    assert grading.returncode == 0, grading.stderr
    assert "rfc3987_syntax loaded" not in grading.stderr and "validated" in grading.stdout

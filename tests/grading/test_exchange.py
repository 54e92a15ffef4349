"""nbgrader's exchange end to end, as on a shared machine or a JupyterHub: two real Unix users
(made here, as root) run nbgrader's own student commands; the instructor runs
micrograd-course release / collect / grade / return.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder.grading.cli import main
from autograder.grading.collect import SUBMISSION_FILES, Submission, stage
from autograder.grading.exchange import ROOT_MODE
from autograder.layout import SAMPLE_CLASS, notebook_path

needs_accounts = pytest.mark.skipif(
    os.geteuid() != 0 or not (shutil.which("useradd") and shutil.which("runuser")),
    reason="needs root with useradd and runuser: the test makes two real student accounts",
)

COURSE = "micrograd-test"
ASSIGNMENT = "01_derivatives"
FULL_MARKS = 9  # 01_derivatives: 2 + 2 + 2 + 3 points


@pytest.fixture
def machine():
    """A shared folder (exchange, the students' homes) and two fresh student accounts,
    removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="mcg-exchange-"))
    base.chmod(0o755)
    users = [f"mcg{secrets.token_hex(3)}{who}" for who in ("a", "b")]
    made = []
    try:
        for user in users:
            home = base / user
            subprocess.run(
                [
                    "useradd",
                    "--create-home",
                    "--home-dir",
                    str(home),
                    "--shell",
                    "/bin/sh",
                    "--user-group",
                    user,
                ],
                check=True,
                capture_output=True,
            )
            made.append(user)
            home.chmod(0o700)
        yield base, users
    finally:
        for user in made:
            subprocess.run(["userdel", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def student_nbgrader(user: str) -> tuple[list[str], dict]:
    """How `user` runs nbgrader: the course's .venv/bin/nbgrader, or, when its base Python
    sits where other users cannot go (a pyenv under /root), the system's Python of the same
    version with the course's packages on its path."""
    venv = Path(sys.prefix) / "bin"
    if (
        subprocess.run(
            ["runuser", "-u", user, "--", str(venv / "python"), "-c", ""], capture_output=True
        ).returncode
        == 0
    ):
        return [str(venv / "nbgrader")], {}
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        pytest.skip(
            f"students cannot run {venv / 'python'} (its base Python is private) and there is no {system}"
        )
    command, env = [str(system), "-m", "nbgrader"], {"PYTHONPATH": sysconfig.get_paths()["purelib"]}
    tried = subprocess.run(
        ["runuser", "-u", user, "--", "env", f"PYTHONPATH={env['PYTHONPATH']}", *command, "--version"],
        capture_output=True,
    )
    if tried.returncode != 0:
        pytest.skip(
            f"students cannot run nbgrader: {venv / 'python'}'s base Python is private and the "
            f"course's packages in {env['PYTHONPATH']} are not readable by other users"
        )
    return command, env


def exchange_command(command: str, exchange: Path, *args: str) -> int:
    """`micrograd-course COMMAND ARGS --exchange EXCHANGE --course COURSE`'s exit status."""
    return main([command, *args, "--exchange", str(exchange), "--course", COURSE])


def as_students(base: Path, users, exchange: Path, *step: str, each=lambda user: ()):
    """Run one nbgrader student command as every user at once, each in their home; returns
    the finished processes."""
    running = []
    for user in users:
        command, extra = student_nbgrader(user)
        env = {"HOME": str(base / user), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **extra}
        argv = [
            "runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
            *command, *step, *each(user), f"--course={COURSE}", f"--Exchange.root={exchange}",
        ]  # fmt: skip
        running.append(
            subprocess.Popen(
                argv, cwd=base / user, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
        )
    done = [(p, p.communicate(timeout=120)[0]) for p in running]
    for process, output in done:
        assert process.returncode == 0, f"nbgrader {step[0]} failed:\n{output}"
    return [output for _, output in done]


def as_user(user: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *command], capture_output=True, text=True)


def answer(path: Path, user: str) -> None:
    """Type the sample class's complete answers into the fetched notebook, as its student."""
    answers = {
        c.metadata.nbgrader.grade_id: c.source
        for c in nbformat.read(notebook_path(SAMPLE_CLASS / "ada", ASSIGNMENT), 4).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    nb = nbformat.read(path, 4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answers[cell.metadata.nbgrader.grade_id]
    nbformat.write(nb, path)
    shutil.chown(path, user, user)


@needs_accounts
def test_release_fetch_submit_collect_grade_return_fetch_feedback(machine, capsys):
    base, (ann, bob) = machine
    exchange = base / "exchange"
    assert (
        exchange_command("release", exchange, "--out", str(base / "release"), "--assignment", ASSIGNMENT) == 0
    )
    assert exchange.stat().st_mode & 0o7777 == ROOT_MODE  # world-writable, sticky
    assert (exchange / COURSE / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

    as_students(base, [ann, bob], exchange, "fetch_assignment", ASSIGNMENT)
    fetched = {user: notebook_path(base / user, ASSIGNMENT) for user in (ann, bob)}
    assert all(p.is_file() for p in fetched.values())
    answer(fetched[ann], ann)
    renamed = fetched[bob].with_name(f"{ASSIGNMENT}-Copy1.ipynb")  # bob hands it in blank, renamed
    fetched[bob].rename(renamed)
    as_students(base, [ann, bob], exchange, "submit", ASSIGNMENT)

    # bob cannot see what ann handed in: the inbound folder is not listable, her home is hers
    inbound = exchange / COURSE / "inbound"
    for attempt in (["ls", str(inbound)], ["ls", str(base / ann)]):
        denied = as_user(bob, *attempt)
        assert denied.returncode != 0 and "Permission denied" in denied.stderr, attempt
    assert len(list(inbound.iterdir())) == 2
    # bob hands in his blank work as ann's, later than hers (what `nbgrader submit --student=ANN` does)
    own = next((base / bob / ".local/share/jupyter/nbgrader_cache" / COURSE).iterdir())
    forged = inbound / f"{ann}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+forged"
    assert as_user(bob, "cp", "-r", str(own), str(forged)).returncode == 0

    submitted, grading = base / "submitted", base / "grading"
    assert exchange_command("collect", exchange, "--out", str(submitted), "--assignment", ASSIGNMENT) == 0
    said = capsys.readouterr().out
    assert f"{ASSIGNMENT}: 2 submission(s): {', '.join(sorted([ann, bob]))}" in said
    assert f"not collected: {forged} names {ann} but was handed in by {bob}" in said
    assert main(["grade", str(submitted), "--out", str(grading), "--quiet", "--jobs", "2"]) == 0
    table = capsys.readouterr().out
    assert re.search(rf"{ann}\s+{FULL_MARKS}/{FULL_MARKS}", table) and re.search(
        rf"{bob}\s+0/{FULL_MARKS}", table
    ), table
    assert exchange_command("return", exchange, str(grading)) == 0
    assert "feedback returned for 2 submission(s)" in capsys.readouterr().out

    as_students(base, [ann, bob], exchange, "fetch_feedback", ASSIGNMENT)
    for user, notebook in ((ann, ASSIGNMENT), (bob, renamed.stem)):
        pages = list((base / user / ASSIGNMENT / "feedback").glob("*/*.html"))
        assert [p.name for p in pages] == [f"{notebook}.html"], f"{user} got {pages}"
        mine = grading / "feedback" / user / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert pages[0].read_bytes() == mine.read_bytes(), f"{user} did not get their own feedback"


@pytest.mark.parametrize(
    "argv, said",
    [
        (["release", "--exchange", "EX"], "--exchange DIR and --course ID go together"),
        (["release", "--assignment", "99_nothing"], "unknown assignment(s) 99_nothing"),
        (["collect", "--exchange", "EX", "--course", "c"], "release an assignment first"),
        (["return", "GRADING", "--exchange", "EX", "--course", "c"], "grade first"),
    ],
)
def test_mistakes_are_one_sentence_and_exit_status_2(tmp_path, capsys, argv, said):
    (tmp_path / "EX").mkdir()
    argv = [str(tmp_path / a) if a in ("EX", "GRADING") else a for a in argv]
    assert main(argv) == 2
    assert said in capsys.readouterr().err


def test_feedback_of_work_handed_in_elsewhere_is_listed_not_returned(tmp_path, capsys):
    grading, exchange = tmp_path / "grading", tmp_path / "exchange"
    (grading / "feedback" / "ann" / ASSIGNMENT).mkdir(parents=True)
    (grading / "feedback" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.html").write_text("<p>fine</p>")
    (exchange / COURSE).mkdir(parents=True)
    assert exchange_command("return", exchange, str(grading), "--assignment", ASSIGNMENT) == 0
    out = capsys.readouterr().out
    assert f"not returned: ann/{ASSIGNMENT}: handed in outside the exchange or not at all" in out
    assert "feedback returned for 0 submission(s)" in out


def test_grading_keeps_the_exchange_files_beside_the_staged_notebook(tmp_path):
    handed_in = tmp_path / "submitted" / "ann" / ASSIGNMENT
    handed_in.mkdir(parents=True)
    (handed_in / f"{ASSIGNMENT}-Copy1.ipynb").write_text("{}")
    for name in SUBMISSION_FILES:
        (handed_in / name).write_text(f"{name} of ann")
    stage([Submission("ann", ASSIGNMENT, handed_in / f"{ASSIGNMENT}-Copy1.ipynb")], tmp_path / "course")
    staged = tmp_path / "course" / "submitted" / "ann" / ASSIGNMENT
    assert sorted(p.name for p in staged.iterdir()) == sorted([f"{ASSIGNMENT}.ipynb", *SUBMISSION_FILES])
    assert (staged / "submission_secret.txt").read_text() == "submission_secret.txt of ann"

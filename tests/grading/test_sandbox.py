"""sandbox: the kernel's command line, and the choice between sandboxed and not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grading import sandbox
from autograder.grading.view import build_view_for
from autograder.layout import ROOT, SAMPLE_CLASS, SOLUTIONS

LIMITS = sandbox.Limits(memory_mb=512, processes=64, file_mb=16, tmp_mb=40)


def test_the_sandboxed_kernel_is_built_from_an_allowlist(tmp_path):
    writable, view = tmp_path / "autograded", tmp_path / "view"
    argv = sandbox.kernel_argv([writable], view, LIMITS, sandboxed=True)
    assert argv[0] == "bwrap" and "/" not in [argv[i + 1] for i, a in enumerate(argv) if a.endswith("bind")]
    assert ["--bind", str(writable), str(writable)] == argv[argv.index(str(writable)) - 1 :][:3]
    assert ["--ro-bind-try", str(view.resolve()), str(view)] == argv[argv.index(str(view)) - 1 :][:3]
    assert "--unshare-net" in argv and "--die-with-parent" in argv and "--clearenv" in argv
    assert argv[argv.index("PYTHONPATH") + 1] == str(view)
    bound = [argv[i + 1] for i, a in enumerate(argv) if a in ("--bind", "--ro-bind", "--ro-bind-try")]
    assert str(ROOT) not in bound, "the course repository itself is never in the kernel's view"


def test_a_course_installed_where_the_kernel_reads_is_shown_only_as_its_view(tmp_path):
    """A wheel install (Gradescope's) puts the whole course, verdicts included, inside
    sys.prefix, which the kernel reads: the view's packages are bound over it. An editable
    install (here) lies outside everything the kernel reads, so nothing needs hiding."""
    view = tmp_path / "view"
    assert sandbox.installed_in_view([Path(sys.prefix), Path("/usr")], view) == []
    hidden = sandbox.installed_in_view([ROOT.parent], view)
    assert hidden == [
        (ROOT / "course_engine", view / "course_engine"),
        (ROOT / "autograder", view / "autograder"),
    ]


def test_unsandboxed_kernel_keeps_its_caps_but_not_the_process_cap(tmp_path):
    argv = sandbox.kernel_argv([tmp_path], tmp_path / "view", LIMITS, sandboxed=False)
    assert argv[:5] == [
        "env",
        f"PYTHONPATH={tmp_path / 'view'}",
        "prlimit",
        f"--as={512 << 20}",
        f"--fsize={16 << 20}",
    ]
    assert "bwrap" not in argv and not any(a.startswith("--nproc") for a in argv)
    assert argv[-5:] == [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def sandboxed_python(tmp_path, code: str, limits=LIMITS) -> subprocess.CompletedProcess:
    """Run `code` with the sandboxed kernel's command line, in place of the kernel."""
    work, connection = tmp_path / "work", tmp_path / "connection.json"
    sandbox.open_to_kernel(work)
    connection.write_text("{}")
    connection.chmod(0o600)
    view = build_view_for("01_derivatives", tmp_path / "view")
    argv = [
        a.replace("{connection_file}", str(connection))
        for a in sandbox.kernel_argv([work], view, limits, True)
    ]
    kernel = argv.index(sys.executable, argv.index("/bin/sh"))
    return subprocess.run(
        [*argv[:kernel], sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )


needs_bwrap = pytest.mark.skipif(not sandbox.bwrap_works(), reason="bubblewrap cannot run here")


@needs_bwrap
def test_the_kernel_sees_the_runtime_and_its_view_and_nothing_of_the_course(tmp_path):
    seen = sandboxed_python(
        tmp_path,
        "import json, os, autograder, course_engine\n"
        "print(json.dumps([autograder.__file__, os.path.exists(os.path.join(os.path.dirname(autograder.__file__), 'checking', 'verdicts')),"
        f" os.path.exists({str(SOLUTIONS)!r}), os.path.exists({str(ROOT / '.git')!r}), os.path.exists({str(SAMPLE_CLASS)!r}),"
        " sorted(os.listdir('/root')) if os.path.exists('/root') else [], os.getuid()]))",
    )
    assert seen.returncode == 0, seen.stderr
    where, verdicts, solutions, git, sample, home, uid = json.loads(seen.stdout)
    assert where.startswith(str(tmp_path / "view")) and not verdicts
    assert (solutions, git, sample) == (False, False, False)
    assert all(name == ".pyenv" for name in home)  # at most the Python runtime itself
    if os.geteuid() == 0:
        assert uid >= 61000


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="the process cap needs a user of its own (grading as root)")
def test_a_fork_bomb_meets_the_process_cap(tmp_path):
    bomb = "import os\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            os._exit(0) if False else __import__('time').sleep(30)\n        n += 1\nexcept BlockingIOError:\n    print('capped at', n)"
    done = sandboxed_python(tmp_path, bomb)
    assert "capped at" in done.stdout and int(done.stdout.split()[-1]) < LIMITS.processes, (
        done.stdout + done.stderr
    )


@needs_bwrap
def test_a_big_file_meets_the_file_size_cap(tmp_path):
    fill = "try:\n    open('/tmp/big', 'wb').write(b'x' * (32 << 20))\nexcept OSError as e:\n    print('capped:', e.strerror)"
    done = sandboxed_python(tmp_path, fill)
    assert "capped: File too large" in done.stdout, done.stdout + done.stderr


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="a /tmp of capped size is mounted as root only")
def test_filling_tmp_meets_its_cap_and_the_kernel_cannot_mount_again(tmp_path):
    fill = (
        "import os, subprocess\n"
        "written = 0\n"
        "try:\n"
        "    for i in range(100):\n"
        "        with open(f'/tmp/part{i}', 'wb') as f:\n"
        "            f.write(b'x' * (8 << 20))\n"
        "        written += 8\n"
        "except OSError as e:\n"
        "    print('capped:', e.strerror, written)\n"
        "again = subprocess.run(['mount', '-t', 'tmpfs', 'tmpfs', '/tmp'], capture_output=True)\n"
        "print('remount', again.returncode)"
    )
    done = sandboxed_python(tmp_path, fill)
    said = done.stdout.split()
    assert "capped: No space left on device" in done.stdout, done.stdout + done.stderr
    assert 8 <= int(said[said.index("device") + 1]) <= LIMITS.tmp_mb and said[-1] != "0"


@pytest.mark.parametrize(
    ("requested", "bwrap", "problems", "chosen", "warned"),
    [
        (None, True, {True: None}, True, False),
        (None, False, {False: None}, False, True),
        (None, True, {True: "bwrap: permission denied", False: None}, False, True),  # falls back, loudly
        (False, True, {False: None}, False, True),
    ],
)
def test_choose_sandbox(monkeypatch, capsys, requested, bwrap, problems, chosen, warned):
    monkeypatch.setattr(sandbox, "bwrap_works", lambda: bwrap)
    monkeypatch.setattr(sandbox, "kernel_problem", lambda view, limits, sandboxed: problems[sandboxed])
    assert sandbox.choose(Path("view"), LIMITS, requested) is chosen
    assert ("UNSANDBOXED" in capsys.readouterr().err) is warned


def test_no_kernel_at_all_grades_nothing(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_works", lambda: False)
    monkeypatch.setattr(
        sandbox, "kernel_problem", lambda view, limits, sandboxed: "No module named ipykernel"
    )
    with pytest.raises(RuntimeError, match="nothing was graded: No module named ipykernel"):
        sandbox.choose(Path("view"), LIMITS)

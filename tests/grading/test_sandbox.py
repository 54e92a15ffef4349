"""sandbox: the kernel's command line, and the choice between sandboxed and not."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from autograder.grading import sandbox


def test_sandboxed_kernel_sees_its_folders_only(tmp_path):
    writable, hidden = tmp_path / "autograded", tmp_path / "class"
    argv = sandbox.kernel_argv([writable], [hidden], memory_mb=512, sandboxed=True)
    assert argv[:3] == ["bwrap", "--ro-bind", "/"]
    assert ["--tmpfs", str(hidden)] == argv[argv.index(str(hidden)) - 1 :][:2]
    assert ["--bind", str(writable), str(writable)] == argv[argv.index(str(writable)) - 1 :][:3]
    assert ["--remount-ro", str(hidden)] == argv[len(argv) - argv[::-1].index(str(hidden)) - 2 :][:2]
    assert "--unshare-net" in argv and "--die-with-parent" in argv
    python = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert argv[-8:] == ["prlimit", f"--as={512 * 1024 * 1024}", "--", *python]


def test_unsandboxed_kernel_keeps_its_memory_cap(tmp_path):
    argv = sandbox.kernel_argv([tmp_path], [tmp_path], memory_mb=100, sandboxed=False)
    assert argv[:3] == ["prlimit", f"--as={100 * 1024 * 1024}", "--"] and "bwrap" not in argv
    assert argv[3:] == [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def test_a_checkout_under_tmp_stays_visible_inside_the_private_tmp():
    for folder in sandbox.needed_under_tmp():
        assert Path("/tmp").resolve() in folder.parents


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
    monkeypatch.setattr(sandbox, "kernel_problem", lambda hidden, memory_mb, sandboxed: problems[sandboxed])
    assert sandbox.choose([], 256, requested) is chosen
    assert ("UNSANDBOXED" in capsys.readouterr().err) is warned


def test_no_kernel_at_all_grades_nothing(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_works", lambda: False)
    monkeypatch.setattr(
        sandbox, "kernel_problem", lambda hidden, memory_mb, sandboxed: "No module named ipykernel"
    )
    with pytest.raises(RuntimeError, match="nothing was graded: No module named ipykernel"):
        sandbox.choose([], 256)

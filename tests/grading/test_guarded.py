"""GuardedExecute in a real kernel: a dead kernel or a limit costs only the cells it
stopped, and each says why."""

from __future__ import annotations

import os

import nbformat
import pytest
from traitlets.config import Config

from autograder.grading import sandbox
from autograder.grading.guarded import GuardedExecute
from autograder.grading.view import build_view_for


def run(*sources, **settings):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb, _ = GuardedExecute(**{"timeout": 20, **settings}).preprocess(nb, {"metadata": {"path": "."}})
    return [[(o.output_type, o.get("text") or o.get("evalue") or "") for o in c.outputs] for c in nb.cells]


def test_a_print_loop_and_a_dead_kernel_cost_only_the_cells_they_stopped(tmp_path):
    cells = run(
        "print('before')",
        "while True:\n    print('x' * 1000)",
        "print('still running')",
        "import os\nos._exit(0)",
        "print('after')",
        max_output_bytes=100_000,
    )
    assert cells[0] == [("stream", "before\n")] and cells[2] == [("stream", "still running\n")]
    printed = "".join(text for kind, text in cells[1] if kind == "stream")
    assert "printed more than 0.0953674 MiB, the grader's limit on output per cell" in printed
    assert len(printed) < 2000, "what the loop printed is not kept"
    (died,) = cells[3]
    assert died[0] == "error" and "the kernel died while running this cell" in died[1]
    assert cells[4] == [("error", "not run: the kernel died in cell 4 (" + died[1].split(": ", 1)[1] + ")")]


def test_a_cell_stopped_by_a_limit_names_it():
    cells = run("raise MemoryError()", "import time\ntime.sleep(60)", timeout=2, memory_mb=512)
    assert any("more than 512 MiB of memory" in text for _, text in cells[0])
    assert any("ran longer than 2 s" in text for _, text in cells[1])
    full = run("raise OSError(28, 'No space left on device')")
    assert any("took more than 512 MiB" in text for _, text in full[0])


@pytest.mark.skipif(
    not (sandbox.bwrap_works() and os.geteuid() == 0),
    reason="the process and /tmp caps need the sandbox, as root",
)
def test_in_the_sandbox_a_fork_bomb_and_a_tmp_filler_cost_only_their_cells(tmp_path, monkeypatch):
    limits = sandbox.Limits(memory_mb=1024, processes=64, file_mb=16, tmp_mb=48)
    work = tmp_path / "work"
    sandbox.open_to_kernel(work)
    view = build_view_for("01_derivatives", tmp_path / "view")
    sandbox.write_kernelspec(tmp_path / "jupyter", sandbox.kernel_argv([work], view, limits, sandboxed=True))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    bomb = "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(20)\n        os._exit(0)"
    filler = "for i in range(100):\n    open(f'/tmp/part{i}', 'wb').write(b'x' * (8 << 20))"
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(s) for s in (bomb, filler, "print(6 * 7)")]
    )
    ipc = Config({"KernelManager": {"transport": "ipc", "ip": str(work / "kernel")}})  # no network inside
    guarded = GuardedExecute(
        kernel_name=sandbox.KERNEL_NAME, timeout=60, processes=64, tmp_mb=48, reap=True, config=ipc
    )
    nb, _ = guarded.preprocess(nb, {"metadata": {"path": str(work)}})
    said = [" ".join(o.get("text") or o.get("evalue") or "" for o in c.outputs) for c in nb.cells]
    assert "more than 64 processes" in said[0], said[0]
    assert "took more than 48 MiB" in said[1], said[1]
    assert said[2].startswith("42")  # (IPython may add that its history, in the full /tmp, is not saved)

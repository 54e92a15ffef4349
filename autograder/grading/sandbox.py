"""Where student code runs: a Jupyter kernel inside bubblewrap, when it can.

The kernel sees the whole file system read-only, a private /tmp, no network,
no other processes, and a memory cap; only its own notebook folder and the
socket folder it talks through are writable. The grading folder (gradebook,
other students' work) and the course's solutions are hidden from it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from ..layout import ROOT

KERNEL_NAME = "micrograd-grading"
UNSANDBOXED_WARNING = (
    "WARNING: student code runs UNSANDBOXED (bubblewrap is not installed, or cannot run here):\n"
    "it can read and write anything this user can, including the gradebook. Install it\n"
    "(sudo apt-get install bubblewrap) or grade inside a disposable container."
)


@cache
def bwrap_works() -> bool:
    """bubblewrap is installed and may create namespaces on this machine."""
    if shutil.which("bwrap") is None:
        return False
    probe = subprocess.run(
        ["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"],
        capture_output=True,
    )
    return probe.returncode == 0


def kernel_argv(writable, hidden, memory_mb: int, sandboxed: bool) -> list[str]:
    """The command Jupyter runs to start a grading kernel."""
    python = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    limited = ["prlimit", f"--as={memory_mb * 1024 * 1024}", "--", *python]
    if not sandboxed:
        return limited
    argv = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for folder in needed_under_tmp():  # e.g. a checkout in /tmp: the kernel still needs its Python
        argv += ["--ro-bind", str(folder), str(folder)]
    for folder in hidden:
        argv += ["--tmpfs", str(folder)]
    for folder in writable:
        argv += ["--bind", str(folder), str(folder)]
    for folder in hidden:  # empty and read-only, with the writable folders still open inside
        argv += ["--remount-ro", str(folder)]
    argv += [
        "--ro-bind", "{connection_file}", "{connection_file}",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
        "--unsetenv", "JPY_PARENT_PID",  # the parent's pid means nothing in a new pid namespace
        "--setenv", "IPYTHONDIR", "/tmp/ipython",
        "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib",
        "--setenv", "OPENBLAS_NUM_THREADS", "1",
    ]  # fmt: skip
    return argv + limited


def choose(hidden, memory_mb: int, requested: bool | None = None) -> bool:
    """Whether grading kernels run sandboxed: as requested, or (None) whenever
    bubblewrap works here. A sandboxed kernel that does not start falls back to an
    unsandboxed one, loudly; when no kernel starts at all, nothing is graded."""
    sandboxed = bwrap_works() if requested is None else requested
    if sandboxed:
        problem = kernel_problem(hidden, memory_mb, sandboxed=True)
        if problem:
            print(f"The sandboxed grading kernel does not start here: {problem}", file=sys.stderr)
            sandboxed = False
    if not sandboxed:
        print(UNSANDBOXED_WARNING, file=sys.stderr)
        problem = kernel_problem(hidden, memory_mb, sandboxed=False)
        if problem:
            raise RuntimeError(f"no grading kernel starts on this machine, so nothing was graded: {problem}")
    return sandboxed


def needed_under_tmp() -> list[Path]:
    """The course and its Python, where they live under /tmp (which the kernel gets empty)."""
    folders = {ROOT, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    tmp = Path("/tmp").resolve()
    inside = sorted(f for f in folders if f != tmp and tmp in f.parents)
    return [f for f in inside if not any(other in f.parents for other in inside)]


def kernel_problem(hidden, memory_mb: int, sandboxed: bool) -> str | None:
    """None when a grading kernel starts here and can import the course; otherwise
    what went wrong. Run before grading, so a machine problem is never blamed on
    every student's notebook."""
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="mcg-") as tmp:
        tmp = Path(tmp)
        write_kernelspec(tmp / "jupyter", kernel_argv([tmp], hidden, memory_mb, sandboxed))
        cell = nbformat.v4.new_code_cell("import autograder, course_engine\nprint(6 * 7)")
        nb = nbformat.v4.new_notebook(cells=[cell])
        config = Config({"KernelManager": {"transport": "ipc", "ip": str(tmp / "kernel")}})
        saved = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = str(tmp / "jupyter")
        try:
            client = NotebookClient(
                nb, kernel_name=KERNEL_NAME, timeout=120, startup_timeout=120, config=config,
                resources={"metadata": {"path": str(tmp)}},
            )  # fmt: skip
            client.execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        finally:
            if saved is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = saved
        printed = "".join(o.get("text", "") for o in cell.outputs)
        return None if printed.strip() == "42" else f"the test cell printed {printed!r}"


def write_kernelspec(jupyter_path: Path, argv) -> None:
    spec = jupyter_path / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": list(argv),
                "display_name": "micrograd grading",
                "language": "python",
                # a signal would reach bwrap, not the kernel: interrupt by message instead
                "interrupt_mode": "message",
            }
        )
    )

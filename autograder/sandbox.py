"""Where student code runs: a Jupyter kernel inside bubblewrap, when it can.

The kernel sees the whole file system read-only, a private /tmp, no network,
no other processes, and a memory cap; only its own notebook folder and the
socket folder it talks through are writable. The grading folder (gradebook,
other students' work) and the course's solutions are hidden from it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

KERNEL_NAME = "micrograd-grading"


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

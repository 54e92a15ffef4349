"""Where student code runs: a Jupyter kernel inside bubblewrap, when it can.

The kernel's file system is built from an allowlist: the system's programs and
libraries and the Python runtime (read-only), the course packages as this
assignment's grading view shows them (read-only: no verdicts, no isolation code,
no reference pieces the assignment asks for), its own notebook folder and
socket folder (writable), and an empty private /tmp. No course repository, no
solutions, no gradebook, no home directories, no other notebooks; no network,
no other processes. It runs as an unprivileged user of its own, with caps on
memory, processes, file size and /tmp (see Limits).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


@dataclass(frozen=True)
class Limits:
    """What one grading kernel may use; each is named in the feedback when it stops a student."""

    memory_mb: int = 2048  # address space
    processes: int = 256  # processes and threads of the kernel's own user
    file_mb: int = 256  # the size of any one file it writes
    tmp_mb: int = 512  # all of its /tmp together (grading as root; else only file_mb holds)


SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc")  # programs, libraries, fonts, certificates
CONNECTION = "/tmp/.connection.json"
FONT_CACHE = ".matplotlib"  # in a view: matplotlib's font cache, copied into the kernel's /tmp


def sandbox_uid(folder: Path) -> int:
    """An unprivileged uid of the kernel's own (from its folder), so the process cap of one
    kernel is never shared with another student's kernel running beside it."""
    return 61000 + zlib.crc32(str(folder).encode()) % 4000


def kernel_argv(writable, view: Path, limits: Limits, sandboxed: bool) -> list[str]:
    """The command Jupyter runs to start a grading kernel: `view` is the folder holding the
    course packages as this kernel may see them (on its PYTHONPATH)."""
    caps = ["prlimit", f"--as={limits.memory_mb << 20}", f"--fsize={limits.file_mb << 20}"]
    python = [sys.executable, "-m", "ipykernel_launcher", "-f"]
    if not sandboxed:  # no process cap: it would count every process of the instructor's own user
        return ["env", f"PYTHONPATH={view}", *caps, "--", *python, "{connection_file}"]
    uid = sandbox_uid(Path(writable[0]))
    readable = [Path(f) for f in (*SYSTEM, sys.base_prefix, sys.prefix, view)]
    argv = ["bwrap", "--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp"]
    for folder in _ancestors([*readable, *map(Path, writable)]):  # bwrap would make them 0700
        argv += ["--perms", "0755", "--dir", str(folder)]
    for folder in readable:
        argv += ["--ro-bind-try", str(folder.resolve()), str(folder)]
    for installed, seen in installed_in_view(readable[:-1], view):  # the whole course, unless hidden
        argv += ["--ro-bind", str(seen), str(installed)]
    for folder in writable:
        argv += ["--bind", str(folder), str(folder)]
    argv += [
        "--ro-bind", "{connection_file}", "{connection_file}",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
        "--clearenv", "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "--setenv", "PYTHONPATH", str(view), "--setenv", "PYTHONNOUSERSITE", "1",
        "--setenv", "HOME", "/tmp", "--setenv", "IPYTHONDIR", "/tmp/ipython",
        "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib", "--setenv", "OPENBLAS_NUM_THREADS", "1",
    ]  # fmt: skip
    # matplotlib's font cache, built once per grading run (prepare): without it every kernel
    # would spend seconds building its own in the empty /tmp
    warm = (
        f"cp -r {view / FONT_CACHE} /tmp/matplotlib 2>/dev/null; chmod -R a+rwX /tmp/matplotlib 2>/dev/null"
    )
    if os.geteuid() != 0:  # an ordinary user cannot change uid: the caps still hold, for this user
        script = f'{warm}; cp "$0" {CONNECTION} && exec {" ".join(caps)} -- "$@"'
    else:  # as root: a /tmp of capped size, the connection file handed to the kernel's own
        # user, then become that user, with no capabilities left (not even to mount again)
        argv += ["--cap-add", "CAP_SYS_ADMIN"]
        drop = f"setpriv --reuid={uid} --regid={uid} --clear-groups --inh-caps=-all --bounding-set=-all"
        nproc = f"--nproc={limits.processes}"
        tmp = small_tmp(limits.tmp_mb, readable, [Path(f) for f in writable])
        script = f'{tmp} && {warm}; chmod 0644 {CONNECTION} && exec {drop} {" ".join(caps)} {nproc} -- "$@"'
    return [*argv, "/bin/sh", "-c", script, "{connection_file}", *python, CONNECTION]


def installed_in_view(readable, view: Path) -> list[tuple[Path, Path]]:
    """The course packages installed (not editable: a wheel, as on Gradescope) inside a folder
    the kernel reads, each paired with the view's copy to show in its place: without that,
    the kernel could read the whole package, verdicts and reference answers included."""
    from ..layout import ROOT
    from .view import PACKAGES

    return [
        (ROOT / package, view / package)
        for package in PACKAGES
        if any(Path(folder).resolve() in (ROOT / package).resolve().parents for folder in readable)
    ]


def small_tmp(size_mb: int, readable: list[Path], writable: list[Path]) -> str:
    """Shell commands (run as root inside bwrap, whose own /tmp has no size cap) that put a
    /tmp of `size_mb` MiB in its place, holding the connection file ($0) and, bound again
    at the same paths, every folder of the kernel's that lies under /tmp."""
    lines = [
        "mkdir /.tmp",
        f"mount -n -t tmpfs -o size={size_mb}m,mode=1777 tmpfs /.tmp",
        f'cp "$0" /.tmp/{Path(CONNECTION).name}',
    ]
    under = [
        (f, ro) for fs, ro in ((readable, True), (writable, False)) for f in fs if Path("/tmp") in f.parents
    ]
    for folder, read_only in sorted(under, key=lambda item: len(item[0].parts)):
        inside = f"/.tmp/{folder.relative_to('/tmp')}"
        lines += [f"mkdir -p {inside}", f"mount -n --rbind {folder} {inside}"]  # with what is bound inside
        lines += [f"mount -n -o remount,bind,ro {inside}"] if read_only else []
    return " && ".join([*lines, "mount -n --move /.tmp /tmp"])


def _ancestors(folders) -> list[Path]:
    """Every folder above these (but /), outermost first."""
    above = {parent for folder in folders for parent in Path(folder).parents if parent != Path("/")}
    return sorted(above, key=lambda p: (len(p.parts), str(p)))


def open_to_kernel(*folders: Path) -> None:
    """The writable folders, open to the kernel's own (unprivileged) user."""
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o777)


def choose(view: Path, limits: Limits, requested: bool | None = None) -> bool:
    """Whether grading kernels run sandboxed: as requested, or (None) whenever
    bubblewrap works here. A sandboxed kernel that does not start falls back to an
    unsandboxed one, loudly; when no kernel starts at all, nothing is graded."""
    sandboxed = bwrap_works() if requested is None else requested
    if sandboxed:
        problem = kernel_problem(view, limits, sandboxed=True)
        if problem:
            print(f"The sandboxed grading kernel does not start here: {problem}", file=sys.stderr)
            sandboxed = False
    if not sandboxed:
        print(UNSANDBOXED_WARNING, file=sys.stderr)
        problem = kernel_problem(view, limits, sandboxed=False)
        if problem:
            raise RuntimeError(f"no grading kernel starts on this machine, so nothing was graded: {problem}")
    return sandboxed


def kernel_problem(view: Path, limits: Limits, sandboxed: bool) -> str | None:
    """None when a grading kernel starts here and can import the course; otherwise
    what went wrong. Run before grading, so a machine problem is never blamed on
    every student's notebook."""
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="mcg-") as tmp:
        tmp = Path(tmp)
        open_to_kernel(tmp / "work")
        write_kernelspec(tmp / "jupyter", kernel_argv([tmp / "work"], view, limits, sandboxed))
        cell = nbformat.v4.new_code_cell("import autograder, course_engine\nprint(6 * 7)")
        nb = nbformat.v4.new_notebook(cells=[cell])
        config = Config({"KernelManager": {"transport": "ipc", "ip": str(tmp / "work" / "kernel")}})
        saved = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = str(tmp / "jupyter")
        try:
            client = NotebookClient(
                nb, kernel_name=KERNEL_NAME, timeout=120, startup_timeout=120, config=config,
                resources={"metadata": {"path": str(tmp / "work")}},
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

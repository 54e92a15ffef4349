"""Grading kernels, each started before it is needed and handed out once.

A kernel's start and its setup cell's imports (numpy, matplotlib, the course) cost
one to three seconds a notebook. The worker grading one notebook therefore starts the
kernel for the next one beside it: in the same sandbox (sandbox.kernel_argv) as a kernel
started on demand, in a folder of its own, with the course's modules imported by a
silent request (no execution count, no output, no history). A kernel is handed out
once, runs one student's notebook and is shut down: no student's code ever runs in a
kernel another student's code touched. A spare that died, or whose imports failed or
hung, is thrown away and a kernel started on the spot takes its place.

Which kernel comes next is guessed: the assignment as far along the course from the
one just taken as that one was from the one before (student after student, one worker
grades 01, 02, 03, ...; two share the queue and each sees every other one). A guess
that misses costs the spare's start, never a wrong kernel: a spare is only ever given
to a notebook of the assignment (view) and limits it was started for. A spare is only
started while a core was idle during the last notebook: with every core busy (as many
workers as cores) it would not start any sooner, and a missed guess would cost a core.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from . import sandbox

# what the notebooks' setup cells import; a module a view leaves out is skipped
PRELOAD = ("numpy", "matplotlib.pyplot", "autograder", "course_engine", "course_engine.draw")
WARM_UP = """for _name in {modules!r}:
    try:
        __import__(_name)
    except ImportError:
        pass
del _name"""
SPARES = 2  # kept at most: a guess that misses leaves one behind for later
WARM_UP_TIMEOUT = 60.0  # seconds, nbclient's own start-up timeout


@dataclass(frozen=True)
class Recipe:
    """What makes two grading kernels interchangeable: the course as the kernel sees it
    (the assignment's view), its limits, and whether it is sandboxed."""

    view: Path
    limits: sandbox.Limits
    sandboxed: bool

    def step(self, steps: int) -> Recipe:
        """The same kernel for the assignment `steps` further along (the views beside this one)."""
        views = siblings(self.view)
        if self.view not in views:
            return self
        return Recipe(views[(views.index(self.view) + steps) % len(views)], self.limits, self.sandboxed)


def siblings(view: Path) -> list[Path]:
    return sorted(p for p in view.parent.iterdir() if p.is_dir() and not p.name.startswith("."))


class Kernel:
    """One started kernel: its manager, its folder (writable `work`, socket folder `run`)
    and the silent import request it was sent at start."""

    def __init__(self, recipe: Recipe, preload=PRELOAD):
        self.recipe = recipe
        self.folder = Path(tempfile.mkdtemp(prefix="mcg-k"))  # short: socket paths are limited
        try:
            self.start(preload)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def start(self, preload) -> None:
        """Launch the kernel (ipykernel ends itself when the worker that started it dies)."""
        recipe = self.recipe
        self.work, run = self.folder / "work", self.folder / "run"
        sandbox.open_to_kernel(self.work, run)
        argv = sandbox.kernel_argv([self.work, run], recipe.view, recipe.limits, recipe.sandboxed)
        sandbox.write_kernelspec(self.folder / "jupyter", argv)
        specs = KernelSpecManager(kernel_dirs=[str(self.folder / "jupyter" / "kernels")])
        self.km = AsyncKernelManager(
            kernel_name=sandbox.KERNEL_NAME, kernel_spec_manager=specs, transport="ipc",
            ip=str(run / "kernel"), connection_file=str(run / "connection.json"),
        )  # fmt: skip
        # the environment nbgrader's autograde gives a kernel it starts (the sandbox clears it)
        env = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
        run_sync(self.km.start_kernel)(cwd=str(self.work), env=env)
        self.client = self.km.client()
        self.client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        # sent now, answered once the kernel is up: the imports run while we do other work
        self.warm_up = self.client.execute(
            WARM_UP.format(modules=tuple(preload)), silent=True, store_history=False
        )

    def warmed(self, timeout: float = WARM_UP_TIMEOUT) -> bool:
        """Wait until the imports are done; False when the kernel died, failed them or hung."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if not self.alive():
                    return False
                try:
                    reply = run_sync(self.client.get_shell_msg)(timeout=min(1.0, deadline - time.monotonic()))
                except queue.Empty:
                    continue
                if reply["parent_header"].get("msg_id") == self.warm_up:
                    return reply["content"]["status"] == "ok"
            return False
        finally:
            self.client.stop_channels()

    def alive(self) -> bool:
        return bool(run_sync(self.km.is_alive)())

    def take_files(self, folder: Path) -> None:
        """What was handed in beside the notebook, into the kernel's working folder, where
        the notebook's relative paths look for it."""
        if folder.is_dir():
            shutil.copytree(folder, self.work, dirs_exist_ok=True)

    def discard(self) -> None:
        try:
            provisioner = getattr(self.km, "provisioner", None)
            process = getattr(provisioner, "process", None)
            if process is not None:
                # the SIGKILL shutdown_kernel(now=True) sends its process group, then a wait that
                # returns the moment it is gone: jupyter_client looks every 0.1 s, a tenth of a
                # second a notebook spent asleep
                run_sync(provisioner.kill)()
                process.wait(timeout=5)
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
            run_sync(self.km.cleanup_resources)()
        except Exception:
            pass  # already gone; nothing of it may stop the next notebook
        shutil.rmtree(self.folder, ignore_errors=True)


def cpu_ticks() -> tuple[int, int] | None:
    """(idle, all) CPU time of the whole machine so far, in ticks; None where unknown."""
    try:
        ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return ticks[3] + ticks[4], sum(ticks)  # idle and waiting for the disk


def idle_cores(before, after) -> float:
    """How many cores sat idle, on average, between two cpu_ticks (all of them when unknown)."""
    cores = os.cpu_count() or 1
    if before is None or after is None or after[1] <= before[1]:
        return float(cores)
    return cores * (after[0] - before[0]) / (after[1] - before[1])


class Kernels:
    """Hands out kernels, each once, keeping a spare warm for the notebook likely next."""

    def __init__(self, spares: int = SPARES, preload=PRELOAD, only_when_idle: bool = True):
        self.spares: list[Kernel] = []
        self.keep, self.preload, self.only_when_idle = spares, preload, only_when_idle
        self.last: Recipe | None = None
        self.ticks = cpu_ticks()

    def take(self, recipe: Recipe) -> Kernel:
        """A kernel for `recipe` that no notebook has run in; then the next spare is started."""
        kernel = next((k for k in self.spares if k.recipe == recipe), None)
        if kernel is not None:
            self.spares.remove(kernel)
            if not kernel.warmed():
                kernel.discard()
                kernel = None
        if kernel is None:
            kernel = self.start(recipe)
            kernel.warmed()  # a kernel that does not start fails the notebook as it always did
        self.prepare_after(recipe)
        return kernel

    def start(self, recipe: Recipe) -> Kernel:
        return Kernel(recipe, self.preload)

    def prepare_after(self, recipe: Recipe) -> None:
        steps = 1
        if self.last is not None and self.last.view.parent == recipe.view.parent:
            views = siblings(recipe.view)
            if self.last.view in views and recipe.view in views:
                steps = (views.index(recipe.view) - views.index(self.last.view)) % len(views) or len(views)
        self.last = recipe
        upcoming = recipe.step(steps)
        idle, self.ticks = idle_cores(self.ticks, cpu_ticks()), cpu_ticks()
        if (
            self.keep <= 0
            or (self.only_when_idle and idle < 0.5)
            or any(k.recipe == upcoming for k in self.spares)
        ):
            return
        if len(self.spares) >= self.keep:
            self.spares.pop(0).discard()
        try:
            self.spares.append(self.start(upcoming))
        except Exception:
            pass  # no spare: the next notebook starts its own kernel, as without one

    def close(self) -> None:
        while self.spares:
            self.spares.pop().discard()

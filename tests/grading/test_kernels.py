"""kernels: a grading kernel started ahead, in the same sandbox, handed out once, its
imports leaving no trace; one that died or hung while warm is replaced. Real kernels."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from jupyter_core.utils import run_sync

from autograder.grading import sandbox
from autograder.grading.guarded import GuardedExecute
from autograder.grading.kernels import Kernel, Kernels, Recipe, idle_cores
from autograder.grading.view import build_view_for

SANDBOXED = sandbox.bwrap_works()  # the real sandbox where it runs; else what grading falls back to


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    """Two assignments' grading views, side by side as prepare lays them out."""
    folder = tmp_path_factory.mktemp("views")
    for assignment in ("01_derivatives", "02_value"):
        build_view_for(assignment, folder / assignment)
    return folder


def recipe(views, assignment="01_derivatives"):
    return Recipe(views / assignment, sandbox.Limits(memory_mb=1024), SANDBOXED)


def execute(pool, view_recipe, *sources):
    """Run a notebook of `sources` through GuardedExecute with kernels from `pool`."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    guarded = GuardedExecute(timeout=60, view=str(view_recipe.view), sandboxed=view_recipe.sandboxed)
    guarded.memory_mb = view_recipe.limits.memory_mb
    GuardedExecute.kernels = pool
    try:
        nb, _ = guarded.preprocess(nb, {"metadata": {"path": ""}})
    finally:
        GuardedExecute.kernels = None
    return nb


def printed(cell) -> str:
    return "".join(o.get("text", "") or o.get("evalue", "") for o in cell.outputs)


def test_each_notebook_gets_a_kernel_no_other_notebook_ran_in(views):
    pool = Kernels(only_when_idle=False)  # a spare whatever else runs here
    try:
        first = execute(pool, recipe(views), "import builtins\nbuiltins.left_behind = 'ada'\nprint('set')")
        assert printed(first.cells[0]) == "set\n"
        assert [k.recipe for k in pool.spares] == [recipe(views, "02_value")]  # the next one, started
        second = execute(
            pool, recipe(views, "02_value"), "import builtins\nprint(hasattr(builtins, 'left_behind'))"
        )
        assert printed(second.cells[0]) == "False\n"
    finally:
        pool.close()
    assert pool.spares == []


PROBE = (
    "import sys as _sys\n"
    "print(sorted(globals()))\n"
    "print(len(In), Out, repr(_), _sys.argv[1:])\n"
    "print('numpy' in _sys.modules, 'course_engine' in _sys.modules)"
)


def test_the_warm_imports_leave_no_trace_in_the_notebook(views):
    pool = Kernels(only_when_idle=False)  # a spare whatever else runs here
    try:
        execute(pool, recipe(views), "pass")  # leaves a spare warm for 02_value
        spare = pool.spares[0]
        warm = execute(pool, recipe(views, "02_value"), "x = 1", PROBE)
        assert spare not in pool.spares, "the spare was the one taken"
    finally:
        pool.close()
    clean = execute(Kernels(spares=0, preload=()), recipe(views, "02_value"), "x = 1", PROBE)
    assert [c.execution_count for c in warm.cells] == [c.execution_count for c in clean.cells] == [1, 2]
    assert warm.cells[0].outputs == clean.cells[0].outputs == []
    names, history, imported = printed(warm.cells[1]).splitlines()
    assert [names, history] == printed(clean.cells[1]).splitlines()[:2]  # as in a kernel never warmed
    assert "'x'" in names and "'_name'" not in names and history.startswith("3 {} ''")
    assert (imported, printed(clean.cells[1]).splitlines()[2]) == ("True True", "False False")


def test_a_spare_is_only_ever_given_to_its_own_assignment(views):
    pool = Kernels(only_when_idle=False)  # a spare whatever else runs here
    try:
        kernel = pool.take(recipe(views))
        kernel.discard()
        assert [k.recipe.view.name for k in pool.spares] == ["02_value"]
        again = pool.take(recipe(views))  # not the 02_value spare, whatever the guess was
        assert again.recipe == recipe(views) and again.alive()
        again.discard()
    finally:
        pool.close()


def test_a_discarded_kernel_is_gone_with_every_process_it_started_and_its_folder(views):
    kernel = Kernel(recipe(views))
    assert kernel.warmed()
    process, marker = kernel.km.provisioner.process, f"{time.time() % 1000:.6f}"  # (a sleep of its own)
    client = kernel.km.client()
    client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    started = client.execute(f"import subprocess; subprocess.Popen(['sleep', '{marker}'])")
    assert run_sync(client.get_shell_msg)(timeout=30)["parent_header"]["msg_id"] == started
    client.stop_channels()
    assert sleeping(marker)
    kernel.discard()
    assert process.poll() is not None and not kernel.folder.exists()
    assert not sleeping(marker), "a process the notebook started outlived its kernel"


def sleeping(marker: str) -> bool:
    return any(p.info["cmdline"] == ["sleep", marker] for p in psutil.process_iter(["cmdline"]))


def test_a_spare_that_died_while_warm_is_replaced(views):
    pool = Kernels(only_when_idle=False)  # a spare whatever else runs here
    try:
        pool.take(recipe(views)).discard()
        spare = pool.spares[0]
        spare.km.provisioner.process.kill()
        spare.km.provisioner.process.wait()
        nb = execute(pool, recipe(views, "02_value"), "print(6 * 7)")
    finally:
        pool.close()
    assert printed(nb.cells[0]) == "42\n"
    assert not spare.folder.exists(), "the dead spare was thrown away"


def test_a_warm_up_that_hangs_is_given_up(views, tmp_path):
    hangs = tmp_path / "views" / "hangs"
    build_view_for("01_derivatives", hangs)
    (hangs / "slow_import.py").write_text("import time\ntime.sleep(60)\n")
    kernel = Kernel(Recipe(hangs, sandbox.Limits(memory_mb=1024), SANDBOXED), preload=("slow_import",))
    try:
        assert kernel.warmed(timeout=3) is False
    finally:
        kernel.discard()
    assert not kernel.folder.exists()


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(sys.platform != "linux", reason="a parent-death signal is Linux's")
def test_a_spare_dies_with_its_worker_even_unsandboxed_and_killed(views):
    start = (
        "from pathlib import Path\nimport time\n"
        "from autograder.grading.kernels import Kernel, Recipe\nfrom autograder.grading.sandbox import Limits\n"
        f"kernel = Kernel(Recipe(Path({str(views / '01_derivatives')!r}), Limits(memory_mb=1024), False))\n"
        "kernel.warmed()\nprint(kernel.km.provisioner.process.pid, flush=True)\ntime.sleep(120)"
    )
    worker = subprocess.Popen([sys.executable, "-c", start], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(worker.stdout.readline())
        assert running(pid)
    finally:
        worker.kill()  # as Worker.stop does: no chance to shut anything down (ipykernel watches its parent)
        worker.wait()
    deadline = time.monotonic() + 10
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(pid), "the spare outlived its worker"


def test_a_spare_is_started_only_when_a_core_sat_idle():
    cores = os.cpu_count() or 1
    assert idle_cores((100, 1000), (150, 1100)) == pytest.approx(cores * 0.5)  # idle half the time
    assert idle_cores((100, 1000), (100, 1100)) == 0.0  # every core busy: no spare
    assert idle_cores(None, (100, 1100)) == idle_cores((100, 1000), (100, 1000)) == cores  # unknown

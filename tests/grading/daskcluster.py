"""A real Dask cluster on this machine for the tests: `dask scheduler` and `dask worker`
processes, as an instructor starts them (README: Grading a large class)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from autograder.layout import ROOT

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskCluster:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.scratch = self.folder / "scratch"  # the workers' local directory (Dask's WorkSpace)

    def __enter__(self):
        self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1],
                                  "--dashboard-address", f"127.0.0.1:{free_port()}"])  # fmt: skip
        return self

    def add_worker(self, name: str, pythonpath: Path | None = None) -> str:
        """A worker of one thread, without a nanny (so killing it kills it); `pythonpath` puts
        another copy of the course in front of the installed one."""
        env = {"PYTHONPATH": str(pythonpath)} if pythonpath else {}
        self._start(name, ["worker", self.address, "--name", name, "--nthreads", "1", "--no-nanny",
                           "--dashboard-address", f"127.0.0.1:{free_port()}",
                           "--local-directory", str(self.scratch)], env)  # fmt: skip
        return name

    def wait_for(self, workers: int, timeout: float = 120) -> dict[str, str]:
        """Until `workers` workers are registered; their addresses by name."""
        from distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=timeout)
            return {w["name"]: address for address, w in client.scheduler_info()["workers"].items()}

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def exited(self, name: str, within: float = 30) -> bool:
        deadline = time.monotonic() + within
        while self.processes[name].poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.processes[name].poll() is not None

    def _start(self, name, args, env=None):
        log = open(self.folder / f"{name}.log", "w")  # the process writes it until it ends
        self.processes[name] = subprocess.Popen(
            [str(BIN / "dask"), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )

    def __exit__(self, *exc):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def course_of_another_version(folder: Path) -> Path:
    """A copy of the course's packages with one check edited, as a worker machine with an
    older or locally changed install has it."""
    for package in ("autograder", "course_engine"):
        shutil.copytree(ROOT / package, folder / package, ignore=shutil.ignore_patterns("__pycache__"))
    init = folder / "autograder" / "__init__.py"
    init.write_text(init.read_text() + "\n# edited on this worker\n")
    return folder

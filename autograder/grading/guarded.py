"""nbgrader's Execute with the guards a grader of untrusted code needs.

- A kernel that dies (os._exit, a crash, a limit) costs only the cells from
  there on: the cells that ran before keep their outputs (and marks), the cell
  it died in says so and why, and the later ones say they never ran.
- A cell that prints more than `max_output_bytes` is stopped, and says so.
- A cell stopped by a limit (time, memory, processes, file size) gets a sentence
  naming the limit and what to do, under its own error.
- Given a grading view, the kernel is a sandboxed one from `GuardedExecute.kernels`
  (kernels.py): started, with the course imported, while the notebook before ran.
"""

from __future__ import annotations

import asyncio
import json
import queue
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbclient.util import run_hook
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from .kernels import Kernels, Recipe
from .sandbox import Limits

PROCESS_CAP = (
    "stopped: the notebook started more than {processes} processes, the grader's limit. "
    "Do not start processes in your answers."
)
# what a limit looks like from inside the kernel -> the sentence that names it
LIMITS = {
    "CellTimeoutError": "stopped: this cell ran longer than {timeout} s, the grader's limit per cell. "
    "Look for a loop that never ends, or make the cell faster.",
    "MemoryError": "stopped: the notebook used more than {memory_mb} MiB of memory, the grader's limit. "
    "Look for a list or array that grows without end.",
    "BlockingIOError": PROCESS_CAP,  # a fork
    "can't start new thread": PROCESS_CAP,
    "File too large": "stopped: a file grew past {file_mb} MiB, the grader's limit on files. "
    "Do not write big files in your answers.",
    "No space left on device": "stopped: the notebook's files took more than {tmp_mb} MiB, the grader's "
    "limit on what a notebook may write. Do not write big files in your answers.",
}
REAP = """import os as _os, signal as _signal
try:
    _os.kill(-1, _signal.SIGKILL)
    while True:
        _os.waitpid(-1, 0)  # collected, or they would still count against the cap
except (ProcessLookupError, ChildProcessError):
    pass"""
OUTPUT_LIMIT = (
    "stopped: this cell printed more than {mib:g} MiB, the grader's limit on output per cell. "
    "Look for a print inside a loop."
)


class GuardedExecute(Execute):
    max_output_bytes = Integer(1 << 20, help="output one cell may print before it is stopped").tag(
        config=True
    )
    memory_mb = Integer(2048, help="the kernel's memory cap, for the message").tag(config=True)
    processes = Integer(256, help="the kernel's process cap, for the message").tag(config=True)
    file_mb = Integer(256, help="the kernel's file size cap, for the message").tag(config=True)
    tmp_mb = Integer(512, help="the kernel's cap on all of /tmp, for the message").tag(config=True)
    reap = Bool(
        False, help="after a cell met the process cap, end every other process in the kernel's sandbox"
    ).tag(config=True)
    view = Unicode("", help="the grading view the kernel sees; set: the kernel comes from `kernels`").tag(
        config=True
    )
    sandboxed = Bool(True, help="with a view: whether its kernel runs in the sandbox").tag(config=True)
    kernels: Kernels | None = None  # the worker's, keeping spares; None: each kernel started on demand

    def preprocess(self, nb, resources=None, km=None):
        if km is not None or not self.view:
            return super().preprocess(nb, resources, km)
        limits = Limits(self.memory_mb, self.processes, self.file_mb, self.tmp_mb)
        kernel = (self.kernels or Kernels(spares=0)).take(Recipe(Path(self.view), limits, self.sandboxed))
        try:
            folder = (resources or {}).get("metadata", {}).get("path")
            if folder:
                kernel.take_files(Path(folder))
            return super().preprocess(nb, resources, kernel.km)
        finally:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None
            kernel.discard()  # one notebook per kernel, whatever happened in it

    async def async_start_new_kernel_client(self):
        """nbclient's, but ready without jupyter_client's last step: listening to IOPub until it
        has been quiet for 0.2 s, a fifth of a second a notebook spent waiting for nothing
        (nbclient reads only what answers its own requests). A kernel from `kernels` has
        answered on shell already (its warm-up); what remains to prove is that IOPub is
        connected (a subscription takes a moment): ask for kernel_info until its status
        message arrives there."""
        if not self.view:
            return await super().async_start_new_kernel_client()
        self.kc = self.km.client()
        self.kc.start_channels()
        deadline = asyncio.get_running_loop().time() + self.startup_timeout
        while not await self._heard_on_iopub(self.kc.kernel_info()):
            if not await self.km.is_alive() or asyncio.get_running_loop().time() > deadline:
                await self._async_cleanup_kernel()
                raise RuntimeError("the grading kernel did not answer on IOPub")
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _heard_on_iopub(self, request: str) -> bool:
        try:
            while True:
                message = await self.kc.iopub_channel.get_msg(timeout=1)
                if message["parent_header"].get("msg_id") == request:
                    return True
        except queue.Empty:
            return False

    def reset_execution_trackers(self):
        super().reset_execution_trackers()
        self.died_in, self.why, self.printed, self.over_limit = None, "", {}, set()

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self.died_in is not None:
            cell.outputs = [
                _error("NotRun", f"not run: the kernel died in cell {self.died_in + 1} ({self.why})")
            ]
            return cell, resources
        try:
            super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self.died_in, self.why = index, self.why_died()
            cell.outputs.append(_error("KernelDied", f"the kernel died while running this cell: {self.why}"))
        if PROCESS_CAP in self.name_limits(cell, index) and self.reap:
            self.end_strays()
        return cell, resources

    def end_strays(self):
        """The processes a cell left behind (a fork bomb's) would hold the process cap for the
        cells after it: end them all. Only in the sandbox, where the kernel has a PID
        namespace of its own, so kill(-1) reaches nothing outside it (nor the kernel itself)."""
        reply = self.wait_for_reply(self.kc.execute(REAP, silent=True, store_history=False))
        if reply is None or reply["content"]["status"] != "ok":
            self.log.warning("could not end the processes a cell left behind: %s", reply)

    def why_died(self) -> str:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        if code in (-9, 137):
            return "it was killed, most likely for using too much memory"
        if code in (-11, 139):
            return "Python crashed (a segmentation fault)"
        return "the code ended the Python process (os._exit, or a crash)"

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(json.dumps(content.get("data", content.get("text", "")), default=str))
        self.printed[cell_index] = self.printed.get(cell_index, 0) + size
        if self.printed[cell_index] > self.max_output_bytes:
            if cell_index not in self.over_limit:
                self.over_limit.add(cell_index)
                asyncio.ensure_future(self.km.interrupt_kernel())
            return None
        return super().output(outs, msg, display_id, cell_index)

    def name_limits(self, cell, cell_index):
        """Under an error a limit caused, the sentence naming the limit."""
        said = []
        if cell_index in self.over_limit:
            said.append(OUTPUT_LIMIT.format(mib=self.max_output_bytes / (1 << 20)))
        for output in cell.outputs:
            if output.output_type == "error":
                text = f"{output.ename}: {output.evalue}"
                said += [m for key, m in LIMITS.items() if key in text]
        values = {
            "timeout": self.timeout,
            "memory_mb": self.memory_mb,
            "processes": self.processes,
            "file_mb": self.file_mb,
            "tmp_mb": self.tmp_mb,
        }
        for sentence in dict.fromkeys(said):
            cell.outputs.append(new_output("stream", name="stdout", text=sentence.format(**values) + "\n"))
        return set(said)


def _error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])

"""What a student sees, in a real browser: JupyterLab runs the student version of
notebook 03 in headless Chromium; a wrong `backprop_by_hand` gets the check's
message and a graph with the wrong nodes in red, the right one the success line.

Chromium is Debian's (/usr/bin/chromium, installed by `make setup`),
driven by the `playwright` package; `playwright install` is never needed. The test
skips, saying why, when Chromium, Playwright or Graphviz's `dot` is missing.
Screenshots of both runs are saved in the test's tmp folder (the path is printed:
run pytest with -s to see it).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from nbharness import NOTEBOOKS, SOLUTIONS

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ASSIGNMENT = "03_backprop"
EXERCISE_CELL = "03_manual"  # nbgrader grade_id of the backprop_by_hand cell
CHECK_CALL = 'check("03.manual", backprop_by_hand)'
HIGHLIGHT = "#f8c4c4"  # course_engine.draw fills the nodes a check found wrong with this
WAIT_MS = 60_000  # for each wait; the whole test takes 20-30 s
SVG = "{http://www.w3.org/2000/svg}"

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Chromium is not installed at {CHROMIUM}: run `make setup` "
        "(or `sudo apt-get install chromium`) for the browser test",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="the playwright package is missing: pip install -e '.[dev]' (make test does)",
    ),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing: run `make setup`"),
]


# ---- the notebook and the two answers ---------------------------------------------------


def student_notebook(dest: Path) -> Path:
    """A copy of the student version of notebook 03 (committed in notebooks/) in `dest`."""
    committed = NOTEBOOKS / ASSIGNMENT
    assert (committed / f"{ASSIGNMENT}.ipynb").exists(), "notebooks/ is made by `make course`"
    shutil.copytree(committed, dest / ASSIGNMENT, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    path = dest / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    stub = cell_source(path, EXERCISE_CELL)
    assert "raise NotImplementedError()" in stub, f"the student notebook's exercise is not a stub:\n{stub}"
    return path


def cell_source(path: Path, grade_id: str) -> str:
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell.source


def right_answer() -> str:
    """The exercise cell as the solution has it, without nbgrader's markers."""
    source = cell_source(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", EXERCISE_CELL)
    assert "### BEGIN SOLUTION" in source and "### END SOLUTION" in source
    kept = [
        line for line in source.splitlines() if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    ]
    return "\n".join(kept) + "\n"


def wrong_answer(right: str) -> str:
    """The typical slip of the product rule: each factor gets its OWN value, not the other's."""
    swaps = {
        "a.grad = b.data * e.grad": "a.grad = a.data * e.grad",
        "b.grad = a.data * e.grad": "b.grad = b.data * e.grad",
    }
    for find, replace in swaps.items():
        assert right.count(find) == 1, f"the solution changed: {find!r} is not in it once:\n{right}"
        right = right.replace(find, replace)
    return right


# ---- JupyterLab ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server on localhost with its own root, settings and runtime folders."""

    def __init__(self, root: Path, home: Path):
        self.port, self.token = free_port(), os.urandom(16).hex()
        self.log_path = home / "jupyterlab.log"
        settings = home / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        # no "would you like news?" toast over the notebook
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        env = dict(
            os.environ,
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_DATA_DIR=str(home / "data"),
            IPYTHONDIR=str(home / "ipython"),
        )
        env.pop("JUPYTER_TOKEN", None)
        command = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={home / 'settings'}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.log = open(self.log_path, "w")  # closed in stop()
        # its own process group, so that stop() can end the server and its kernels
        self.process = subprocess.Popen(
            command, cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def wait_ready(self, timeout: float = WAIT_MS / 1000):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"JupyterLab exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: the server shuts its kernels down and exits
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                pass
        try:  # anything left in the server's own group (a kernel that outlived it)
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self.log.close()


@pytest.fixture
def lab(tmp_path):
    root = tmp_path / "lab"
    root.mkdir()
    student_notebook(root)
    server = Lab(root, tmp_path / "jupyter")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(lab, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh --user-data-dir
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1100},
        )
        try:
            tab = browser.pages[0] if browser.pages else browser.new_page()
            tab.set_default_timeout(WAIT_MS)
            yield tab
        finally:
            browser.close()


# ---- what the student does and sees -------------------------------------------------------


def code_cell(page, text):
    """The one code cell of the open notebook whose text contains `text`."""
    cells = page.locator(".jp-Notebook .jp-CodeCell").filter(has_text=text)
    cells.first.wait_for()
    assert cells.count() == 1, f"{cells.count()} code cells contain {text!r}"
    return cells.first


def type_into(page, cell, source):
    """Click into the cell's editor, select everything, type the new source, leave the editor."""
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)  # as pasted: no auto-indent, no auto-closed brackets
    shown = editor.inner_text().strip()
    assert shown == source.strip(), f"the editor shows something else than was typed:\n{shown}"
    page.keyboard.press("Escape")


def outputs(cell):
    """Each output of a cell as (kind, element): 'svg', 'error' or 'text'."""
    found = []
    for out in cell.locator(".jp-OutputArea-output").all():
        mime = out.get_attribute("data-mime-type") or ""
        kind = {"image/svg+xml": "svg", "application/vnd.jupyter.stderr": "error"}.get(mime, "text")
        found.append((kind, out))
    return found


def svg_of(output) -> ET.Element:
    """JupyterLab shows an SVG output as an <img> with a data: URL: the picture's source."""
    src = output.locator("img").get_attribute("src")
    assert src and src.startswith("data:image/svg+xml,"), src
    return ET.fromstring(urllib.parse.unquote(src.split(",", 1)[1]))


def graph_nodes(svg: ET.Element) -> dict[str, tuple[set, list]]:
    """Graphviz node -> (fill colours, texts); a record's first text is its label."""
    nodes = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == "node":
            fills = {shape.get("fill") for shape in group if shape.tag in (f"{SVG}polygon", f"{SVG}path")}
            texts = [(t.text or "").strip() for t in group.iter(f"{SVG}text")]
            nodes[texts[0] if texts else group.findtext(f"{SVG}title")] = (fills, texts)
    return nodes


def screenshot(page, cell, path: Path):
    cell.evaluate("el => el.scrollIntoView({block: 'start'})")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")


def test_student_sees_the_failing_check_with_a_red_graph_then_the_success_line(page, lab, tmp_path):
    from playwright.sync_api import expect

    shots = tmp_path / "screenshots"
    right = right_answer()
    try:
        page.goto(lab.url(f"lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))
        exercise = code_cell(page, "def backprop_by_hand")
        check_cell = code_cell(page, CHECK_CALL)
        expect(exercise).to_contain_text("raise NotImplementedError()", timeout=WAIT_MS)

        # a wrong answer, run the way a student does: the cells above, the exercise, its check
        type_into(page, exercise, wrong_answer(right))
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Above Selected Cell").click()
        page.keyboard.press("Shift+Enter")  # runs the exercise, moves to the check
        page.keyboard.press("Shift+Enter")  # runs the check
        error = check_cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        expect(error).to_contain_text("likely mistake", timeout=WAIT_MS)
        message = error.inner_text()
        for words in (
            "CheckFailed: [03.manual]",
            "a.grad = dL/da is wrong (checked against a finite difference)",
            "input:    a = 2, b = -3, c = 10, f = -2",
            "expected: 6",
            "got:      -4",
            "likely mistake: operands swapped in the product rule",
        ):
            assert words in message, f"{words!r} is not in what the student sees:\n{message}"

        # above the message: the graph, with exactly the wrong nodes in red and their finite differences
        shown = outputs(check_cell)
        kinds = [kind for kind, _ in shown]
        assert "svg" in kinds and kinds.index("svg") < kinds.index("error"), f"outputs: {kinds}"
        picture = shown[kinds.index("svg")][1]
        expect(picture).to_be_visible(timeout=WAIT_MS)
        nodes = graph_nodes(svg_of(picture))
        red = {name for name, (fills, _) in nodes.items() if HIGHLIGHT in fills}
        assert red == {"a", "b"}, f"highlighted {red}; all nodes: {nodes}"
        assert "finite difference 6" in nodes["a"][1] and "finite difference -4" in nodes["b"][1], nodes
        for name, (_, texts) in nodes.items():
            if name not in red:
                assert not any(t.startswith("finite difference") for t in texts), (name, texts)
        screenshot(page, exercise, shots / "03_manual_wrong.png")

        # the right answer: run the exercise and its check again
        type_into(page, exercise, right)
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        success = check_cell.locator(".jp-OutputArea")
        expect(success).to_contain_text("\u2714 [03.manual]", timeout=WAIT_MS)
        expect(success).to_contain_text("all checks passed (2 points)", timeout=WAIT_MS)
        assert [kind for kind, _ in outputs(check_cell)] == ["text"], "the check printed more than its line"
        screenshot(page, exercise, shots / "03_manual_right.png")
    except Exception:
        try:
            page.screenshot(path=str(tmp_path / "failure.png"))
            print(f"failure screenshot: {tmp_path / 'failure.png'}")
        finally:
            print(f"JupyterLab's log:\n{lab.log_tail()}")
        raise

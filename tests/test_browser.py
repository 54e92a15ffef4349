"""What a student sees, in a real browser: JupyterLab, started the way `make lab` and Binder
start it (the students' configuration, a failing check does not stop the run), runs the
student version of notebook 03 in headless Chromium:
  - Run All on the untouched notebook runs to the end (every check "not attempted");
    a wrong `backprop_by_hand` gets the check's message in a red block and a graph with the
    wrong nodes in red; the right one gets the success line; nbgrader's instructor tools
    (Create Assignment, Formgrader) are not there, its Validate button is;
  - Run All on a notebook with one wrong answer runs to the end: the failure shows where it
    is, the later checks pass, progress() shows this kernel's status in under 2 seconds; the
    graph fits a narrow window and reads at a wide one; running the `Value` class cell again,
    then a check, shows the check's outcome.
One JupyterLab server and one browser serve every test of this file.

Chromium is Debian's (/usr/bin/chromium, installed by `make setup`),
driven by the `playwright` package; `playwright install` is never needed. The tests
skip, saying why, when Chromium, Playwright or Graphviz's `dot` is missing.
Screenshots are saved in the tests' tmp folder (the path is printed: run pytest with -s
to see it).
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
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from nbharness import NOTEBOOKS, ROOT, SOLUTIONS

from autograder import exercises_in

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
WAIT_MS = 60_000  # for each wait
STUDENT_CONFIG = ROOT / "binder" / "jupyter"  # what `make lab` and binder/start put on JUPYTER_CONFIG_PATH
FAILURE = ".micrograd-course-failure"  # the block a failing check shows in a student's kernel
GRAPH = ".micrograd-course-graph svg"

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


# ---- the notebooks and the answers --------------------------------------------------------


def student_notebook(dest: Path) -> Path:
    """A copy of the student version of notebook 03 (committed in notebooks/) in `dest`."""
    committed = NOTEBOOKS / ASSIGNMENT
    assert (committed / f"{ASSIGNMENT}.ipynb").exists(), "notebooks/ is made by `make course`"
    shutil.copytree(committed, dest / ASSIGNMENT, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    path = dest / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    stub = cell_source(path, EXERCISE_CELL)
    assert "raise NotImplementedError()" in stub, f"the student notebook's exercise is not a stub:\n{stub}"
    return path


def answered_course(dest: Path) -> Path:
    """Every student notebook in `dest`, 03's answers filled in from the solution, all right
    but backprop_by_hand, and a last cell that calls progress()."""
    shutil.copytree(NOTEBOOKS, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    path = dest / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            right = right_answer(meta["grade_id"])
            cell.source = wrong_answer(right) if meta["grade_id"] == EXERCISE_CELL else right
    nb.cells.append(nbformat.v4.new_code_cell("progress()"))
    nbformat.write(nb, path)
    return path


def cell_source(path: Path, grade_id: str) -> str:
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell.source


def right_answer(grade_id: str = EXERCISE_CELL) -> str:
    """An exercise cell as the solution has it, without nbgrader's markers."""
    source = cell_source(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", grade_id)
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


def first_line_of(path: Path, grade_id: str) -> str:
    """A line of the cell's first three that no other code cell has: how to find it on screen."""
    nb = nbformat.read(path, as_version=4)
    others = [
        c.source
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id") != grade_id
    ]
    for line in cell_source(path, grade_id).splitlines()[:3]:
        if line.strip() and not any(line in other for other in others):
            return line
    raise AssertionError(f"no line of {grade_id}'s first three is its own")


# ---- JupyterLab ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A student's JupyterLab server on localhost with its own root, settings and runtime
    folders, and the students' configuration."""

    def __init__(self, root: Path, home: Path):
        self.root, self.port, self.token = root, free_port(), os.urandom(16).hex()
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
            **STUDENT_LAB_ENV,
        )
        for name in ("JUPYTER_TOKEN", "MICROGRAD_COURSE_STRICT", "NBGRADER_EXECUTION"):
            env.pop(name, None)  # a student's session: a failing check shows, the run goes on
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


STUDENT_LAB_ENV = {"JUPYTER_CONFIG_PATH": str(STUDENT_CONFIG)}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as `make lab` starts it, on a folder with the stub notebook 03 (03_backprop/)
    and an answered course (answered/)."""
    root = tmp_path_factory.mktemp("lab")
    student_notebook(root)
    answered_course(root / "answered")
    server = Lab(root, tmp_path_factory.mktemp("jupyter"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(lab, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh --user-data-dir
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1100},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, lab, tmp_path):
    tab = browser.new_page()
    tab.set_default_timeout(WAIT_MS)
    try:
        yield tab
    finally:
        tab.close()


@contextmanager
def shown_on_failure(page, lab, tmp_path):
    """On a failure: a screenshot and JupyterLab's log."""
    try:
        yield
    except Exception:
        try:
            page.screenshot(path=str(tmp_path / "failure.png"))
            print(f"failure screenshot: {tmp_path / 'failure.png'}")
        finally:
            print(f"JupyterLab's log:\n{lab.log_tail()}")
        raise


# ---- what the student does and sees -------------------------------------------------------


def code_cell(page, text):
    """The one code cell of the open notebook whose text contains `text`."""
    cells = page.locator(".jp-Notebook .jp-CodeCell").filter(has_text=text)
    cells.first.wait_for()
    assert cells.count() == 1, f"{cells.count()} code cells contain {text!r}"
    return cells.first


def into_editor(cell):
    """Click into the cell's editor until it has the focus, and return it. A click can miss
    while JupyterLab still scrolls the notebook or renders outputs after a run, so it is tried
    again; the last try waits as long as any other wait."""
    from playwright.sync_api import expect

    editor = cell.locator(".cm-content")
    for _ in range(4):
        editor.click()
        try:
            expect(editor).to_be_focused(timeout=2_000)
            return editor
        except AssertionError:
            pass
    editor.click()
    expect(editor).to_be_focused(timeout=WAIT_MS)
    return editor


def type_into(page, cell, source):
    """Click into the cell's editor, select everything, type the new source, leave the editor."""
    editor = into_editor(cell)  # in the editor: Control+A selects its text, not every cell
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)  # as pasted: no auto-indent, no auto-closed brackets
    shown = editor.inner_text().strip()
    assert shown == source.strip(), f"the editor shows something else than was typed:\n{shown}"
    page.keyboard.press("Escape")


def run_in_place(page, cell) -> str:
    """Run one cell (Ctrl+Enter) and wait until it has run; its new prompt."""
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    into_editor(cell)  # Control+Enter runs the cell whose editor has the focus
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "([el, before]) => !['[*]:', before].includes(el.innerText.trim())",
        arg=[prompt.element_handle(), before],
    )
    return prompt.inner_text()


def wait_until_idle(page):
    """Until no cell of the open notebook is queued or running ([*]:)."""
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')].some(p => p.innerText.includes('*'))"
    )


def outputs(cell):
    """Each output of a cell as (kind, element): 'graph', 'failure', 'error' or 'text'."""
    found = []
    for out in cell.locator(".jp-OutputArea-output").all():
        if out.locator(GRAPH).count():
            kind = "graph"
        elif out.locator(FAILURE).count():
            kind = "failure"
        elif out.get_attribute("data-mime-type") == "application/vnd.jupyter.stderr":
            kind = "error"
        else:
            kind = "text"
        found.append((kind, out))
    return found


def graph_nodes(output) -> dict[str, tuple[set, list]]:
    """Graphviz node -> (fill colours, texts), read off the inline SVG; a record's first text
    is its label."""
    nodes = output.locator(GRAPH).evaluate(
        """svg => [...svg.querySelectorAll("g.node")].map(g => [
            [...g.querySelectorAll("polygon, path")].map(s => s.getAttribute("fill")),
            [...g.querySelectorAll("text")].map(t => t.textContent.trim()),
        ])"""
    )
    # a label may say more after the name: "a (dL/da = 6)"
    return {texts[0].split(" (")[0] if texts else "": (set(fills), texts) for fills, texts in nodes}


def screenshot(page, cell, path: Path):
    cell.evaluate("el => el.scrollIntoView({block: 'start'})")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")


def assert_student_ui(page):
    """No Create Assignment sidebar, no Formgrader or Course List; Validate and the Assignment
    List are still there."""
    page.get_by_role("button", name="Validate").first.wait_for()
    tabs = [t.get_attribute("title") or "" for t in page.locator(".lm-TabBar-tab").all()]
    assert not [t for t in tabs if "Create Assignment" in t], tabs
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    items = [i.inner_text().strip() for i in page.locator(".lm-Menu-item").all() if i.is_visible()]
    page.keyboard.press("Escape")
    assert items == ["Assignment List"], items


def test_student_sees_the_failing_check_in_a_red_block_with_a_red_graph_then_the_success_line(
    page, lab, tmp_path
):
    from playwright.sync_api import expect

    shots = tmp_path / "screenshots"
    right = right_answer()
    with shown_on_failure(page, lab, tmp_path):
        page.goto(lab.url(f"lab/workspaces/by-hand/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))
        exercise = code_cell(page, "def backprop_by_hand")
        check_cell = code_cell(page, CHECK_CALL)
        expect(exercise).to_contain_text("raise NotImplementedError()", timeout=WAIT_MS)
        assert_student_ui(page)

        # Run All on the untouched notebook goes to the end: each check says "not attempted",
        # each demo of an exercise not written yet shows its NotImplementedError
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        last_check = page.locator(".jp-Notebook .jp-CodeCell").filter(has=page.locator(FAILURE)).last
        expect(page.locator(f".jp-Notebook {FAILURE}")).to_have_count(len(exercises_in(ASSIGNMENT)))
        expect(last_check).to_contain_text("not attempted yet")
        expect(check_cell.locator(FAILURE)).to_contain_text("[03.manual]")
        assert page.locator(".jp-Notebook .jp-OutputArea-output", has_text="NotImplementedError").count() > 1
        wait_until_idle(page)

        # a wrong answer, run the way a student does: the cells above, the exercise, its check
        type_into(page, exercise, wrong_answer(right))
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Above Selected Cell").click()
        page.keyboard.press("Shift+Enter")  # runs the exercise, moves to the check
        page.keyboard.press("Shift+Enter")  # runs the check
        block = check_cell.locator(FAILURE)
        expect(block).to_contain_text("likely mistake", timeout=WAIT_MS)
        message = block.inner_text()
        for words in (
            "check failed: [03.manual]",
            "a.grad = dL/da is wrong (checked against a finite difference)",
            "input:    a = 2, b = -3, c = 10, f = -2",
            "expected: 6",
            "got:      -4",
            "likely mistake: operands swapped in the product rule",
            'hint("03.manual")',
        ):
            assert words in message, f"{words!r} is not in what the student sees:\n{message}"
        wrapping = block.locator("div").nth(1).evaluate("el => getComputedStyle(el).wordBreak")
        assert wrapping == "normal", f"the message may break inside a word: word-break {wrapping}"

        # above the message: the graph, with exactly the wrong nodes in red and their finite differences
        shown = outputs(check_cell)
        kinds = [kind for kind, _ in shown]
        assert kinds == ["graph", "failure"], f"outputs: {kinds}"
        picture = shown[0][1]
        expect(picture).to_be_visible(timeout=WAIT_MS)
        nodes = graph_nodes(picture)
        red = {name for name, (fills, _) in nodes.items() if HIGHLIGHT in fills}
        assert red == {"a", "b"}, f"highlighted {red}; all nodes: {nodes}"
        noted = {
            name: " | ".join(texts)
            for name, (_, texts) in nodes.items()
            if "finite difference" in " ".join(texts)
        }
        assert noted.keys() == red, f"finite differences are written on {noted}, not only on the red nodes"
        assert "finite difference 6" in noted["a"] and "finite difference -4" in noted["b"], noted
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


def graph_fit(page, output) -> dict:
    """How the graph sits in its output at the window's width."""
    output.evaluate("el => el.scrollIntoView({block: 'center'})")
    return output.evaluate(
        """out => {
            const svg = out.querySelector("svg"), box = svg.getBoundingClientRect();
            const area = out.getBoundingClientRect();
            const text = [...svg.querySelectorAll("g.node text")].map(t => t.getBoundingClientRect().height);
            return {svg_right: box.right, svg_width: box.width, area_right: area.right,
                    overflow: out.scrollWidth - out.clientWidth, text: Math.min(...text)};
        }"""
    )


def test_run_all_goes_past_a_failing_check_and_progress_shows_it_live(page, lab, tmp_path):
    from playwright.sync_api import expect

    path = Path(lab.root) / "answered" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    with shown_on_failure(page, lab, tmp_path):
        page.goto(lab.url(f"lab/workspaces/run-all/tree/answered/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))
        manual = code_cell(page, CHECK_CALL)
        last = page.locator(".jp-Notebook .jp-CodeCell").last
        expect(last).to_contain_text("progress()", timeout=WAIT_MS)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

        # the run reached the last cell: progress() shows this kernel's checks
        table = last.locator(".micrograd-course-progress")
        expect(table).to_be_visible(timeout=WAIT_MS)
        wait_until_idle(page)
        expect(manual.locator(FAILURE)).to_contain_text("operands swapped in the product rule")
        for later in ("03_backward_test", "03_gelu_test"):
            expect(code_cell(page, first_line_of(path, later))).to_contain_text("all checks passed")
        live = table.locator(".micrograd-course-progress-live")
        expect(live).to_contain_text(ASSIGNMENT)
        assert live.locator('[data-status="failing"]').all_inner_texts() == ["\u2718\u00a003.manual"]
        assert live.locator('[data-status="passing"]').count() >= 10
        expect(table).to_contain_text(
            f"from the outputs saved in their files in {Path(lab.root) / 'answered'}"
        )
        expect(table.locator(".micrograd-course-progress-saved").first).to_contain_text("saved 20")

        # progress() again, timed from the key press to the table on screen
        start = time.perf_counter()
        run_in_place(page, last)
        expect(table).to_be_visible()
        seconds = time.perf_counter() - start
        print(f"progress() in the browser: {seconds:.2f} s")
        screenshot(page, last, tmp_path / "screenshots" / "progress.png")
        assert seconds < 2, f"progress() took {seconds:.2f} s from the key press to the table"

        # the failure graph fits a narrow window and reads at a wide one
        graph = outputs(manual)[0][1]
        page.set_viewport_size({"width": 700, "height": 1000})
        narrow = graph_fit(page, graph)
        screenshot(page, manual, tmp_path / "screenshots" / "graph_narrow.png")
        page.set_viewport_size({"width": 1800, "height": 1000})
        wide = graph_fit(page, graph)
        screenshot(page, manual, tmp_path / "screenshots" / "graph_wide.png")
        assert narrow["overflow"] <= 1 and narrow["svg_right"] <= narrow["area_right"] + 1, narrow
        assert narrow["svg_width"] < wide["svg_width"], (narrow, wide)  # it shrank to fit
        assert wide["overflow"] <= 1 and wide["text"] >= 12, wide  # 12-point text, about 16 pixels
        page.set_viewport_size({"width": 1400, "height": 1100})

        # the Value class cell run again, then a check of a method added after it
        value_cell = code_cell(page, first_line_of(path, "value-given"))
        add_mul = code_cell(page, first_line_of(path, "03_add_mul_test"))
        run_in_place(page, value_cell)
        run_in_place(page, add_mul)
        if importlib.util.find_spec("autograder.checking.methods") is not None:
            # add_method keeps what it added: the class gets its methods back
            expect(add_mul.locator(".jp-OutputArea")).to_contain_text("\u2714 [03.add_mul]")
        else:  # without it the methods are gone: the check says so, in its block, and stops nothing
            expect(add_mul.locator(FAILURE)).to_contain_text("[03.add_mul]")

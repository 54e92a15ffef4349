"""A catalogue of cheats, each a blank student notebook with a trick in an answer cell.

Every one must score exactly what the blank notebook scores. They are the tricks
that spread through a class: rebinding or patching the checker, silencing errors,
forging or replaying observations, reading the answer key from disk, handing back
the reference engine, writing the gradebook, editing test cells, the network,
and dying after printing a success line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import nbformat

from autograder.layout import NOTEBOOKS, notebook_path


@dataclass(frozen=True)
class Cheat:
    name: str  # also the "student" id in the cheaters' class
    assignment: str
    code: str  # put in place of the first answer cell's stub
    test_cell: str | None = None  # a new source for the first graded cell (None: untouched; "" deletes it)


REBIND = "check = lambda *args, **kwargs: None\nhint = check\n"

PATCH_MODULES = """
import autograder, autograder.checking.runner as runner
runner.run = lambda *a, **k: None
runner.judge = lambda *a, **k: None
autograder.check = runner.check = lambda *a, **k: None
"""

FORGE = """
import json
import autograder.checking.emit as emit
from IPython.display import display
def forged(exercise_id, nonce, probe, names, cases, *objects, isolation=()):
    said = {"value": 14.003, "type": "float", "repr": "14.003"}
    entries = [{"case": i, "observation": said} for i, _ in enumerate(json.loads(cases))]
    display({emit.OBSERVATIONS_MIME: {"exercise": exercise_id, "nonce": nonce, "observations": entries}}, raw=True)
emit.emit = forged
"""

REPLAY = """
import json
import autograder.checking.emit as emit
from IPython.display import display
RECORDED = json.loads({recorded!r})  # another student's observations, copied from their notebook
def replay(exercise_id, nonce, probe, names, cases, *objects, isolation=()):
    entries = RECORDED.get(exercise_id, [])
    display({{emit.OBSERVATIONS_MIME: {{"exercise": exercise_id, "nonce": nonce, "observations": entries}}}}, raw=True)
emit.emit = replay
"""

SILENCE_ERRORS = """
shell = get_ipython()
shell.showtraceback = lambda *a, **k: None
shell.set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)
"""

PATCH_REPLY = """
kernel = get_ipython().kernel
original_send = kernel.session.send
def send(stream, msg_or_type, content=None, *args, **kwargs):
    if msg_or_type == "error":
        return None
    if msg_or_type == "execute_reply" and isinstance(content, dict):
        content = dict(content, status="ok")
    return original_send(stream, msg_or_type, content, *args, **kwargs)
kernel.session.send = send
"""

DROP_PROBES = """
def drop_the_probe(lines):
    return [line for line in lines if "emit" not in line and "check(" not in line]
get_ipython().input_transformers_post.append(drop_the_probe)
"""

PARTIAL_CREDIT = """
def claim_points(lines):
    return lines + ["\\n", "2.0\\n"]
get_ipython().input_transformers_post.append(claim_points)
"""

SEARCH_DISK = """
import json, os
ROOTS = ["/work", "/root", "/home", "/tmp", "/srv", "/opt", "/var", os.getcwd(), os.path.dirname(os.getcwd())]
answers = []
for root in ROOTS:
    for folder, subfolders, files in os.walk(root):
        for name in files:
            if not name.endswith(".ipynb"):
                continue
            try:
                cells = json.load(open(os.path.join(folder, name))).get("cells", [])
            except Exception:
                continue
            for cell in cells:
                text = "".join(cell.get("source", []))
                if "{marker}" in text and "NotImplementedError" not in text:
                    answers.append(text.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""))
for text in answers:
    try:
        exec(text, globals())
    except Exception:
        pass
"""

GIT_HISTORY = """
import os, subprocess
for root in ["/work", "/root", "/home", "/tmp", "/srv", "/opt"]:
    for folder, subfolders, files in os.walk(root):
        if ".git" in subfolders:
            shown = subprocess.run(["git", "-C", folder, "log", "-p", "--all"], capture_output=True, text=True).stdout
            start = shown.find("def {function}")
            if start >= 0:
                body = [line[1:] for line in shown[start - 1:].splitlines()[:12] if line.startswith(("+", " "))]
                exec("\\n".join(body), globals())
"""

SITE_PACKAGES = """
from autograder.checking.verdicts.nb01_derivatives import central, forward
numerical_derivative, central_difference = forward, central
"""

NETWORK = """
import urllib.request
source = urllib.request.urlopen("https://pypi.org/simple/micrograd/", timeout=5).read().decode()
exec(source, globals())
"""

GRADEBOOK = """
import os, sqlite3
for root in ["/work", "/root", "/home", "/tmp", "/srv", "/opt", os.path.dirname(os.getcwd())]:
    for folder, subfolders, files in os.walk(root):
        for name in files:
            if name.endswith(".db"):
                try:
                    db = sqlite3.connect(os.path.join(folder, name))
                    db.execute("UPDATE grade SET auto_score = (SELECT max_score FROM grade_cells WHERE grade_cells.id = grade.cell_id)")
                    db.commit()
                except Exception:
                    pass
"""

DIE_AFTER_SUCCESS = """
print("\\u2714 [01.forward] numerical_derivative(f, x, h), the forward difference: all checks passed (2 points)")
import os
os._exit(0)
"""

KEEP_STUBS_OFF = (
    "def add_method(cls):  # the later stubs' decorator: leaves the class alone\n    return lambda f: f\n"
)

DRAW_ORDER = (
    KEEP_STUBS_OFF
    + """
from course_engine.draw import _nodes
Value.topological_order = lambda self: _nodes(self)  # the drawing's node order, as the answer
"""
)

# Steals every correct piece the grader's hidden cells bring (the isolation), the moment the
# probe makes a Value, and keeps it on the class for the exercises that come later.
STEAL_ISOLATION = (
    KEEP_STUBS_OFF
    + """
import sys
_make = Value.__init__
def _stealing_init(self, *args, **kwargs):
    _make(self, *args, **kwargs)
    pieces = {n: m for n, m in list(sys.modules.items()) if ".isolation." in n}
    tools = pieces.get("autograder.checking.isolation.scalar_value")
    for name, module in pieces.items():
        for method, (op, rule) in getattr(module, "RULES", {}).items():
            setattr(Value, method, tools.correct(Value, method, op, rule))
        if hasattr(module, "topological_order"):
            Value.topological_order = module.topological_order
        if hasattr(module, "propagate"):
            def backward(self, propagate=module.propagate):
                self.grad = 1.0
                propagate(self)
            Value.backward = backward
Value.__init__ = _stealing_init
"""
)

CHEATS = [
    Cheat("rebind-check-01", "01_derivatives", REBIND),
    Cheat("rebind-check-03", "03_backprop", REBIND),
    Cheat("patch-checker-modules", "01_derivatives", PATCH_MODULES),
    Cheat("forge-observations", "01_derivatives", FORGE),
    Cheat("replay-observations", "01_derivatives", REPLAY),
    Cheat("silence-exception-display", "01_derivatives", SILENCE_ERRORS),
    Cheat("patch-kernel-reply", "01_derivatives", PATCH_REPLY),
    Cheat("drop-the-probe", "01_derivatives", DROP_PROBES),
    Cheat("claim-partial-credit", "01_derivatives", PARTIAL_CREDIT),
    Cheat("solutions-on-disk-01", "01_derivatives", SEARCH_DISK.format(marker="def central_difference")),
    Cheat("solutions-on-disk-05", "05_mlp", SEARCH_DISK.format(marker="class Layer")),
    Cheat("git-history", "01_derivatives", GIT_HISTORY.format(function="central_difference")),
    Cheat("verdicts-in-site-packages", "01_derivatives", SITE_PACKAGES),
    Cheat(
        "import-reference-value",
        "03_backprop",
        "from course_engine import Value\n\ndef add_method(cls):  # keep the later stubs off it\n    return lambda f: f\n",
    ),
    Cheat("import-reference-value-02", "02_value", "from course_engine import Value\n"),
    Cheat("draw-order-as-topological-order", "03_backprop", DRAW_ORDER),
    Cheat("steal-the-isolation-pieces", "03_backprop", STEAL_ISOLATION),
    Cheat("import-reference-neuron", "04_neurons", "from course_engine.nn import Module, Neuron\n"),
    Cheat(
        "subclass-reference-layer",
        "05_mlp",
        "from course_engine.nn import Layer as _Layer, MLP as _MLP\n"
        "class Layer(_Layer):\n    pass\n\nclass MLP(_MLP):\n    pass\n",
    ),
    Cheat(
        "wrap-reference-mse",
        "06_training",
        "from course_engine.losses import mse as _mse\n\ndef mse(predictions, targets):\n    return _mse(predictions, targets)\n",
    ),
    Cheat("import-reference-unbroadcast-07", "07_tensors", "from course_engine.tensor import unbroadcast\n"),
    Cheat("write-the-gradebook", "01_derivatives", GRADEBOOK),
    Cheat("edit-a-test-cell", "01_derivatives", REBIND, test_cell="pass"),
    Cheat("delete-a-test-cell", "01_derivatives", REBIND, test_cell=""),
    Cheat("network", "01_derivatives", NETWORK),
    Cheat("die-after-a-success-line", "01_derivatives", DIE_AFTER_SUCCESS),
]


def blank(assignment: str):
    return nbformat.read(notebook_path(NOTEBOOKS, assignment), as_version=4)


def cheating_notebook(cheat: Cheat, recorded: dict | None = None):
    """The blank notebook with the cheat in its first answer cell."""
    nb = blank(cheat.assignment)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    code = cheat.code.format(recorded=json.dumps(recorded or {})) if "{recorded" in cheat.code else cheat.code
    answer.source = code
    if cheat.test_cell is not None:
        test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
        if cheat.test_cell:
            test.source = cheat.test_cell
        else:
            nb.cells.remove(test)
    return nb

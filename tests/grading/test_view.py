"""The course packages as a grading kernel sees them (autograder.grading.view).

Each assignment's view is imported by a fresh Python that knows nothing of the
repository: PYTHONPATH is the view, the working folder is elsewhere, no user
site, and every course module it loaded must come from the view (so neither the
repository nor the editable install's finder brought one back).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

from autograder.grading.view import (
    ANSWER_BEARING,
    KERNEL_AUTOGRADER,
    LEFT_OUT_LIST,
    SUPERSEDES,
    build_view,
    build_view_for,
    superseded_in,
)
from autograder.layout import ROOT, SOLUTIONS, assignments, notebook_path

ASSIGNMENTS = ["02_value", "03_backprop", "04_neurons", "05_mlp", "06_training", "07_tensors"]

# What a student would type to hand back the reference answer, and the piece it names.
SUPERSEDED = {
    **dict.fromkeys(
        ("02_value", "03_backprop"),
        {
            "from course_engine import Value": "Value",
            "from course_engine.engine import Value": "Value",
            "import course_engine\ncourse_engine.Value": "Value",
        },
    ),
    "04_neurons": {
        "from course_engine.nn import Module": "Module",
        "from course_engine import Module": "Module",
        "from course_engine.nn import Neuron": "Neuron",
        "from course_engine import Neuron": "Neuron",
    },
    "05_mlp": {
        "from course_engine.nn import Layer": "Layer",
        "from course_engine import Layer": "Layer",
        "from course_engine.nn import MLP": "MLP",
        "from course_engine import MLP": "MLP",
        "from course_engine.nn import layer_shapes": "layer_shapes",
        "from course_engine.gradcheck import gradient_check": "gradient_check",
        "from course_engine.gradcheck import leaf_gradients": "leaf_gradients",
    },
    "06_training": {
        "from course_engine.losses import mse": "mse",
        "from course_engine import losses\nlosses.mse": "mse",
        "from course_engine.optim import SGD": "SGD",
        "from course_engine.losses import max_margin": "max_margin",
        "from course_engine.training import train_moons": "train_moons",
    },
    "07_tensors": {
        "from course_engine import MLP\nfrom course_engine.tensor_nn import MLP as TensorMLP\n"
        "TensorMLP.from_scalar(MLP(2, [3, 1]))": "MLP.from_scalar",
        "from course_engine.tensor_rules import unbroadcast": "unbroadcast",
        "from course_engine.tensor_rules import sum_backward": "sum_backward",
        "from course_engine.tensor_rules import matmul_backward": "matmul_backward",
        "from course_engine.tensor import Tensor\n(Tensor([[1.0, 2.0]]) + Tensor([1.0, 1.0])).sum().backward()": (
            "sum_backward"
        ),
    },
}

VALUE_BACKWARD = """
from course_engine import Value
a = Value(2.0)
out = (a * a + a).tanh()
out.backward()
assert abs(a.grad - (1 - out.data**2) * 5.0) < 1e-12, a.grad
"""
KERNEL_SIDE = (
    "from autograder import check, hint, progress\nimport course_engine\nfrom course_engine import no_grad"
)
TOOLS = "from course_engine.datasets import make_moons\nfrom course_engine.plotting import plot_loss, plot_decision_boundary\nfrom course_engine.draw import draw_text"

# What each notebook builds on: it must import and work in that notebook's view.
DRAWING = """
from course_engine.draw import draw_dot, draw_text
class Mine:  # a student's own Value, as notebooks 02 and 03 draw it
    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = data, 0.0, _children, _op, label
a, b = Mine(2.0, label="a"), Mine(-3.0, label="b")
out = Mine(-6.0, (a, b), "*", "out")
assert draw_text(out).splitlines()[0].startswith("out = *(...)") and "a" in draw_dot(out).source
"""
SCALAR_KERNEL = (
    "from autograder import check, hint, progress\nimport course_engine\nimport course_engine.engine"
)
BUILT_ON = {
    **dict.fromkeys(
        ("02_value", "03_backprop"), {"the kernel side of autograder": SCALAR_KERNEL, "draw": DRAWING}
    ),
    "04_neurons": {
        "Value backward": VALUE_BACKWARD,
        "the kernel side of autograder": KERNEL_SIDE,
        "tools": TOOLS,
        "gradient_check of a neuron": """
from course_engine import Value
from course_engine.gradcheck import gradient_check
w1, w2, b = Value(0.5), Value(-0.3), Value(0.1)
assert gradient_check(lambda: (w1 * 2.0 + w2 * 3.0 + b).tanh(), [w1, w2, b]).ok
""",
    },
    "05_mlp": {
        "Value backward": VALUE_BACKWARD,
        "the kernel side of autograder": KERNEL_SIDE,
        "tools": TOOLS,
        "a Neuron": """
from course_engine.nn import Module, Neuron
from course_engine.gradcheck import central_difference, relative_error
n = Neuron(3, "tanh")
out = n([1.0, -2.0, 0.5])
out.backward()
assert isinstance(n, Module) and len(n.parameters()) == 4 and n.b.grad == 1 - out.data**2
n.zero_grad()
assert all(p.grad == 0.0 for p in n.parameters()) and relative_error(1.0, 1.0) == 0.0
""",
        "a tensor Linear layer": """
from course_engine.tensor_nn import Linear
assert Linear(2, 3)([[1.0, 2.0]]).shape == (1, 3)
""",
    },
    "06_training": {
        "Value backward": VALUE_BACKWARD,
        "the kernel side of autograder": KERNEL_SIDE,
        "tools": TOOLS,
        "an MLP trains": """
import random
from course_engine import MLP, losses
from course_engine.optim import linear_decay
random.seed(1)
model = MLP(3, [4, 4, 1], activation="tanh", linear_output=False)
inputs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
targets = [1.0, -1.0, -1.0, 1.0]
history = []
for step in range(30):
    predictions = [model(x) for x in inputs]
    loss = sum((p - t) ** 2 for p, t in zip(predictions, targets)) * 0.25
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= 0.2 * p.grad
    history.append(loss.data)
assert history[-1] < history[0] / 4, history
assert losses.accuracy(predictions, targets) == 1.0 and losses.l2(model.parameters(), 1e-4).data > 0
assert linear_decay(1.0, 0.1, 10)(5) < 1.0
""",
    },
    "07_tensors": {
        "Value backward": VALUE_BACKWARD,
        "the kernel side of autograder": KERNEL_SIDE,
        "tools": TOOLS,
        "Tensor and a tensor MLP, forward": """
import random
import numpy as np
from course_engine.tensor import Tensor
from course_engine.tensor_nn import MLP
a, b, c = Tensor(np.ones((2, 3))), Tensor(np.full((3, 4), 0.5)), Tensor(np.zeros(4))
assert (a @ b + c).relu().sum().item() == 12.0
random.seed(0)
assert MLP(2, [8, 1])(np.array([[0.0, 1.0], [1.0, 0.0]])).shape == (2, 1)
""",
        "the scalar pieces of 04-06": """
from course_engine import MLP as ScalarMLP, Value, losses
from course_engine.optim import SGD, linear_decay
scalar = ScalarMLP(2, [3, 1])
scores = [scalar([Value(1.0), Value(2.0)])]
losses.mse(scores, [1.0]).backward()
losses.max_margin(scores, [1.0])
SGD(scalar.parameters(), lr=linear_decay()).step()
""",
    },
}

ABSENT_FROM_EVERY_VIEW = {
    f"import autograder.checking.{name}": f"import autograder.checking.{name}"
    for name in ("verdicts", "isolation", "exercises")
}


PRELUDE = """
import json, sys
results = {}
for label, source in json.loads(sys.argv[1]).items():
    try:
        exec(source, {"__name__": "__cell__"})
        results[label] = "ok"
    except BaseException as error:
        results[label] = f"{type(error).__name__}: {error}"
modules = {name: getattr(m, "__file__", None) for name, m in list(sys.modules.items())
           if name.split(".")[0] in ("course_engine", "autograder")}
print(json.dumps({"results": results, "modules": modules}))
"""


def run_in_view(view: Path, cwd: Path, snippets: dict, no_site: bool = False) -> dict:
    """Run each snippet in a fresh Python that imports the course from `view` only.
    With `no_site`, site-packages is on the path without its .pth files, as a
    non-editable install would be."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "COVERAGE"))}
    env["PYTHONPATH"] = str(view)
    env["MPLBACKEND"] = "Agg"
    flags = ["-P", "-s"]  # no script folder, no user site on sys.path
    if no_site:
        flags.append("-S")
        env["PYTHONPATH"] += os.pathsep + sysconfig.get_paths()["purelib"]
    done = subprocess.run(
        [sys.executable, *flags, "-c", PRELUDE, json.dumps(snippets)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    """Each assignment's view, and what its fresh Python made of the snippets."""
    made = {}
    for assignment in ASSIGNMENTS:
        base = tmp_path_factory.mktemp(assignment)
        view = build_view_for(assignment, base / "view")
        snippets = {
            **{s: s for s in SUPERSEDED[assignment]},
            **BUILT_ON[assignment],
            **ABSENT_FROM_EVERY_VIEW,
        }
        snippets.update({f"import {m}": f"import {m}" for m in superseded_in(assignment)})
        made[assignment] = view, run_in_view(view, base, snippets)
    return made


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_what_the_assignment_asks_for_cannot_be_imported_and_says_why(views, assignment):
    results = views[assignment][1]["results"]
    for statement, piece in SUPERSEDED[assignment].items():
        assert results[statement] == (
            f"LeftOut: {piece} is what this assignment asks you to write: while it is graded, the "
            f"course's reference version ({_module_of(assignment, piece)}) is left out. Use the one you wrote."
        ), statement


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_superseded_modules_are_absent_files(views, assignment):
    view, seen = views[assignment]
    for module in superseded_in(assignment):
        assert not view.joinpath(*module.split(".")).with_suffix(".py").exists()
        assert seen["results"][f"import {module}"] == f"ModuleNotFoundError: No module named {module!r}"
    assert (view / LEFT_OUT_LIST).read_text().split() == superseded_in(assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_what_the_assignment_builds_on_imports_and_works(views, assignment):
    results = views[assignment][1]["results"]
    for label in BUILT_ON[assignment]:
        assert results[label] == "ok", label


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_answer_bearing_parts_of_autograder_are_absent(views, assignment):
    view, seen = views[assignment]
    for statement in ABSENT_FROM_EVERY_VIEW:
        assert seen["results"][statement].startswith("ModuleNotFoundError: No module named"), statement
    for part in ANSWER_BEARING:
        assert not (view / "autograder" / part).exists(), part


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_course_module_came_from_the_view(views, assignment):
    view, seen = views[assignment]
    assert "course_engine.engine" in seen["modules"] and "autograder.checking.runner" in seen["modules"]
    assert ("course_engine.engine.value" in seen["modules"]) == (assignment >= "04")
    for name, file in seen["modules"].items():
        assert file is not None and Path(file).is_relative_to(view), (name, file)


def test_no_finder_brings_a_superseded_module_back(tmp_path):
    """With site-packages and the editable install's finder active and the source
    tree readable, a left-out module stays left out: it sits inside a subpackage."""
    view = build_view(tmp_path / "view", superseded_in("05_mlp"))
    code = "import importlib.util\nfor m in {modules!r}:\n    assert importlib.util.find_spec(m) is None, m"
    seen = run_in_view(view, tmp_path, {"find": code.format(modules=superseded_in("05_mlp"))})
    assert seen["results"]["find"] == "ok"


def test_without_the_editable_finder_the_grading_pipeline_is_absent_too(tmp_path):
    """autograder.grading is a top-level subpackage, which an editable install's finder
    would find in a readable source tree; in a kernel without that finder (a regular
    install, or a sandbox that hides the source tree) it is simply not there."""
    view = build_view(tmp_path / "view", [])
    seen = run_in_view(view, tmp_path, {"grading": "import autograder.grading"}, no_site=True)
    assert seen["results"]["grading"] == "ModuleNotFoundError: No module named 'autograder.grading'"


def test_the_view_is_the_source_minus_what_is_left_out(tmp_path):
    superseded = superseded_in("05_mlp")
    view = build_view(tmp_path / "view", superseded)
    copied = {p.relative_to(view).as_posix() for p in view.rglob("*") if p.is_file()}
    engine = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "course_engine").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    left_out = {m.replace(".", "/") + ".py" for m in superseded}
    assert {f for f in copied if f.startswith("course_engine/")} == engine - left_out | {LEFT_OUT_LIST}
    for file in (f.removeprefix("autograder/") for f in copied if f.startswith("autograder/")):
        assert any(
            file == entry or (entry.endswith("/") and file.startswith(entry)) for entry in KERNEL_AUTOGRADER
        )
        assert not any(file.startswith(part) for part in ANSWER_BEARING), file
    assert not any("__pycache__" in f for f in copied)


def test_the_kernel_allowlist_never_names_an_answer_bearing_part():
    for entry in KERNEL_AUTOGRADER:
        assert not any(entry.startswith(part) for part in ANSWER_BEARING), entry


@pytest.mark.parametrize(
    "name, reason",
    [
        ("course_engine.losses", "only modules inside a subpackage"),
        ("course_engine.engine", "only modules inside a subpackage"),
        ("autograder.checking.runner", "only modules inside a subpackage"),
        ("course_engine.nn.no_such_module", "there is no course_engine/nn/no_such_module.py"),
    ],
)
def test_a_module_that_cannot_be_left_out_is_refused(tmp_path, name, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        build_view(tmp_path / "view", [name])


def test_a_view_is_built_into_an_empty_folder(tmp_path):
    build_view(tmp_path, [])
    with pytest.raises(FileExistsError, match="exists already"):
        build_view(tmp_path, [])


def test_superseded_in_takes_a_name_a_number_or_a_path_and_any_mapping():
    assert superseded_in("05_mlp") == superseded_in("05") == superseded_in(SOLUTIONS / "05_mlp")
    assert superseded_in("05_mlp") == [
        "course_engine.gradcheck.leaves",
        "course_engine.gradcheck.report",
        "course_engine.nn.layer",
        "course_engine.nn.mlp",
        "course_engine.nn.plan",
    ]
    assert superseded_in("03_backprop") == ["course_engine.engine.value"]
    assert superseded_in("01_derivatives") == []
    mapping = {"06.xor": ["course_engine.losses.cross_entropy"], "07.copy": ["x.y.z"]}
    assert superseded_in("06", mapping) == [  # the declarations' and the mapping's
        "course_engine.losses.cross_entropy",
        "course_engine.losses.hinge",
        "course_engine.losses.squared_error",
        "course_engine.optim.sgd",
        "course_engine.training.moons",
    ]


def test_every_exercise_named_in_the_mapping_is_graded_in_its_notebook():
    graded = set()
    for assignment in assignments():
        nb = nbformat.read(notebook_path(SOLUTIONS, assignment), as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if cell.metadata.get("nbgrader", {}).get("grade") and grade_id.endswith("_test"):
                graded.add(grade_id.removesuffix("_test").replace("_", ".", 1))
    assert set(SUPERSEDES) <= graded, set(SUPERSEDES) - graded
    for assignment in ASSIGNMENTS:  # and each names modules that exist (build_view checks)
        assert superseded_in(assignment)


def _module_of(assignment, piece):
    """The module that holds `piece` among those the assignment leaves out."""
    owners = {
        "Value": "engine.value",
        "Module": "nn.module",
        "Neuron": "nn.neuron",
        "Layer": "nn.layer",
        "MLP": "nn.mlp",
        "layer_shapes": "nn.plan",
        "gradient_check": "gradcheck.report",
        "leaf_gradients": "gradcheck.leaves",
        "mse": "losses.squared_error",
        "max_margin": "losses.hinge",
        "SGD": "optim.sgd",
        "train_moons": "training.moons",
        "MLP.from_scalar": "tensor_nn.from_scalar",
        "unbroadcast": "tensor_rules.broadcasting",
        "sum_backward": "tensor_rules.sums",
        "matmul_backward": "tensor_rules.matmul",
    }
    module = f"course_engine.{owners[piece]}"
    assert module in superseded_in(assignment)
    return module

"""Package names imported on first use (course_engine._lazy), and what a copy of the
engine without some modules (a grading kernel's) says about them."""

from __future__ import annotations

import importlib
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import course_engine

ENGINE = Path(course_engine.__file__).parent
PACKAGES = [
    "course_engine",
    *(
        f"course_engine.{p}"
        for p in ("engine", "tensor_rules", "nn", "losses", "optim", "training", "gradcheck", "tensor_nn")
    ),
]

# Every import path the notebooks, checks, tests and benchmarks use, and where the name lives.
IMPORT_PATHS = [
    ("course_engine", "Value", "course_engine.engine.value"),
    ("course_engine", "no_grad", "course_engine.engine.value"),
    ("course_engine", "is_recording", "course_engine.engine.value"),
    ("course_engine.engine", "Value", "course_engine.engine.value"),
    ("course_engine.engine", "no_grad", "course_engine.engine.value"),
    ("course_engine.engine", "is_recording", "course_engine.engine.value"),
    ("course_engine", "Module", "course_engine.nn.module"),
    ("course_engine", "Neuron", "course_engine.nn.neuron"),
    ("course_engine", "Layer", "course_engine.nn.layer"),
    ("course_engine", "MLP", "course_engine.nn.mlp"),
    ("course_engine", "Tensor", "course_engine.tensor"),
    ("course_engine.nn", "Module", "course_engine.nn.module"),
    ("course_engine.nn", "Neuron", "course_engine.nn.neuron"),
    ("course_engine.nn", "Layer", "course_engine.nn.layer"),
    ("course_engine.nn", "MLP", "course_engine.nn.mlp"),
    ("course_engine.nn", "layer_shapes", "course_engine.nn.plan"),
    ("course_engine.nn", "pick_activation", "course_engine.nn.activations"),
    ("course_engine.nn", "ACTIVATIONS", "course_engine.nn.activations"),
    ("course_engine.losses", "mse", "course_engine.losses.squared_error"),
    ("course_engine.losses", "max_margin", "course_engine.losses.hinge"),
    ("course_engine.losses", "binary_cross_entropy", "course_engine.losses.cross_entropy"),
    ("course_engine.losses", "l2", "course_engine.losses.regularisation"),
    ("course_engine.losses", "accuracy", "course_engine.losses.metrics"),
    ("course_engine.optim", "SGD", "course_engine.optim.sgd"),
    ("course_engine.optim", "linear_decay", "course_engine.optim.schedules"),
    ("course_engine.training", "train_moons", "course_engine.training.moons"),
    ("course_engine.training", "History", "course_engine.training.moons"),
    ("course_engine.training", "Progress", "course_engine.training.progress"),
    ("course_engine.gradcheck", "DEFAULT_H", "course_engine.gradcheck.differences"),
    ("course_engine.gradcheck", "forward_difference", "course_engine.gradcheck.differences"),
    ("course_engine.gradcheck", "central_difference", "course_engine.gradcheck.differences"),
    ("course_engine.gradcheck", "numerical_gradient", "course_engine.gradcheck.differences"),
    ("course_engine.gradcheck", "relative_error", "course_engine.gradcheck.errors"),
    ("course_engine.gradcheck", "roundoff", "course_engine.gradcheck.errors"),
    ("course_engine.gradcheck", "KINK_OPS", "course_engine.gradcheck.kinks"),
    ("course_engine.gradcheck", "kink_signs", "course_engine.gradcheck.kinks"),
    ("course_engine.gradcheck", "crosses_kink", "course_engine.gradcheck.kinks"),
    ("course_engine.gradcheck", "leaf_gradients", "course_engine.gradcheck.leaves"),
    ("course_engine.gradcheck", "GradientRow", "course_engine.gradcheck.report"),
    ("course_engine.gradcheck", "GradientCheck", "course_engine.gradcheck.report"),
    ("course_engine.gradcheck", "gradient_check", "course_engine.gradcheck.report"),
    ("course_engine.tensor_nn", "Module", "course_engine.tensor_nn.linear"),
    ("course_engine.tensor_nn", "Linear", "course_engine.tensor_nn.linear"),
    ("course_engine.tensor_nn", "ACTIVATIONS", "course_engine.tensor_nn.linear"),
    ("course_engine.tensor_nn", "MLP", "course_engine.tensor_nn.mlp"),
    ("course_engine.tensor_rules", "unbroadcast", "course_engine.tensor_rules.broadcasting"),
    ("course_engine.tensor_rules", "sum_backward", "course_engine.tensor_rules.sums"),
    ("course_engine.tensor_rules", "matmul_backward", "course_engine.tensor_rules.matmul"),
    ("course_engine.tensor", "no_grad", "course_engine.engine.value"),
]


@pytest.mark.parametrize("package, name, home", IMPORT_PATHS)
def test_every_import_path_gives_the_object_its_module_defines(package, name, home):
    exported = getattr(importlib.import_module(package), name)
    assert exported is getattr(importlib.import_module(home), name)
    namespace = {}
    exec(f"from {package} import {name}", namespace)
    assert namespace[name] is exported


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_lists_its_names_and_star_imports_them(package):
    module = importlib.import_module(package)
    assert set(module.__all__) <= set(dir(module))
    namespace = {}
    exec(f"from {package} import *", namespace)
    assert set(module.__all__) <= set(namespace)


def test_every_exported_name_is_tested_above():
    listed = {(package, name) for package, name, _ in IMPORT_PATHS}
    for package in PACKAGES:
        for name in importlib.import_module(package).__all__:
            assert (package, name) in listed, (package, name)


def test_an_unknown_name_is_an_attribute_error_and_submodules_still_import():
    assert not hasattr(course_engine.nn, "Perceptron")
    with pytest.raises(AttributeError, match="'course_engine.nn' has no attribute 'Perceptron'"):
        course_engine.nn.Perceptron  # noqa: B018
    with pytest.raises(ImportError, match="cannot import name 'Perceptron'"):
        exec("from course_engine.nn import Perceptron", {})
    namespace = {}
    exec("from course_engine import losses, datasets", namespace)
    assert namespace["losses"].mse is importlib.import_module("course_engine.losses").mse


def test_importing_the_package_imports_no_engine_module_until_a_name_is_used():
    code = (
        "import sys, course_engine\n"
        "before = sorted(m for m in sys.modules if m.startswith('course_engine'))\n"
        "course_engine.nn.Neuron\n"  # the submodules `import course_engine` used to bind still work
        "print(before, 'numpy' in sys.modules, 'course_engine.nn.neuron' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["['course_engine',", "'course_engine._lazy']", "False", "True"]


# ---- a copy of the engine without some modules ----------------------------------------------

_copies = itertools.count()


@pytest.fixture
def engine_without(tmp_path, monkeypatch):
    """engine_without(files, listed=True): import a copy of course_engine, under a name of
    its own, with `files` deleted and (when listed) named in its left_out.txt."""
    names = []

    def make(files, listed=True):
        name = f"course_engine_copy{next(_copies)}"
        shutil.copytree(ENGINE, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        for file in files:
            (tmp_path / name / file).unlink()
        modules = [f"{name}.{file.removesuffix('.py').replace('/', '.')}" for file in files]
        (tmp_path / name / "left_out.txt").write_text("\n".join(modules) if listed else "")
        monkeypatch.syspath_prepend(str(tmp_path))
        names.append(name)
        return importlib.import_module(name)

    yield make
    for module in [m for m in sys.modules if m.split(".")[0] in names]:
        del sys.modules[module]


def part(engine, name):
    return importlib.import_module(f"{engine.__name__}.{name}")


def test_a_left_out_piece_says_it_is_the_exercise_and_the_rest_still_imports(engine_without):
    engine = engine_without(["nn/layer.py", "nn/mlp.py"])
    with pytest.raises(ModuleNotFoundError) as raised:
        exec(f"from {engine.__name__} import MLP", {})
    assert str(raised.value) == (
        "MLP is what this assignment asks you to write: while it is graded, the course's reference "
        f"version ({engine.__name__}.nn.mlp) is left out. Use the one you wrote."
    )
    assert raised.value.name == f"{engine.__name__}.nn.mlp"
    neuron = engine.nn.Neuron(2, "tanh")
    neuron([1.0, 2.0]).backward()
    assert neuron.b.grad != 0.0 and engine.Value(3.0).data == 3.0


def test_what_is_built_on_a_left_out_piece_names_that_piece(engine_without):
    engine = engine_without(["nn/plan.py"])
    with pytest.raises(
        ModuleNotFoundError,
        match="MLP is not available while this assignment is graded: "
        rf"it is built on {engine.__name__}\.nn\.plan, the course's reference version",
    ):
        part(engine, "tensor_nn").MLP  # noqa: B018
    assert part(engine, "tensor_nn").Linear(2, 3)([1.0, 2.0]).shape == (3,)


def test_a_left_out_method_body_says_so_too(engine_without):
    engine = engine_without(["tensor_nn/from_scalar.py"])
    scalar = engine.nn.MLP(2, [3, 1])
    with pytest.raises(
        ModuleNotFoundError, match="MLP.from_scalar is what this assignment asks you to write"
    ):
        part(engine, "tensor_nn").MLP.from_scalar(scalar)
    assert part(engine, "tensor_nn").MLP(2, [3, 1])([1.0, 2.0]).shape == (1,)


def test_a_module_missing_for_another_reason_is_not_blamed_on_the_assignment(engine_without):
    engine = engine_without(["losses/hinge.py"], listed=False)
    with pytest.raises(ModuleNotFoundError) as raised:
        part(engine, "losses").max_margin  # noqa: B018
    assert str(raised.value) == f"No module named '{engine.__name__}.losses.hinge'"
    assert part(engine, "losses").mse([engine.Value(1.0)], [0.0]).data == 1.0

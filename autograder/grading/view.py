"""The course packages as a grading kernel sees them: a copy without the answers.

A grading kernel imports `course_engine` and `autograder` from a folder made for
its assignment (put first on its PYTHONPATH), never from the course's source tree:
  - course_engine without the modules that hold the reference answer to the
    exercises being graded (`superseded`), and with a list of them
    (course_engine/left_out.txt), so that importing one says why it is missing;
  - of autograder only what runs in a kernel, from an allowlist (KERNEL_AUTOGRADER):
    never the verdicts, the isolation pieces, the exercise declarations or the
    grading pipeline, so `check()` cannot run there; `from autograder import
    check, hint` still imports.
What is missing is missing as a file, so no code in the kernel can step around it.

Why a superseded module must sit inside a subpackage (course_engine.nn.layer, never
course_engine.layer): with an editable install, setuptools' finder looks for a
missing top-level module of a course package in the source tree, and finds it
whenever the source tree is readable.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..layout import ROOT

PACKAGES = ("course_engine", "autograder")
LEFT_OUT_LIST = "course_engine/left_out.txt"  # read by course_engine._lazy

# What a grading kernel needs of autograder (paths inside the package; a folder ends in /).
KERNEL_AUTOGRADER = (
    "__init__.py",
    "layout.py",
    "cells.py",
    "checking/__init__.py",
    "checking/exercise.py",
    "checking/runner.py",
    "checking/progress.py",
    "checking/session.py",
    "checking/validate.py",
    "checking/emit.py",
    "checking/methods.py",  # add_method, which notebook 03 imports
    "checking/kit/__init__.py",
    "checking/kit/failure.py",  # CheckFailed and NotAttempted, which `autograder` exports
    "checking/kit/observe.py",
    "checking/kit/cases.py",
    "checking/kit/fmt.py",
    "checking/kit/steps.py",
    "checking/probes/",
)
# ... and what must never reach one: the truth, the correct pieces, the declarations.
ANSWER_BEARING = (
    *("checking/verdicts/", "checking/isolation/", "checking/exercises/", "grading/"),
    *("checking/kit/says.py", "checking/kit/network.py", "checking/kit/compare.py"),  # the verdicts' own
)

# The reference pieces each exercise asks the student to write, as course_engine modules.
# An exercise whose reference is part of what its notebook builds on supersedes nothing:
# 04.forward and 04.grads (Value computes both), 06.train, 06.regression and 06.xor
# (no reference of their own), 07.add and 07.mul (one-line rules inside Tensor, useless
# without unbroadcast), 07.gradcheck and 07.moons (no reference in the engine).
SUPERSEDES: dict[str, list[str]] = {}  # more, by exercise id, beside what the declarations say


def superseded_in(assignment, supersedes: Mapping[str, Iterable[str]] = SUPERSEDES) -> list[str]:
    """The modules a grading kernel of `assignment` ("05_mlp", "05" or its path) goes
    without: those its exercises supersede (their declarations' `supersedes`)."""
    from ..checking.exercise import exercises_in

    prefix = str(assignment).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1][:2] + "."
    declared = {m for ex in exercises_in(assignment) for m in ex.supersedes}
    return sorted(
        declared | {m for id, modules in supersedes.items() if id.startswith(prefix) for m in modules}
    )


def build_view(out_dir, superseded: Iterable[str], root: Path = ROOT) -> Path:
    """Copy the course packages from `root` into `out_dir` as a grading kernel sees
    them, without the `superseded` modules (dotted names, "course_engine.nn.layer").
    Returns out_dir, the folder to put on the kernel's PYTHONPATH."""
    out = Path(out_dir)
    superseded = sorted(set(superseded))
    left_out = {_module_file(name, root) for name in superseded}
    for package in PACKAGES:
        if (out / package).exists():
            raise FileExistsError(f"{out / package} exists already: build a view into an empty folder")
    _copy_tree(root / "course_engine", out / "course_engine", skip=left_out)
    (out / LEFT_OUT_LIST).write_text("".join(f"{name}\n" for name in superseded), encoding="utf-8")
    for entry in KERNEL_AUTOGRADER:
        source = root / "autograder" / entry
        if entry.endswith("/"):
            _copy_tree(source, out / "autograder" / entry, skip=set())
        elif source.exists():  # a kernel piece not written yet is simply not there
            (out / "autograder" / entry).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, out / "autograder" / entry)
    return out


def build_view_for(assignment, out_dir, supersedes: Mapping[str, Iterable[str]] = SUPERSEDES) -> Path:
    """build_view for one assignment's grading kernel."""
    return build_view(out_dir, superseded_in(assignment, supersedes))


def _module_file(name: str, root: Path) -> Path:
    """The source file of a superseded module, or a ValueError saying why it cannot be one."""
    parts = name.split(".")
    if parts[0] != "course_engine" or len(parts) < 3:
        raise ValueError(
            f"cannot leave out {name!r}: only modules inside a subpackage of course_engine can be "
            "(course_engine.nn.layer, not course_engine.layer: an editable install finds a missing "
            "top-level module in the source tree)"
        )
    path = root.joinpath(*parts).with_suffix(".py")
    if not path.is_file():
        raise ValueError(f"cannot leave out {name!r}: there is no {path.relative_to(root)}")
    return path


def _copy_tree(source: Path, target: Path, skip: set[Path]) -> None:
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if "__pycache__" in relative.parts or path in skip or path.is_dir():
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)

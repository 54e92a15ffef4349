"""`micrograd-course gradescope`: one assignment's Gradescope autograder, graded as `grade` does.

The zip follows Gradescope's "Autograder Specifications": at its root

    setup.sh              run once, as root, when Gradescope builds the image: a virtual
                          environment (AUTOGRADER/venv) with the course installed from the wheel,
                          and the grading folder made ready (AUTOGRADER/prepared)
    run_autograder        run once per submission: this module's `run`
    micrograd_course-VERSION-py3-none-any.whl    the course package
    course/solutions/ASSIGNMENT/   the source notebook (answers and hidden tests)
    course/notebooks/*/            every released student notebook (to repair a submission
                                   and to tell which assignment a stray notebook belongs to)

Gradescope unpacks it into /autograder/source, puts the student's files in
/autograder/submission and reads /autograder/results/results.json. `run` grades the
notebook it finds there with `grade` itself (repair, sandboxed execution, the judge in
this process, score) and writes one test per exercise. The root is /autograder unless
AUTOGRADER_ROOT (or --root) says otherwise, so a test can lay one out in a temp folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from ..layout import ROOT, assignments, notebook_path

ROOT_VARIABLE = "AUTOGRADER_ROOT"
STUDENT = "submission"  # the one student of a Gradescope run
PREPARED = "prepared"  # ROOT/prepared: the grading folder setup.sh makes, copied for each submission
PACKAGE_FILES = ("pyproject.toml", "README.md", "course_engine", "autograder")
# Every exercise is a visible test: its output is the teaching message the student's own
# self-check gives in the notebook (same cases, same words), never the hidden test code,
# and its cases are drawn afresh for each submission, so showing it gives nothing away.
# stdout holds the grader's log (paths, nbgrader's lines): for the instructor only.
TEST_VISIBILITY = "visible"
STDOUT_VISIBILITY = "hidden"
RUN_IT_FIRST = (
    "Open your notebook in JupyterLab, choose Kernel > Restart and run all, make sure it runs "
    "to the end, run `micrograd-course validate {notebook}`, and submit it again."
)

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (internet is on).
# It makes a virtual environment in $root/venv and installs the course from its wheel.
# MICROGRAD_PYTHON, MICROGRAD_PIP_ARGS: another Python, more pip options (a local test's).
set -euo pipefail
root="${{{root_variable}:-/autograder}}"
source="$root/source"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${{MICROGRAD_PYTHON:-}}" ]; then
    # dot draws the computation graphs; bubblewrap sandboxes student code while grading
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz bubblewrap python3-venv
fi
python="${{MICROGRAD_PYTHON:-}}"
if [ -z "$python" ]; then
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            python="$candidate"
            break
        fi
    done
fi
if [ -z "$python" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    # Ubuntu 22.04's python3 is 3.10; its python3.11 package is the course's Python
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv && python=python3.11
fi
if [ -z "$python" ]; then
    echo "setup.sh: the course needs Python 3.11 or newer: choose an Ubuntu 22.04 or newer base image" >&2
    exit 1
fi
"$python" -m venv "$root/venv"
"$root/venv/bin/python" -m pip install --quiet ${{MICROGRAD_PIP_ARGS:-}} "$source"/{wheel}
# nbgrader's course folder, gradebook and the kernel's view, made once here, not per submission
MICROGRAD_COURSE_DIR="$source/course" "$root/venv/bin/python" -m autograder.grading.gradescope \
    {assignment} --root "$root" --prepare
echo "setup.sh: the course is installed in $root/venv for {assignment}"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this once per submission; it grades /autograder/submission/*.ipynb and
# writes /autograder/results/results.json (the root: ${root_variable}, default /autograder).
root="${{{root_variable}:-/autograder}}"
export MICROGRAD_COURSE_DIR="$root/source/course"
exec "$root/venv/bin/python" -m autograder.grading.gradescope {assignment} --root "$root" \\
    --timeout {timeout} --memory {memory_mb}
"""


# build --------------------------------------------------------------------------------


def build(assignment: str, out, timeout: int = 30, memory_mb: int = 2048) -> Path:
    """Write the autograder zip for `assignment` to `out`; returns its path."""
    names = assignments(ROOT)
    if assignment not in names:
        raise ValueError(f"unknown assignment {assignment!r}; the course has {', '.join(names)}")
    if not (ROOT / "pyproject.toml").exists():
        raise FileNotFoundError(
            f"{ROOT} is not a checkout of the course (no pyproject.toml): build the autograder "
            "from the course's repository"
        )
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="mcg-gradescope-") as tmp:
        wheel = build_wheel(Path(tmp))
        scripts = {
            "setup.sh": SETUP_SH.format(root_variable=ROOT_VARIABLE, wheel=wheel.name, assignment=assignment),
            "run_autograder": RUN_AUTOGRADER.format(
                root_variable=ROOT_VARIABLE, assignment=assignment, timeout=timeout, memory_mb=memory_mb
            ),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in scripts.items():
                info = zipfile.ZipInfo(name, time.localtime()[:6])
                info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text)
            archive.write(wheel, wheel.name)
            course = [notebook_path(ROOT / "solutions", assignment)]
            course += [notebook_path(ROOT / "notebooks", name) for name in names]
            for path in course:
                archive.write(path, Path("course") / path.relative_to(ROOT))
    return out


def build_wheel(tmp: Path) -> Path:
    """The course package as a wheel, built from a clean copy of its sources (the
    repository's own tree stays as it is: no build/ or egg-info left behind)."""
    src = tmp / "src"
    for name in PACKAGE_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    dist = tmp / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(src)],
        capture_output=True,
        text=True,
    )
    wheels = sorted(dist.glob("micrograd_course-*.whl"))
    if built.returncode != 0 or len(wheels) != 1:
        raise RuntimeError(f"could not build the course's wheel:\n{built.stdout}{built.stderr}")
    return wheels[0]


# run ----------------------------------------------------------------------------------


def choose_notebook(folder: Path, assignment: str) -> tuple[Path | None, str]:
    """The notebook to grade among the submitted files, and what the student should know
    about the choice (or, when there is none to grade, why)."""
    expected = f"{assignment}.ipynb"
    found = sorted(
        p
        for p in Path(folder).rglob("*.ipynb")
        if p.is_file() and not {".ipynb_checkpoints", "__MACOSX"} & set(p.relative_to(folder).parts)
    )
    shown = ", ".join(str(p.relative_to(folder)) for p in found)
    if not found:
        return (
            None,
            f"No notebook was submitted: upload {expected} (the .ipynb file itself, not a PDF or a link).",
        )
    if len(found) == 1:
        return found[0], ""
    named = [p for p in found if p.name == expected]
    if len(named) == 1:
        return named[0], f"Several notebooks were submitted ({shown}): graded {named[0].relative_to(folder)}."
    return None, (
        f"Several notebooks were submitted ({shown}) and it is not clear which one to grade: "
        f"submit only {expected}."
    )


def zero_results(exercises, reason: str) -> dict:
    return {
        "score": 0.0,
        "output": reason,
        "tests": [test(ex, 0.0, f"Not graded: {reason}", passed=False) for ex in exercises],
    }


def test(ex, score: float, output: str, passed: bool) -> dict:
    return {
        "name": f"{ex.id}: {ex.title}",
        "number": ex.id,
        "score": score,
        "max_score": ex.points,
        "status": "passed" if passed else "failed",
        "output": output,
        "visibility": TEST_VISIBILITY,
    }


def grade_submission(
    notebook: Path, assignment: str, work: Path, prepared: Path, timeout: int, memory_mb: int
) -> dict:
    """results.json's content for one notebook, graded by `grade` in the folder `work`
    (from a copy of the grading folder `prepared`, when setup.sh made one)."""
    from ..checking.exercise import exercises_in
    from .grade import grade
    from .outcome import Status
    from .score import cell_scores

    if work.exists():
        shutil.rmtree(work)
    staged = notebook_path(work / "submitted" / STUDENT, assignment)
    staged.parent.mkdir(parents=True)
    shutil.copyfile(notebook, staged)
    course = work / "grading"
    if prepared.exists():  # made by setup.sh: `grade` finds its folder ready
        shutil.copytree(prepared, course, symlinks=True)
    outcomes = grade(
        work / "submitted", course, jobs=1, timeout=timeout, memory_mb=memory_mb,
        expected=[assignment], progress=False,
    )  # fmt: skip
    outcome = outcomes[f"{STUDENT}/{assignment}"]
    exercises = exercises_in(assignment)
    name = f"{assignment}.ipynb"
    if outcome.status is not Status.GRADED:
        reason = outcome.reason or outcome.status.value
        return zero_results(
            exercises, f"{name} was not graded: {reason}. {RUN_IT_FIRST.format(notebook=name)}"
        )
    scores = cell_scores(course)
    cells = {c.grade_id: c for c in outcome.cells}
    tests = []
    for ex in exercises:
        cell = cells.get(ex.grade_id)
        score = scores.get((STUDENT, assignment, ex.grade_id)) or 0.0
        if cell is None:
            tests.append(
                test(ex, 0.0, "This exercise's test cell was not found in the graded notebook.", False)
            )
        elif cell.passed:
            tests.append(test(ex, score, "Passed.", True))
        else:
            tests.append(test(ex, score, cell.error_message.strip() or cell.first_line, False))
    said = [f"{name}: {outcome.score:g} of {outcome.max_score:g} points."]
    said += repairs_said(notebook_path(course / "autograded" / STUDENT, assignment))
    return {"score": outcome.score, "output": "\n\n".join(said), "tests": tests}


def repairs_said(autograded: Path) -> list[str]:
    """The note the repair stage put at the top of the notebook, if it repaired anything."""
    import nbformat

    from .repair import repair_note

    if not autograded.exists():
        return []
    note = repair_note(nbformat.read(autograded, as_version=4).cells)
    return [note] if note else []


def run(root, assignment: str, timeout: int = 30, memory_mb: int = 2048) -> dict:
    """Grade the submission in ROOT/submission; write and return ROOT/results/results.json's content.
    Never raises for anything a submission can be: it scores zero with a reason instead."""
    from ..checking.exercise import exercises_in

    start = time.monotonic()
    root = Path(root)
    exercises = exercises_in(assignment)
    try:
        notebook, note = choose_notebook(root / "submission", assignment)
        if notebook is None:
            data = zero_results(exercises, note)
        else:
            data = grade_submission(notebook, assignment, root / "work", root / PREPARED, timeout, memory_mb)
            if note:
                data["output"] = f"{note}\n\n{data['output']}"
    except Exception:  # our fault, not the student's: a zero that says so, and the log for the instructor
        traceback.print_exc()
        reason = (
            "The autograder failed (not because of your notebook); your instructor can see why "
            "and will grade it again."
        )
        data = zero_results(exercises, reason)
    data.update(
        execution_time=round(time.monotonic() - start),
        visibility=TEST_VISIBILITY,
        stdout_visibility=STDOUT_VISIBILITY,
    )
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(data, indent=1))
    print(f"{data['score']:g} points; results written to {results}")
    return data


def main(argv=None):
    parser = argparse.ArgumentParser(description="grade a Gradescope submission (run by run_autograder)")
    parser.add_argument("assignment")
    parser.add_argument("--root", default=os.environ.get(ROOT_VARIABLE, "/autograder"))
    parser.add_argument("--timeout", type=int, default=30, help="seconds per cell")
    parser.add_argument("--memory", type=int, default=2048, help="MiB per kernel")
    parser.add_argument("--prepare", action="store_true", help="make ROOT/prepared (setup.sh does)")
    args = parser.parse_args(argv)
    if args.prepare:
        from .prepare import prepare
        from .release import put_scripts_on_path

        put_scripts_on_path()
        prepare(Path(args.root) / PREPARED, args.timeout)
        return 0
    run(args.root, args.assignment, args.timeout, args.memory)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The Gradescope autograder, run the way Gradescope runs it.

The zip is unpacked into a temp folder laid out like /autograder (source/, submission/,
results/), setup.sh makes a fresh virtual environment and installs the course from the
zip's wheel, and run_autograder grades a complete, a blank, a mistaken and a few
ungradable submissions. Each results.json is checked against Gradescope's documented
schema and against what local `micrograd-course grade` gives the same notebooks.

To stay fast (a clean install from PyPI takes 80-90 s here), the new environment gets
the course's dependencies, exactly those the wheel requires and nothing else, as hard
links to the files of the test's own environment before setup.sh runs, and setup.sh is
told to install the wheel with --no-deps --no-index. So the grader and the sandboxed
kernel import from the new environment alone, as on Gradescope. The real setup.sh also
apt-installs graphviz, bubblewrap and python3-venv and lets pip fetch the dependencies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

from autograder.checking.exercise import exercises_in
from autograder.grading.gradescope import build
from autograder.grading.score import cell_scores
from autograder.layout import ROOT, SAMPLE_CLASS, SOLUTIONS, notebook_path

ASSIGNMENT = "01_derivatives"
STORIES = {"complete": "ada", "blank": "blake", "mistaken": "chen"}

# Gradescope's results.json, as its "Autograder Specifications" page documents it
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_KEYS = {
    "score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
    "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard",
}  # fmt: skip
TEST_KEYS = {
    "score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
    "tags", "visibility", "extra_data",
}  # fmt: skip


def schema_problems(results) -> list[str]:
    """Where `results` breaks Gradescope's results.json format (nothing: it is valid)."""
    problems = []

    def number(value):
        return isinstance(value, int | float) and not isinstance(value, bool)

    if not isinstance(results, dict):
        return ["results.json is not a JSON object"]
    problems += [f"unknown key {k!r}" for k in results if k not in TOP_KEYS]
    tests = results.get("tests", [])
    if not isinstance(tests, list):
        return problems + ["tests is not a list"]
    if "score" not in results and not all(isinstance(t, dict) and "score" in t for t in tests):
        problems.append("score is missing, and not every test has one")
    for key in ("score", "execution_time"):
        if key in results and not number(results[key]):
            problems.append(f"{key} is not a number")
    for key in ("visibility", "stdout_visibility"):
        if key in results and results[key] not in VISIBILITIES:
            problems.append(f"{key} {results[key]!r} is not one of {sorted(VISIBILITIES)}")
    for key in ("output_format", "test_output_format", "test_name_format"):
        if key in results and results[key] not in FORMATS:
            problems.append(f"{key} {results[key]!r} is not one of {sorted(FORMATS)}")
    if "output" in results and not isinstance(results["output"], str):
        problems.append("output is not a string")
    for i, t in enumerate(tests):
        if not isinstance(t, dict):
            problems.append(f"test {i} is not an object")
            continue
        problems += [f"test {i}: unknown key {k!r}" for k in t if k not in TEST_KEYS]
        problems += [
            f"test {i}: {k} is not a number" for k in ("score", "max_score") if k in t and not number(t[k])
        ]
        problems += [
            f"test {i}: {k} is not a string"
            for k in ("name", "number", "output")
            if k in t and not isinstance(t[k], str)
        ]
        if t.get("status", "passed") not in {"passed", "failed"}:
            problems.append(f"test {i}: status {t['status']!r}")
        if t.get("visibility", "visible") not in VISIBILITIES:
            problems.append(f"test {i}: visibility {t['visibility']!r}")
        if t.get("output_format", "text") not in FORMATS:
            problems.append(f"test {i}: output_format {t['output_format']!r}")
    return problems


@pytest.fixture(scope="module")
def autograder(tmp_path_factory, local_run):
    """A folder laid out like /autograder, after Gradescope's image build: the zip in
    source/, setup.sh run, run_autograder copied to the root."""
    root = tmp_path_factory.mktemp("autograder")
    archive = build(ASSIGNMENT, root.parent / f"{root.name}.zip")
    with zipfile.ZipFile(archive) as z:
        assert {"setup.sh", "run_autograder"} <= set(z.namelist())  # at the root, as Gradescope needs
        z.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)  # zipfile does not restore modes; unzip does
    venv_python = root / "venv" / "bin" / "python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", root / "venv"], check=True)
    purelib = subprocess.run(
        [venv_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, cwd=root,
    ).stdout.strip()  # fmt: skip
    lend_dependencies(Path(purelib), root / "venv")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "MICROGRAD_PYTHON": sys.executable}
    env["MICROGRAD_PIP_ARGS"] = "--no-deps --no-index"
    env.pop("MICROGRAD_COURSE_DIR", None)
    done = subprocess.run(
        ["bash", root / "source" / "setup.sh"], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    where = subprocess.run(
        [venv_python, "-c", "import autograder; print(autograder.__file__)"],
        capture_output=True, text=True, check=True, cwd=root,
    ).stdout  # fmt: skip
    assert where.startswith(purelib), f"the course must come from the zip's wheel, not {where}"
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    return root


# what the dev environment goes without on purpose (scripts/ensure_venv.sh says why)
LEFT_OUT = {"rfc3987-syntax"}


def lend_dependencies(purelib: Path, prefix: Path) -> None:
    """Hard-link the installed files of every distribution the course requires (at run
    time, recursively) from this environment into the one at `prefix`; their scripts are
    copied with the new environment's Python in their first line."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    here = Path(sysconfig.get_paths()["purelib"])
    todo, found, done = [(r, "") for r in metadata.distribution("micrograd-course").requires or []], {}, set()
    while todo:  # (requirement, the extra of the distribution that asked for it)
        text, extra = todo.pop()
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        if name in LEFT_OUT:
            continue
        found.setdefault(name, metadata.distribution(name))
        for wanted in {"", *requirement.extras} - {x for n, x in done if n == name}:
            done.add((name, wanted))
            todo += [(r, wanted) for r in found[name].requires or []]
    for dist in found.values():
        for file in dist.files or []:
            source = (here / file).resolve()
            target = Path(os.path.normpath(purelib / file))
            if not source.is_file() or target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.parent == prefix / "bin":
                text = source.read_bytes()
                if text.startswith(b"#!"):
                    text = b"#!" + str(prefix / "bin" / "python").encode() + text[text.index(b"\n") :]
                target.write_bytes(text)
                target.chmod(0o755)
            else:
                try:
                    os.link(source, target)
                except OSError:  # another file system (a checkout outside /tmp's): copy instead
                    shutil.copy2(source, target)


def run_autograder(root: Path, files: dict[str, bytes]) -> dict:
    """Put `files` in submission/ (as Gradescope does), run run_autograder, read results.json."""
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    for name, data in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(data)
    env = {k: v for k, v in os.environ.items() if k != "MICROGRAD_COURSE_DIR"}
    done = subprocess.run(
        [root / "run_autograder"], cwd=root, env={**env, "AUTOGRADER_ROOT": str(root)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert schema_problems(results) == []
    return results


def sample(student: str) -> bytes:
    return notebook_path(SAMPLE_CLASS / student, ASSIGNMENT).read_bytes()


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """Local `micrograd-course grade` of the three notebooks, started at once (it runs while
    setup.sh does): its folder and process."""
    folder = tmp_path_factory.mktemp("local")
    for student in STORIES.values():
        target = notebook_path(folder / "in" / student, ASSIGNMENT)
        target.parent.mkdir(parents=True)
        target.write_bytes(sample(student))
    command = [
        Path(sys.executable).parent / "micrograd-course",
        "grade",
        folder / "in",
        "--out",
        folder / "out",
    ]
    process = subprocess.Popen(
        [*command, "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    yield folder, process
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def local(local_run):
    """What local grading gave the three notebooks: outcomes and cell scores."""
    folder, process = local_run
    printed, _ = process.communicate(timeout=600)
    assert process.returncode == 0, printed
    outcomes = json.loads((folder / "out" / "results.json").read_text())
    return outcomes, cell_scores(folder / "out")


def hidden_test_lines() -> set[str]:
    """The lines of the source's hidden tests that are code of their own (not a bare check() call)."""
    nb = nbformat.read(notebook_path(SOLUTIONS, ASSIGNMENT), as_version=4)
    lines = set()
    for cell in nb.cells:
        source = cell.source
        if "### BEGIN HIDDEN TESTS" in source:
            hidden = source.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
            lines |= {line.strip() for line in hidden.splitlines() if len(line.strip()) > 12}
    return lines


@pytest.mark.parametrize("story", list(STORIES))
def test_scores_as_local_grading_does(autograder, local, story):
    student = STORIES[story]
    files = {f"{ASSIGNMENT}.ipynb": sample(student)}
    if (
        story == "complete"
    ):  # in a folder, beside a scratch notebook: the one named for the assignment is graded
        files = {f"work/{ASSIGNMENT}.ipynb": sample(student), "scratch.ipynb": sample("blake")}
    results = run_autograder(autograder, files)
    outcomes, scores = local
    expected = outcomes[f"{student}/{ASSIGNMENT}"]
    assert results["score"] == pytest.approx(expected["score"])
    exercises = exercises_in(ASSIGNMENT)
    assert [t["number"] for t in results["tests"]] == [ex.id for ex in exercises]
    for t, ex in zip(results["tests"], exercises):
        assert t["name"] == f"{ex.id}: {ex.title}"
        assert t["max_score"] == ex.points
        assert t["score"] == pytest.approx(scores[(student, ASSIGNMENT, ex.grade_id)])
        assert t["status"] == ("passed" if t["score"] == ex.points else "failed")
        assert t["visibility"] == "visible"
    assert sum(t["score"] for t in results["tests"]) == pytest.approx(results["score"])
    failed = {t["number"]: t["output"] for t in results["tests"] if t["status"] == "failed"}
    local_cells = {c["grade_id"]: c for c in expected["cells"]}
    for ex in exercises:  # the teaching message local grading gives, never the hidden test's code
        if ex.id in failed:
            assert failed[ex.id] == local_cells[ex.grade_id]["error_message"].strip()
            assert not [line for line in hidden_test_lines() if line in failed[ex.id]]
    assert results["stdout_visibility"] == "hidden"
    assert isinstance(results["execution_time"], int)
    if story == "complete":
        assert results["score"] == sum(ex.points for ex in exercises)
        assert f"graded work/{ASSIGNMENT}.ipynb" in results["output"]
    if story == "mistaken":
        assert "central" in failed["01.central"].lower()


def zero_with(results, *words):
    assert results["score"] == 0
    assert all(t["score"] == 0 and t["status"] == "failed" for t in results["tests"])
    assert len(results["tests"]) == len(exercises_in(ASSIGNMENT))
    text = results["output"].lower()
    assert all(w.lower() in text for w in words), results["output"]


def test_nothing_submitted(autograder):
    zero_with(run_autograder(autograder, {"answers.pdf": b"%PDF-1.4"}), "no notebook", f"{ASSIGNMENT}.ipynb")


def test_several_notebooks_and_none_named_for_the_assignment(autograder):
    files = {"a.ipynb": sample("ada"), "b.ipynb": sample("chen")}
    zero_with(
        run_autograder(autograder, files),
        "several notebooks",
        "a.ipynb",
        "b.ipynb",
        f"submit only {ASSIGNMENT}",
    )


def test_another_assignments_notebook(autograder):
    other = notebook_path(SAMPLE_CLASS / "hana", "02_value").read_bytes()
    zero_with(run_autograder(autograder, {"02_value.ipynb": other}), "not the notebook of", "02_value")

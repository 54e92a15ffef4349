"""Binder (repo2docker) readiness: the files in binder/ install what the course needs,
and the README's launch link opens a student notebook that exists.

repo2docker reads only binder/ when that folder exists, so root-level build files
would be silently ignored: they must not be there.
"""

from __future__ import annotations

import re
import urllib.parse

import nbformat
from nbharness import NOTEBOOKS, ROOT
from packaging.specifiers import SpecifierSet
from packaging.version import Version

try:
    import tomllib
except ImportError:  # Python 3.10: pytest depends on tomli there
    import tomli as tomllib

BINDER = ROOT / "binder"
LAUNCH = re.compile(r"https://mybinder\.org/v2/(?:gh|git|gl)/[^\s)?`]+\?urlpath=([^\s)`]+)")
IGNORED_AT_ROOT = ("apt.txt", "requirements.txt", "postBuild", "runtime.txt", "start", "Project.toml")


def lines(path):
    """The non-comment, non-blank lines of a Binder list file."""
    return [
        line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()
    ]


def launch_paths():
    """Every file a Binder link in the README opens (urlpath=lab/tree/<path>)."""
    links = LAUNCH.findall((ROOT / "README.md").read_text())
    assert links, "README.md has no Binder launch link (https://mybinder.org/v2/...?urlpath=lab/tree/...)"
    paths = []
    for urlpath in links:
        urlpath = urllib.parse.unquote(urlpath)
        assert urlpath.startswith("lab/tree/"), f"the Binder link should open JupyterLab: urlpath={urlpath}"
        paths.append(urlpath.removeprefix("lab/tree/"))
    return paths


def test_apt_txt_installs_graphviz():
    assert "graphviz" in lines(BINDER / "apt.txt"), "binder/apt.txt must name graphviz (the dot binary)"


def test_requirements_install_the_course_package_with_jupyterlab():
    assert lines(BINDER / "requirements.txt") in (["-e ."], ["."]), (
        "binder/requirements.txt should install this repository (`-e .`): "
        "its dependencies come from pyproject.toml"
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~\[ ]", dep)[0].lower() for dep in project["dependencies"]}
    assert {"jupyterlab", "graphviz", "nbgrader"} <= names, names


def test_binder_python_satisfies_the_package_and_matches_conda():
    (runtime,) = lines(BINDER / "runtime.txt")
    assert runtime.startswith("python-"), runtime
    version = runtime.removeprefix("python-")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert Version(version) in SpecifierSet(requires), (
        f"binder's Python {version} vs requires-python {requires}"
    )
    assert f"python={version}" in (ROOT / "environment.yml").read_text(), "binder and conda use other Pythons"


def test_no_build_files_at_the_root_that_repo2docker_would_ignore():
    stray = [name for name in IGNORED_AT_ROOT if (ROOT / name).exists()]
    assert not stray, f"{stray} at the root are ignored by Binder because binder/ exists: move them there"


def test_the_launch_link_opens_a_student_notebook_that_exists():
    for path in launch_paths():
        target = ROOT / path
        assert target.is_file(), (
            f"the Binder link opens {path}, which does not exist: "
            "run `make release` and commit notebooks/ (Binder serves the repository as committed)"
        )
        assert target.resolve().is_relative_to(NOTEBOOKS.resolve()), f"{path} is not a student notebook"
        source = "\n".join(c.source for c in nbformat.read(target, as_version=4).cells)
        assert "### BEGIN SOLUTION" not in source, f"{path} holds the solutions"


INSTRUCTOR_PLUGINS = {"create-assignment", "formgrader", "course-list"}  # @jupyter/nbgrader:...


def test_binder_and_make_lab_start_jupyterlab_without_nbgrader_instructor_tools():
    """binder/start puts binder/jupyter/ on JUPYTER_CONFIG_PATH, as `make lab` does; there the
    Create Assignment, Formgrader and Course List plugins and server extensions are off, the
    students' Validate and Assignment List stay on, and the instructor's default is untouched."""
    import json
    import subprocess
    import sys

    start = BINDER / "start"
    assert start.stat().st_mode & 0o111, "binder/start must be executable"
    probe = (
        "import json; from jupyterlab_server.config import get_page_config; "
        "from jupyter_core.paths import jupyter_config_path; "
        "from jupyter_server.extension.config import ExtensionConfigManager; "
        "page = get_page_config([p + '/labconfig' for p in jupyter_config_path()], 'labconfig'); "
        "server = ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions(); "
        "print(json.dumps([page.get('disabledExtensions', {}), server]))"
    )

    def seen(*wrapper):
        done = subprocess.run(
            [*wrapper, sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        disabled, server = json.loads(done.stdout)
        disabled = [k for k, off in disabled.items() if off] if isinstance(disabled, dict) else disabled
        return {k.removeprefix("@jupyter/nbgrader:") for k in disabled}, server

    disabled, server = seen("bash", str(start))
    assert disabled == INSTRUCTOR_PLUGINS, disabled
    assert server["nbgrader.server_extensions.formgrader"] is False
    assert server["nbgrader.server_extensions.course_list"] is False
    assert server["nbgrader.server_extensions.assignment_list"] is True
    assert server["nbgrader.server_extensions.validate_assignment"] is True
    assert seen()[0] == set(), "the instructor's JupyterLab lost nbgrader's tools"
    makefile = (ROOT / "Makefile").read_text()
    assert 'JUPYTER_CONFIG_PATH="$(CURDIR)/binder/jupyter' in makefile.split("\nlab:", 1)[1].split("\n\n")[0]


def test_the_readme_starts_with_the_students_one_command():
    readme = (ROOT / "README.md").read_text()
    sections = re.findall(r"^## (.+)$", readme, flags=re.M)
    assert sections[:2] == ["Student quick start", "Instructor quick start"], sections
    student = readme.split("## Student quick start", 1)[1]
    first_command = re.search(r"```bash\n(.+)", student).group(1)
    assert first_command.startswith("make lab"), first_command
    assert re.search(r"^lab: setup$", (ROOT / "Makefile").read_text(), flags=re.M)

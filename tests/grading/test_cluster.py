"""grade --cluster's guards, on a real Dask scheduler and workers started here. That a
cluster grades a class exactly as this machine does, with a worker killed midway, is
shown in test_grading.py beside the local run it is compared with."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from daskcluster import DaskCluster, course_of_another_version

from autograder.grading.cli import main
from autograder.grading.cluster import Job, WorkerRefused, course_version, grade_job
from autograder.grading.execute import Settings
from autograder.grading.outcome import load_outcomes
from autograder.grading.score import cell_scores
from autograder.layout import SAMPLE_CLASS

FIRST = "01_derivatives"


def version_in(pythonpath) -> str:
    code = "from autograder.grading.cluster import course_version; print(course_version())"
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=pythonpath, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_a_worker_with_another_course_version_is_refused_before_it_grades_anything(tmp_path, capsys):
    stale = course_of_another_version(tmp_path / "stale")
    theirs = version_in(stale)
    assert theirs.split("+")[0] == course_version().split("+")[0] and theirs != course_version()
    submissions = tmp_path / "class" / "ada"
    shutil.copytree(SAMPLE_CLASS / "ada" / FIRST, submissions / FIRST)
    with DaskCluster(tmp_path / "dask") as cluster:
        cluster.add_worker("stale", pythonpath=stale)
        address = cluster.wait_for(1)["stale"]
        code = main(["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--quiet",
                     "--cluster", cluster.address])  # fmt: skip
        assert cluster.exited("stale")  # retired from the cluster
    err = capsys.readouterr().err
    assert code == 2
    assert "every Dask worker was refused, so nothing was graded" in err
    assert (
        f"Dask worker {address} refused: it has course version {theirs}, this grader {course_version()}"
        in err
    )
    assert "install the same version of micrograd-course there" in err
    assert cell_scores(tmp_path / "out") == {} and load_outcomes(tmp_path / "out") == {}


def test_a_worker_that_joins_later_checks_the_version_itself_before_grading(tmp_path):
    from distributed import Client

    with DaskCluster(tmp_path / "dask") as cluster:
        cluster.add_worker("w1")
        address = cluster.wait_for(1)["w1"]
        job = Job("ada", FIRST, {}, Settings(), "0.0.1+elsewhere")
        with Client(cluster.address) as client:
            with pytest.raises(WorkerRefused) as refused:
                client.submit(grade_job, job, None, pure=False).result()
    assert refused.value.worker == address
    assert refused.value.reason.startswith(
        f"it has course version {course_version()}, this grader 0.0.1+elsewhere"
    )

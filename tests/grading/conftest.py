import pytest
import tinycourse as tiny
from nbgrader.api import Gradebook

from autograder.cells import graded_cells
from autograder.grading.outcome import Outcome, Status, save_outcomes
from autograder.grading.prepare import GRADEBOOK, gradebook_url
from autograder.grading.release import put_scripts_on_path
from autograder.layout import notebook_path


@pytest.fixture(scope="session")
def empty_gradebook(tmp_path_factory):
    """An empty nbgrader gradebook, made once: a new one runs `alembic` (seconds),
    a copy of this one costs nothing."""
    put_scripts_on_path()
    folder = tmp_path_factory.mktemp("empty-gradebook")
    with Gradebook(gradebook_url(folder)):
        pass
    return folder / GRADEBOOK


@pytest.fixture(scope="module")
def tiny_class(tmp_path_factory, empty_gradebook):
    """A graded class of five on a three-cell 01_derivatives: its gradebook, its
    results.json and its source notebook (the order of the cells). Read it, do not change it.

    ada   passes everything                         7/7
    ben   central divides by h; partials NameError  2/7
    cy    central divides by h, or is forward; forward has the wrong sign   3/7
    dee   missing; eve crashed                     0/7
    """
    course = tmp_path_factory.mktemp("class")
    tiny.make_gradebook(course, empty_gradebook)
    tiny.write_notebook(tiny.passing_notebook(), notebook_path(course / "source", tiny.ASSIGNMENT))
    divided = ("divided-by-h", "divided by h instead of 2h")
    forward = ("forward-for-central", "this is the forward difference")
    central = "[01.central] central_difference(f, x, h) is wrong for f(x) = 3x^2 - 4x + 5"
    notebooks = {
        # ada moved her cells around: the report keeps the source notebook's order
        "ada": tiny.notebook(*(tiny.graded_cell(g) for g in reversed(tiny.POINTS))),
        "ben": tiny.notebook(
            tiny.graded_cell("01_forward_test"),
            tiny.graded_cell(
                "01_central_test", error=("CheckFailed", central), failure=tiny.failure("01.central", divided)
            ),
            tiny.graded_cell("01_partials_test", error=("NameError", "name 'partials_of_d' is not defined")),
        ),
        "cy": tiny.notebook(
            tiny.graded_cell(
                "01_forward_test",
                error=("CheckFailed", "[01.forward] wrong sign"),
                failure=tiny.failure("01.forward", ("sign", "f(x) - f(x + h): the sign is flipped")),
            ),
            tiny.graded_cell(
                "01_central_test",
                error=("CheckFailed", central),
                failure=tiny.failure("01.central", divided, forward),
            ),
            tiny.graded_cell("01_partials_test"),
        ),
    }
    scores = {"ada": dict(tiny.POINTS), "ben": {"01_forward_test": 2}, "cy": {"01_partials_test": 3}}
    outcomes = {}
    for student, nb in notebooks.items():
        tiny.add_submission(course, student, scores[student])
        score = sum(scores[student].values())
        outcomes[f"{student}/{tiny.ASSIGNMENT}"] = Outcome(
            student, tiny.ASSIGNMENT, Status.GRADED, score, 7.0, cells=tuple(graded_cells(nb)), sandboxed=True
        )
    for student, status, reason in [
        ("dee", Status.MISSING, "no notebook was submitted"),
        ("eve", Status.CRASHED, "the Python kernel died"),
    ]:
        tiny.add_submission(course, student, {})
        outcomes[f"{student}/{tiny.ASSIGNMENT}"] = Outcome(student, tiny.ASSIGNMENT, status, 0.0, 7.0, reason)
    save_outcomes(course, outcomes)
    return course

"""The judge: verdicts decided in the grading process, never in the student's kernel.

Two nbgrader preprocessors around `Execute`:
- `InjectProbes` (before): writes each graded cell as a call to
  autograder.checking.emit with cases drawn from a fresh seed and a nonce, so the
  kernel only runs the exercise's probe and displays what it observed.
- `Judge` (after, before SaveAutoGrades): reads those observations back, runs
  each verdict here with the reference engine, and rewrites the cell's outputs:
  a success line, or the teaching message as an error. Whatever else the
  student's code printed, raised or suppressed in that cell is dropped, so it
  cannot earn a point (nor lose one with a stray warning on stderr).
"""

from __future__ import annotations

import ast
import json
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from ..checking.emit import OBSERVATIONS_MIME
from ..checking.exercise import Exercise, exercises_in
from ..checking.kit.failure import Failure, Mistake
from ..checking.kit.fmt import fmt_points
from ..checking.runner import FAILURE_MIME, judge

INCOMPLETE = "did-not-complete"


@dataclass(frozen=True)
class Planned:
    """What the grader chose for one graded cell: its exercise, seed, nonce and cases."""

    exercise: Exercise
    seed: int
    nonce: str
    cases: list

    @classmethod
    def draw(cls, exercise: Exercise, seed: int | None = None) -> Planned:
        seed = secrets.randbits(63) if seed is None else seed
        cases = json.loads(json.dumps(exercise.cases(random.Random(seed), True)))
        return cls(exercise, seed, secrets.token_hex(8), cases)


def isolation_pieces(ex: Exercise) -> list[tuple[str, str]]:
    """(module name, source) of what the exercise's probe needs that a grading kernel lacks:
    its isolation modules, each after the reference modules it CARRIES (pieces of exercises
    graded earlier in the notebook). They reach the kernel in this cell only."""
    root = Path(__file__).resolve().parents[2]
    pieces = []
    for name in ex.isolation:
        path = root / "autograder" / "checking" / "isolation" / f"{name}.py"
        for carried in carried_by(path):
            piece = (carried, (root / Path(*carried.split("."))).with_suffix(".py").read_text())
            if piece not in pieces:
                pieces.append(piece)
        pieces.append((f"autograder.checking.isolation.{name}", path.read_text()))
    return pieces


def carried_by(isolation_module: Path) -> list[str]:
    """The module-level CARRIES list of an isolation module (empty when it has none)."""
    for node in ast.parse(isolation_module.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CARRIES" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


def emission_source(planned: Planned) -> str:
    """The graded cell as the kernel runs it: the probe on the grader's cases."""
    ex = planned.exercise
    probe = f"{ex.probe.__module__}:{ex.probe.__name__}"
    args = ", ".join(
        [
            repr(ex.id),
            repr(planned.nonce),
            repr(probe),
            repr(list(ex.objects)),
            repr(json.dumps(planned.cases)),
        ]
        + list(ex.objects)
    )
    return (
        "# graded by the course's judge: your code runs on fresh inputs here, and is judged outside\n"
        f"__import__('autograder.checking.emit', fromlist=['emit']).emit(\n    {args},\n"
        f"    isolation={isolation_pieces(ex)!r},\n)"
    )


def observations_in(planned: Planned, outputs) -> list | Failure:
    """The cell's observations, one per case in order; a Failure saying why not otherwise."""
    ex = planned.exercise
    payloads = [o["data"][OBSERVATIONS_MIME] for o in outputs if OBSERVATIONS_MIME in o.get("data", {})]
    if not payloads:
        return incomplete(ex, "it recorded no observations", _stopped_by(outputs))
    if len(payloads) > 1:
        return incomplete(ex, f"its observations appeared {len(payloads)} times instead of once")
    payload = payloads[0]
    if not isinstance(payload, dict) or (payload.get("exercise"), payload.get("nonce")) != (
        ex.id,
        planned.nonce,
    ):
        return incomplete(ex, "the observations in this cell are not the ones the grader asked for")
    entries = payload.get("observations")
    if not isinstance(entries, list) or any(
        not isinstance(e, dict) or e.get("case") != i for i, e in enumerate(entries)
    ):
        return incomplete(ex, "its observations are malformed or out of order")
    stub = bool(entries) and entries[-1].get("observation") == {"not_attempted": True}
    if len(entries) != len(planned.cases) and not stub:
        return incomplete(ex, f"it recorded {len(entries)} of {len(planned.cases)} cases")
    return [e.get("observation") for e in entries]


def incomplete(ex: Exercise, why: str, cause: str | None = None) -> Failure:
    return Failure(
        f"{ex.title}: the check did not complete: {why}",
        got=cause,
        mistakes=Mistake(
            INCOMPLETE,
            "run the notebook from the top (Kernel > Restart & Run All) and make sure every cell "
            "above this one runs without an error; do not redefine names the checks use",
        ),
    )


def _stopped_by(outputs) -> str | None:
    """What the kernel said when the cell stopped (its own words: used in the message only)."""
    for o in outputs:
        if o.get("output_type") == "error":
            return f"{o.get('ename')}: {o.get('evalue')}"[:300]
    return None


def verdict_of(planned: Planned, outputs) -> Failure | None:
    """The judge's decision for one graded cell: the first failing case, or None."""
    observations = observations_in(planned, outputs)
    if isinstance(observations, Failure):
        return observations
    for case, observation in zip(planned.cases, observations):
        if (failure := judge(planned.exercise, case, observation)) is not None:
            return failure
    return None


def rendered(ex: Exercise, failure: Failure | None) -> list:
    """The outputs nbgrader scores and the feedback shows: a success line, or the lesson."""
    if failure is None:
        line = f"\u2714 [{ex.id}] {ex.title}: all checks passed ({fmt_points(ex.points)})\n"
        return [new_output("stream", name="stdout", text=line)]
    mistakes = [{"key": m.key, "message": m.message} for m in failure.mistakes]
    published = {"exercise": ex.id, "keys": list(failure.keys), "mistakes": mistakes}
    message = failure.message(ex.id)
    return [
        new_output("display_data", data={FAILURE_MIME: published}),
        new_output("error", ename="CheckFailed", evalue=message, traceback=[f"CheckFailed: {message}"]),
    ]


def graded_plan(nb, assignment: str) -> dict[str, Exercise]:
    """grade_id -> exercise, for the graded cells of this notebook."""
    declared = {ex.grade_id: ex for ex in exercises_in(assignment)}
    return {
        c.metadata.nbgrader.grade_id: declared[c.metadata.nbgrader.grade_id]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") in declared and c.metadata.nbgrader.get("grade")
    }


PLAN = "micrograd_plan"  # where InjectProbes leaves its plan for Judge, in nbconvert's resources


class InjectProbes(NbGraderPreprocessor):
    """Before Execute: each graded cell becomes the probe of its exercise on fresh cases."""

    def preprocess(self, nb, resources):
        plan = {}
        for grade_id, ex in graded_plan(nb, resources["nbgrader"]["assignment"]).items():
            plan[grade_id] = Planned.draw(ex)
        for cell in nb.cells:
            planned = plan.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
            if planned and cell.metadata.nbgrader.get("grade"):
                cell.source = emission_source(planned)
        resources[PLAN] = plan
        return nb, resources


class Judge(NbGraderPreprocessor):
    """After Execute: the verdicts, decided here, become each graded cell's outputs."""

    def preprocess(self, nb, resources):
        plan = resources.get(PLAN, {})
        for cell in nb.cells:
            planned = plan.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
            if planned and cell.metadata.nbgrader.get("grade"):
                cell.outputs = rendered(planned.exercise, verdict_of(planned, cell.outputs))
                cell.source = planned.exercise.cell_source(released=True)
                # the seed, for an instructor who wants to replay exactly this grading
                cell.metadata["micrograd"] = {"exercise": planned.exercise.id, "seed": planned.seed}
        return nb, resources

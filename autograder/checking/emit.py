"""The kernel's side of grading: run an exercise's probe on the grader's cases and
hand the observations over. Nothing here decides a grade.

The grader writes each graded cell as one call to `emit`, with cases it drew
from a seed of its own and a nonce; the judge (in the grading process) reads the
observations back from the cell's output and runs the verdicts. Only the probe
and the isolation pieces it needs reach this kernel, the latter as source text
inside the cell, never as files.
"""

import importlib
import json
import sys
import types
from types import SimpleNamespace

from .runner import observe

OBSERVATIONS_MIME = "application/vnd.micrograd-course.observations+json"


def install(name: str, source: str) -> None:
    """Make `source` importable as module `name` (an isolation piece sent in the cell)."""
    parent, _, child = name.rpartition(".")
    if parent and parent not in sys.modules:  # the package itself is not in a grading kernel
        package = types.ModuleType(parent)
        package.__path__ = []
        sys.modules[parent] = package
        setattr(importlib.import_module(parent.rpartition(".")[0]), parent.rpartition(".")[2], package)
    module = types.ModuleType(name)
    module.__file__ = f"<grader: {name}>"
    module.__package__ = parent
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    setattr(sys.modules[parent], child, module)


def emit(exercise_id, nonce, probe, names, cases, *objects, isolation=()):
    """Probe every case (JSON text) with the student's objects and display the observations.
    What the cell brought (isolation and the reference pieces it carries) is taken away
    again afterwards, so no later answer cell can import it."""
    loaded = sys.modules
    before = set(loaded)
    saved = {
        module: dict(vars(module))
        for name, module in loaded.items()
        if name.split(".")[0] in ("autograder", "course_engine") and name != __name__
    }
    try:
        for name, source in isolation:
            install(name, source)
        _probe_and_display(exercise_id, nonce, probe, names, cases, objects)
    finally:
        for name in set(loaded) - before:
            if name.split(".")[0] in ("autograder", "course_engine"):
                del loaded[name]
        for module, namespace in saved.items():
            vars(module).clear()
            vars(module).update(namespace)


def _probe_and_display(exercise_id, nonce, probe, names, cases, objects):
    module, function = probe.split(":")
    probe_fn = getattr(importlib.import_module(module), function)
    student = SimpleNamespace(**{**dict.fromkeys(names), **dict(zip(names, objects))})
    observations = []
    for index, case in enumerate(json.loads(cases)):
        observation = observe(probe_fn, student, case)
        observations.append({"case": index, "observation": observation})
        if isinstance(observation, dict) and observation.get("not_attempted"):
            break  # a stub fails every case alike
    from IPython.display import display

    payload = {"exercise": exercise_id, "nonce": nonce, "observations": json.loads(json.dumps(observations))}
    display({OBSERVATIONS_MIME: payload}, raw=True)

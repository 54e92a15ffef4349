"""Correct pieces for notebook 05's checks, so that one exercise is checked alone: the
student's MLP runs on the reference Layer (their Layer has checks of its own), and
their gradient check is handed a reference MLP. Used by probes only."""

from __future__ import annotations

from contextlib import contextmanager

from course_engine.nn import MLP, Layer

__all__ = ["MLP", "reference_layers"]


@contextmanager
def reference_layers(student_mlp):
    """While it runs, `Layer` in the module that defines the student's MLP is the reference one."""
    namespace = getattr(getattr(student_mlp, "__init__", None), "__globals__", None)
    if not isinstance(namespace, dict) or "Layer" not in namespace:
        yield
        return
    theirs, namespace["Layer"] = namespace["Layer"], Layer
    try:
        yield
    finally:
        namespace["Layer"] = theirs

"""For notebook 05's MLP checks: the student's MLP runs on the reference Layer (their Layer
has checks of its own), so a slip there fails only the Layer exercises. Used by probes only."""

from contextlib import contextmanager

from course_engine.nn import Layer

# what a grading kernel gets in the hidden cell with this module: 05.layer is graded before
CARRIES = ["course_engine.nn.layer"]


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

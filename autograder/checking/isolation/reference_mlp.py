"""For notebook 05's gradient-check exercise: the student's check is handed a reference MLP,
so a slip in their MLP fails only the MLP exercises. Used by probes only."""

from course_engine.nn import MLP

# what a grading kernel gets in the hidden cell with this module: 05.mlp is graded before
CARRIES = ["course_engine.nn.layer", "course_engine.nn.plan", "course_engine.nn.mlp"]

__all__ = ["MLP"]

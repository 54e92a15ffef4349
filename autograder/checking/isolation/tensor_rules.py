"""For notebook 07's checks after its tensor-op exercises (the gradient check, the weight
copy, the moons): the reference Tensor's rules of backward (unbroadcast, a sum's, a matrix
product's), which a grading kernel of 07 goes without, sent with the hidden cell so that
Tensor's backward works while the probe runs. Used by probes only (nothing to import:
the carried modules are what Tensor imports)."""

# what a grading kernel gets in the hidden cell with this module: 07.unbroadcast, 07.sum and
# 07.matmul are graded before the exercises that use it
CARRIES = [
    "course_engine.tensor_rules.broadcasting",
    "course_engine.tensor_rules.sums",
    "course_engine.tensor_rules.matmul",
]

"""The grading pipeline behind `micrograd-course` (a package, so that a built wheel holds it)."""

"""Correct pieces swapped into a student's class so that a check tests one exercise alone."""

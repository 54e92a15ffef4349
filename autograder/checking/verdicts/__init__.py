"""Verdicts: pure functions from (case, observation) to a Failure or None."""

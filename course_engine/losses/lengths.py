"""The one check every loss makes first: one target per prediction, at least one."""

from __future__ import annotations


def check_lengths(predictions, targets, name):
    if len(predictions) != len(targets):
        raise ValueError(
            f"{name}: {len(predictions)} predictions but {len(targets)} targets; "
            "give one target per prediction"
        )
    if not predictions:
        raise ValueError(f"{name}: no predictions to average over")

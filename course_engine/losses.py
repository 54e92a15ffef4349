"""Loss functions over lists of Values (and plain numbers as targets)."""

from __future__ import annotations

from .engine import Value


def _check_lengths(predictions, targets, name):
    if len(predictions) != len(targets):
        raise ValueError(
            f"{name}: {len(predictions)} predictions but {len(targets)} targets; "
            "give one target per prediction"
        )
    if not predictions:
        raise ValueError(f"{name}: no predictions to average over")


def mse(predictions, targets) -> Value:
    """Mean squared error: mean of (prediction - target)**2."""
    _check_lengths(predictions, targets, "mse")
    return sum((p - t) ** 2 for p, t in zip(predictions, targets)) * (1.0 / len(predictions))


def max_margin(scores, labels) -> Value:
    """Hinge loss for labels +-1: mean of relu(1 - label * score)."""
    _check_lengths(scores, labels, "max_margin")
    losses = [(1 + -float(y) * s).relu() for s, y in zip(scores, labels)]
    return sum(losses) * (1.0 / len(losses))


def binary_cross_entropy(logits, labels) -> Value:
    """Cross-entropy for labels 0/1 from raw scores: mean of log(1 + e^s) - y s,
    written so that no exp overflows."""
    _check_lengths(logits, labels, "binary_cross_entropy")
    terms = []
    for s, y in zip(logits, labels):
        if float(y) not in (0.0, 1.0):
            raise ValueError(f"binary_cross_entropy: labels must be 0 or 1, got {y!r}")
        # log(1 + e^s) = relu(s) + log(1 + e^-|s|)
        abs_s = s.relu() + (-s).relu()
        terms.append(s.relu() + ((-abs_s).exp() + 1).log() - float(y) * s)
    return sum(terms) * (1.0 / len(terms))


def l2(parameters, alpha: float) -> Value:
    """alpha * sum of squared parameters: pulls weights towards zero."""
    return alpha * sum(p * p for p in parameters)


def accuracy(scores, labels) -> float:
    """Share of scores whose sign matches the label (+-1)."""
    _check_lengths(scores, labels, "accuracy")
    hits = sum((_data(s) > 0) == (float(y) > 0) for s, y in zip(scores, labels))
    return hits / len(scores)


def _data(x):
    return x.data if isinstance(x, Value) else float(x)

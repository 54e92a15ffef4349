"""A correct max-margin loss, handed to the student's moons step as its loss_fn: 06.moons then
tests the step alone (their own max_margin_loss is checked by 06.max_margin)."""

ANSWERS = "06.max_margin"


def max_margin(scores, labels):
    """Mean of relu(1 - label * score), in the reference's operations (the same floats)."""
    losses = [(1 + -float(y) * s).relu() for s, y in zip(scores, labels)]
    return sum(losses) * (1.0 / len(losses))

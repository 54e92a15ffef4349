"""Drawing cases: random points away from kinks, and seeded global generators."""

import random
from contextlib import contextmanager


def random_point(rng, lo=-3.0, hi=3.0, away_from=(), gap=0.05):
    """A random float in [lo, hi], rounded to 4 places, at least `gap` from each of `away_from`."""
    while True:
        x = round(rng.uniform(lo, hi), 4)  # short numbers read better in a message
        if all(abs(x - k) > gap for k in away_from):
            return x


@contextmanager
def seeded(seed):
    """Seed the global `random` and numpy generators (student classes draw weights from
    them), restoring both afterwards: a check never changes what later cells compute."""
    import numpy as np

    state, np_state = random.getstate(), np.random.get_state()
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        yield
    finally:
        random.setstate(state)
        np.random.set_state(np_state)

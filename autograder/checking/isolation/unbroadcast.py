"""A correct `unbroadcast`, bound in the student's module while their add_backward or
mul_backward runs: a slip in their own unbroadcast then fails only its own exercise."""

from contextlib import contextmanager

ANSWERS = "07.unbroadcast"


def unbroadcast(grad, shape):
    """Sum a gradient of the broadcast shape back down to an input's `shape`."""
    extra = grad.ndim - len(shape)
    stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    return grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True).reshape(shape)


@contextmanager
def correct_unbroadcast(fn):
    """Run the student's `fn` with the name `unbroadcast` in its module bound to the
    correct one (their own is checked by its own exercise), put back afterwards."""
    namespace = getattr(fn, "__globals__", None)
    if not isinstance(namespace, dict) or "unbroadcast" not in namespace:
        yield
        return
    theirs = namespace["unbroadcast"]
    namespace["unbroadcast"] = unbroadcast
    try:
        yield
    finally:
        namespace["unbroadcast"] = theirs

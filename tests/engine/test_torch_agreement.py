"""Against PyTorch in float64, where it is installed (pip install '.[torch]')."""

import pytest

from course_engine import Value

torch = pytest.importorskip("torch")


def test_stress_expression_matches_pytorch():
    def run(make):
        a, b = make(-4.0), make(2.0)
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        relu = (lambda v: v.relu()) if isinstance(a, Value) else torch.relu
        d = d + d * 2 + relu(b + a)
        d = d + 3 * d + relu(b - a)
        e = c - d
        f = e**2
        g = f / 2.0
        g = g + 10.0 / f
        g.backward()
        return g, a, b

    def make_torch(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    g, a, b = run(Value)
    tg, ta, tb = run(make_torch)
    assert abs(g.data - tg.item()) < 1e-10
    assert abs(a.grad - ta.grad.item()) < 1e-10
    assert abs(b.grad - tb.grad.item()) < 1e-10


def test_unary_ops_match_pytorch():
    for x in (-1.7, -0.3, 0.4, 2.2):
        for name in ("tanh", "sigmoid", "exp", "relu"):
            v = Value(x)
            getattr(v, name)().backward()
            t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            getattr(torch, name)(t).backward()
            assert abs(v.grad - t.grad.item()) < 1e-12, name

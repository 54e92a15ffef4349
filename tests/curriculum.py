"""Worked examples the course's notebooks compute, shared by the tests of the
reference engine and of the notebooks' own Value classes."""


def stress_expression(Value):
    """micrograd's stress test built from `Value` and backpropagated: returns (g, a, b);
    g.data, a.grad and b.grad should be 24.7041, 138.8338 and 645.5773."""
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g, a, b

"""The numerical tools that every check in the course stands on."""

import math

import pytest

from course_engine import Value
from course_engine.gradcheck import (
    central_difference,
    crosses_kink,
    forward_difference,
    gradient_check,
    numerical_gradient,
    relative_error,
)


def f(x):
    return 3 * x**2 - 4 * x + 5


def test_curriculum_difference_numbers():
    assert f(3.0) == 20.0
    assert forward_difference(f, 3.0, 1e-3) == pytest.approx(14.003, abs=1e-6)
    assert forward_difference(f, 3.0, 1e-4) == pytest.approx(14.0003, abs=1e-6)
    assert abs(central_difference(f, 3.0, 1e-3) - 14) < abs(forward_difference(f, 3.0, 1e-3) - 14)


def test_central_error_falls_as_h_squared_forward_as_h():
    g, x, exact = math.sin, 1.0, math.cos(1.0)
    fwd = [abs(forward_difference(g, x, h) - exact) for h in (1e-2, 1e-3)]
    ctr = [abs(central_difference(g, x, h) - exact) for h in (1e-2, 1e-3)]
    assert 8 < fwd[0] / fwd[1] < 12  # 10x smaller h: 10x smaller error
    assert 80 < ctr[0] / ctr[1] < 120  # ... and 100x for the central one


def test_numerical_gradient_of_d_equals_ab_plus_c():
    grads = numerical_gradient(lambda a, b, c: a * b + c, [2.0, -3.0, 10.0])
    assert grads == pytest.approx([-3.0, 2.0, 1.0], abs=1e-6)
    value_grads = numerical_gradient(lambda a, b: (Value(a) * b).exp(), [0.5, 1.5])
    assert value_grads == pytest.approx([1.5 * math.exp(0.75), 0.5 * math.exp(0.75)], rel=1e-7)


def test_relative_error_has_a_floor():
    assert relative_error(100.0, 101.0) == pytest.approx(1 / 101)
    assert relative_error(0.0, 1e-12, floor=1e-8) == pytest.approx(1e-4)
    assert relative_error(0.0, 0.0) == 0.0


def test_gradient_check_catches_a_wrong_derivative():
    x = Value(0.7, label="x")
    y = Value(1.3, label="y")
    good = gradient_check(lambda: x * y + x.tanh(), [x, y])
    assert good.ok and [r.label for r in good.rows] == ["x", "y"]

    def wrong():
        out = x.tanh()
        out._local_grads = (1 - x.data**2,)  # the classic slip: 1 - x^2, not 1 - tanh^2
        return out * y

    bad = gradient_check(wrong, [x, y])
    assert not bad.ok
    assert [r.label for r in bad.failures()] == ["x"]
    assert "MISMATCH" in str(bad)


def test_kinks_are_reported_not_failed():
    x = Value(1e-8, label="x")
    report = gradient_check(lambda: (x * 3).relu(), [x])
    assert crosses_kink(lambda: (x * 3).relu(), x)
    assert report.ok and report.rows[0].near_kink
    assert "near a kink" in str(report)
    far = Value(0.5)
    assert not crosses_kink(lambda: (far * 3).relu(), far)

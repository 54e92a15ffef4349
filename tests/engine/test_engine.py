"""The reference Value: forward values, gradients against finite differences,
the curriculum's facts, and the numeric edge cases."""

import math

import pytest
from curriculum import stress_expression
from hypothesis import given
from hypothesis import strategies as st

from course_engine import Value, no_grad
from course_engine.gradcheck import gradient_check, leaf_gradients, relative_error


def smooth(lo=-3.0, hi=3.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo=-3.0, hi=3.0, gap=1e-2):
    return smooth(lo, hi).filter(lambda x: abs(x) > gap)


def assert_gradients_match(build, *xs):
    leaves = [Value(x) for x in xs]
    report = gradient_check(lambda: build(*leaves), leaves)
    assert not any(row.near_kink for row in report.rows), "test point too close to a kink"
    assert report.ok, f"\n{report}"
    assert all(row.error < 1e-6 for row in report.rows)


UNARY = {
    "neg": (lambda a: -a, smooth()),
    "exp": (lambda a: a.exp(), smooth(-5, 5)),
    "log": (lambda a: a.log(), smooth(0.05, 20)),
    "tanh": (lambda a: a.tanh(), smooth()),
    "sigmoid": (lambda a: a.sigmoid(), smooth(-8, 8)),
    "relu": (lambda a: a.relu(), away_from_zero()),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), away_from_zero()),
    "square": (lambda a: a**2, smooth()),
    "cube": (lambda a: a**3, smooth()),
    "sqrt": (lambda a: a**0.5, smooth(0.05, 9)),
    "inverse": (lambda a: a**-1, away_from_zero(gap=0.1)),
    "number ** a": (lambda a: 2.5**a, smooth()),
    "number - a": (lambda a: 4 - a, smooth()),
    "number / a": (lambda a: 4 / a, away_from_zero(gap=0.1)),
    "number + a": (lambda a: 4 + a, smooth()),
    "number * a": (lambda a: 4 * a, smooth()),
}

BINARY = {
    "+": (lambda a, b: a + b, smooth(), smooth()),
    "-": (lambda a, b: a - b, smooth(), smooth()),
    "*": (lambda a, b: a * b, smooth(), smooth()),
    "/": (lambda a, b: a / b, smooth(), away_from_zero(gap=0.1)),
    "** Value": (lambda a, b: a**b, smooth(0.1, 4), smooth(-2, 2)),
    "a*b + a (reuse)": (lambda a, b: a * b + a, smooth(), smooth()),
    "a/b with reuse": (lambda a, b: (a + b) / (a * a + 1), smooth(), smooth()),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_gradient_matches_central_difference(name):
    fn, points = UNARY[name]
    given(points)(lambda x: assert_gradients_match(fn, x))()


@pytest.mark.parametrize("name", BINARY)
def test_binary_gradient_matches_central_difference(name):
    fn, xs, ys = BINARY[name]
    given(xs, ys)(lambda x, y: assert_gradients_match(fn, x, y))()


@given(smooth(-2, 2), smooth(-2, 2), smooth(-2, 2))
def test_composite_expression(x, y, z):
    def f(a, b, c):
        return ((a * b).tanh() + (c - a).sigmoid() * b.exp() - (a * a + 1).log()) / (b * b + 2)

    assert_gradients_match(f, x, y, z)


def test_forward_values_of_every_operation():
    a, b = Value(-4.0), Value(2.0)
    assert (a + b).data == -2.0
    assert (a * b).data == -8.0
    assert (a - b).data == -6.0 and (2 - a).data == 6.0
    assert (a / b).data == -2.0 and (2 / b).data == 1.0
    assert (-a).data == 4.0
    assert (b**3).data == 8.0 and (2**b).data == 4.0 and (b**b).data == 4.0
    assert (3 + a).data == -1.0 and (3 * a).data == -12.0
    assert Value(-5).relu().data == 0.0 and Value(3).relu().data == 3.0
    assert Value(-5).leaky_relu(0.1).data == pytest.approx(-0.5)
    assert Value(1.0).exp().data == pytest.approx(math.e)
    assert Value(math.e).log().data == pytest.approx(1.0)


def test_value_basics_and_repr():
    v = Value(2.5)
    assert isinstance(v.data, float) and v.grad == 0.0
    assert repr(v) == "Value(data=2.5, grad=0.0)"
    assert repr(Value(1, label="a")) == "Value(data=1.0, grad=0.0, label='a')"
    a, b = Value(2.0), Value(3.0)
    c = a * b
    assert c._prev == (a, b) and c._op == "*"
    d = a + 1
    assert d._prev[0] is a and d._prev[1].data == 1.0 and d._op == "+"


def test_backward_by_hand_with_underscore_backward():
    a, b = Value(2.0), Value(-3.0)
    e = a * b
    e.grad = 1.0
    e._backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)


def test_curriculum_chain_L():
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    assert (e.data, d.data, L.data) == (-6.0, 4.0, -8.0)
    assert L.grad == 1.0 and f.grad == 4.0 and d.grad == -2.0
    assert c.grad == -2.0 and e.grad == -2.0 and a.grad == 6.0 and b.grad == -4.0


def test_curriculum_stress_expression():
    g, a, b = stress_expression(Value)
    assert g.data == pytest.approx(24.7041, abs=1e-4)
    assert a.grad == pytest.approx(138.8338, abs=1e-4)
    assert b.grad == pytest.approx(645.5773, abs=1e-4)


def test_curriculum_small_facts():
    x = Value(3.0)
    y = x**3
    y.backward()
    assert x.grad == 27.0
    t = Value(0.5)
    out = t.tanh()
    out.backward()
    assert out.data == pytest.approx(0.4621, abs=1e-4)
    assert t.grad == pytest.approx(0.7864, abs=1e-4)
    s = Value(0.0)
    out = s.sigmoid()
    out.backward()
    assert (out.data, s.grad) == (0.5, 0.25)


def test_reuse_accumulates():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    a = Value(3.0)
    b = Value(-2.0)
    (a * b + a).backward()
    assert a.grad == -1.0  # b + 1: both paths counted


def test_backward_twice_accumulates_in_leaves():
    a, b = Value(2.0), Value(5.0)
    out = a * b
    out.backward()
    out.backward()
    assert a.grad == 10.0 and b.grad == 4.0  # twice 5 and twice 2: grads add up


def test_million_node_chain_has_no_recursion_limit():
    x = Value(1.0)
    out = x
    for _ in range(1_000_000):
        out = out + 1.0
    out.backward()
    assert out.data == 1_000_001.0
    assert x.grad == 1.0
    del out  # freeing a million-deep chain must not crash either


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = e.topological_order()
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for parent in node._prev:
            assert position[parent] < position[node]
    assert len(order) == len(set(order)) == 5


def test_saturating_functions_do_not_overflow():
    assert Value(1000.0).tanh().data == 1.0
    assert Value(-1000.0).tanh().data == -1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).exp().data == math.inf
    assert Value(-1000.0).exp().data == 0.0
    assert (Value(1e200) ** 2).data == math.inf
    assert (Value(-1e200) ** 3).data == -math.inf
    big = Value(800.0).tanh()
    big.backward()
    assert big._prev[0].grad == 0.0
    s = Value(-800.0)
    s.sigmoid().backward()
    assert s.grad == 0.0


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Value(0.0).log(), ValueError, ["log", "Value(data=0.0"]),
        (lambda: Value(-2.0).log(), ValueError, ["log", "Value(data=-2.0"]),
        (lambda: Value(-8.0) ** 0.5, ValueError, ["negative base", "-8.0"]),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, ["negative base"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["zero to a negative power"]),
        (lambda: Value(1.0) / 0, ZeroDivisionError, ["division by zero", "Value(data=1.0"]),
        (lambda: Value("3"), TypeError, ["Value(data)", "str", "'3'"]),
        (lambda: Value(None), TypeError, ["NoneType"]),
        (lambda: Value(1.0) + "2", TypeError, ["+", "str", "'2'", "Value(data=1.0"]),
        (lambda: [1] * Value(2.0), TypeError, ["*", "list"]),
    ],
)
def test_clear_errors(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_negative_base_with_whole_exponent_is_fine():
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert y.data == -8.0 and x.grad == 12.0


def test_no_grad_records_nothing():
    a, b = Value(2.0), Value(3.0)
    with no_grad():
        c = (a * b).tanh() + a
    assert c._prev == () and c.data == pytest.approx(math.tanh(6.0) + 2.0)
    d = a * b
    assert d._prev == (a, b)  # recording is back on after the block


def test_weighted_sum_matches_chained_operations():
    ws = [Value(0.5), Value(-0.3)]
    xs = [Value(2.0), Value(3.0)]
    bias = Value(0.1)
    fused = Value.weighted_sum(ws, xs, bias)
    chained = bias + ws[0] * xs[0] + ws[1] * xs[1]
    assert fused.data == chained.data
    fused.backward()
    fused_grads = [v.grad for v in (*ws, *xs, bias)]
    for v in (*ws, *xs, bias):
        v.grad = 0.0
    chained.backward()
    assert fused_grads == [v.grad for v in (*ws, *xs, bias)]


def test_leaf_gradients_leave_leaves_untouched():
    a = Value(1.5)
    grads = leaf_gradients(lambda: a * a * a, [a])
    assert relative_error(grads[0], 3 * 1.5**2) < 1e-8
    assert a.data == 1.5


# ---- the fast paths give what the plain definitions give, bit for bit ---------------------------


def recursive_order(root):
    """The definition: a depth-first walk, parents left to right, each node after them."""
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for parent in node._prev:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def random_graph(seed):
    """A graph of every kind of node: two parents, one, many (weighted_sum), reuse, constants."""
    import random

    rng = random.Random(seed)
    pool = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(4)]
    ops = [
        lambda a, b: a + b,
        lambda a, b: a * b,
        lambda a, b: a - b,
        lambda a, b: a * a,
        lambda a, b: 2.0 * a,
        lambda a, b: 1 - b,
        lambda a, b: a.relu(),
        lambda a, b: a.tanh(),
        lambda a, b: -a,
        lambda a, b: (a * a + 1.0) ** 0.5,
        lambda a, b: Value.weighted_sum([a, b], [b, 3.0], a),
    ]
    for _ in range(40):
        pool.append(rng.choice(ops)(rng.choice(pool), rng.choice(pool)))
    return sum(pool[-6:]), pool[:4]


@pytest.mark.parametrize("seed", range(20))
def test_topological_order_is_the_recursive_walks_order(seed):
    root, _ = random_graph(seed)
    assert root.topological_order() == recursive_order(root)


@pytest.mark.parametrize("seed", range(20))
def test_backward_gives_the_node_by_node_chain_rule_bit_for_bit(seed):
    root, leaves = random_graph(seed)
    root.backward()
    fast = [node.grad for node in recursive_order(root)]
    for node in recursive_order(root):
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(recursive_order(root)):
        node._backward()
    assert [node.grad for node in recursive_order(root)] == fast
    assert any(leaf.grad != 0.0 for leaf in leaves)


def test_every_result_holds_a_float_even_after_data_set_by_hand():
    a = Value(2.0)
    a.data = 3  # an int, set by hand
    for result in (a + a, a * 2, a - 1, a / 2, -a, a**2, a.relu(), a.tanh(), 2 * a):
        assert type(result.data) is float
    assert repr(a + a) == "Value(data=6.0, grad=0.0)"
    a.data = "3"
    with pytest.raises(TypeError, match="Value\\(data\\): expected a real number, got str"):
        a + a


def test_relu_nodes_and_a_mismatched_hand_made_node():
    x = Value(-1.0)
    r = x.relu()
    assert r._local_grads == (0.0,) and Value(2.0).relu()._local_grads == (1.0,)
    a, b = Value(2.0), Value(3.0)
    odd = Value(5.0, (a, b), "f", _local_grads=(4.0,))  # fewer derivatives than parents: zip's rule
    odd.backward()
    assert (a.grad, b.grad) == (4.0, 0.0)


def test_a_node_is_one_object_for_the_garbage_collector():
    import gc

    a, b = Value(2.0), Value(3.0)
    gc.collect()
    before = len(gc.get_objects())
    nodes = [a * b + a for _ in range(1000)]  # 2000 nodes, each of two parents
    assert len(gc.get_objects()) - before < 2000 + 50  # the nodes, and no tuple of parents each
    assert nodes[0]._prev[0]._prev == (a, b) and nodes[0]._local_grads == (1.0, 1.0)


def test_parents_and_local_derivatives_can_be_set_as_tuples():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    node = a * b
    node._local_grads = (5.0, 7.0)
    node.backward()
    assert (a.grad, b.grad) == (5.0, 7.0)
    node._prev = (a, b, c)  # three parents, two derivatives: zip's rule, the third gets nothing
    assert node._prev == (a, b, c) and node._local_grads == (5.0, 7.0)
    node.backward()
    assert (a.grad, b.grad, c.grad) == (10.0, 14.0, 0.0)

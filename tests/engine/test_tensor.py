"""The reference Tensor: every operation's gradient against central differences over
random shapes that broadcast, the tensor MLP against the scalar one, the moons
training against hand-written numpy, PyTorch where installed, and clear errors."""

import gc
import random
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_engine import MLP as ScalarMLP
from course_engine import Value, losses, no_grad
from course_engine.datasets import make_moons
from course_engine.optim import SGD
from course_engine.tensor import Tensor, cross_entropy
from course_engine.tensor_nn import MLP, Linear
from course_engine.tensor_rules import matmul_backward, sum_backward, unbroadcast

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

H = 1e-6


# ---- the truth: central differences of a random weighting of the output ----------------------


def numerical_gradients(f, arrays, h=H):
    """d f() / d a[index] for every entry of every array, nudging the arrays in place."""
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            original = a[index]
            a[index] = original + h
            up = f()
            a[index] = original - h
            down = f()
            a[index] = original
            g[index] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def assert_gradients_match(op, *arrays, seed=0):
    """backward() of sum(w * op(tensors)), with random weights w, against central differences."""
    tensors = [Tensor(a) for a in arrays]
    out = op(*tensors)
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape)
    (out * weights).sum().backward()

    def f():
        with no_grad():
            return float((op(*[Tensor(a) for a in arrays]).data * weights).sum())

    for i, (t, expected) in enumerate(zip(tensors, numerical_gradients(f, list(arrays)))):
        assert t.grad.shape == t.shape, f"input {i}: grad shape {t.grad.shape}, data shape {t.shape}"
        np.testing.assert_allclose(t.grad, expected, rtol=1e-5, atol=1e-7, err_msg=f"input {i}")


def values(seed, shape, lo=-2.0, hi=2.0, away_from_zero=0.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, size=shape)
    if away_from_zero:
        x = np.sign(x + (x == 0)) * (away_from_zero + np.abs(x))
    return np.array(x, dtype=np.float64)  # an array even for shape (), so that it can be nudged


seeds = st.integers(0, 2**32 - 1)
two_shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


# ---- binary operations over shapes that broadcast ---------------------------------------------

BINARY = {
    "+": (lambda a, b: a + b, {}, {}),
    "-": (lambda a, b: a - b, {}, {}),
    "*": (lambda a, b: a * b, {}, {}),
    "/": (lambda a, b: a / b, {}, {"away_from_zero": 0.5}),
    "** Tensor": (lambda a, b: a**b, {"lo": 0.3, "hi": 2.0}, {}),
    "a*b + a (reuse)": (lambda a, b: a * b + a, {}, {}),
    "(a + b) / (a*a + 1)": (lambda a, b: (a + b) / (a * a + 1), {}, {}),
}


@pytest.mark.parametrize("name", BINARY)
def test_binary_gradient_matches_central_difference_over_broadcast_shapes(name):
    op, a_range, b_range = BINARY[name]

    @given(two_shapes, seeds)
    def check(shapes, seed):
        a_shape, b_shape = shapes.input_shapes
        assert_gradients_match(op, values(seed, a_shape, **a_range), values(seed + 1, b_shape, **b_range))

    check()


def test_binary_ops_with_numbers_and_arrays_on_either_side():
    x = values(1, (2, 3))
    for op in (
        lambda t: 2 + t,
        lambda t: t + 2,
        lambda t: 2 - t,
        lambda t: t - 2,
        lambda t: 3 * t,
        lambda t: t / 4,
        lambda t: 4 / (t * t + 1),
        lambda t: 1.5**t,
        lambda t: np.arange(3.0) * t,
        lambda t: t * np.arange(3.0),
        lambda t: np.ones((4, 1, 1)) - t,
    ):
        assert_gradients_match(op, x.copy())


# ---- functions of one tensor ------------------------------------------------------------------

UNARY = {
    "neg": (lambda a: -a, {}),
    "exp": (lambda a: a.exp(), {}),
    "log": (lambda a: a.log(), {"lo": 0.1, "hi": 5.0}),
    "tanh": (lambda a: a.tanh(), {}),
    "sigmoid": (lambda a: a.sigmoid(), {"lo": -8.0, "hi": 8.0}),
    "relu": (lambda a: a.relu(), {"away_from_zero": 0.01}),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), {"away_from_zero": 0.01}),
    "** 2": (lambda a: a**2, {}),
    "** 3": (lambda a: a**3, {}),
    "** 0.5": (lambda a: a**0.5, {"lo": 0.1, "hi": 4.0}),
    "** -1": (lambda a: a**-1, {"away_from_zero": 0.3}),
    "** 0": (lambda a: a**0, {}),
    "T": (lambda a: a.T, {}),
    "log_softmax": (lambda a: a.log_softmax() if a.ndim else a.exp(), {"lo": -5.0, "hi": 5.0}),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_gradient_matches_central_difference(name):
    op, value_range = UNARY[name]

    @given(shapes, seeds)
    def check(shape, seed):
        assert_gradients_match(op, values(seed, shape, **value_range))

    check()


@st.composite
def shape_and_axis(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    axis = draw(
        st.none() | hnp.valid_tuple_axes(len(shape), min_size=1) | st.integers(-len(shape), len(shape) - 1)
    )
    return shape, axis, draw(st.booleans())


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@given(shape_and_axis(), seeds)
def test_sum_and_mean_with_axis_and_keepdims(reduction, case, seed):
    shape, axis, keepdims = case
    x = values(seed, shape)
    op = lambda t: getattr(t, reduction)(axis=axis, keepdims=keepdims)  # noqa: E731
    out = op(Tensor(x))
    np.testing.assert_allclose(out.data, getattr(x, reduction)(axis=axis, keepdims=keepdims))
    assert_gradients_match(op, x)


@given(shape_and_axis(), seeds)
def test_log_softmax_along_any_axis(case, seed):
    shape, axis, _ = case
    if isinstance(axis, tuple):
        axis = axis[0]
    axis = -1 if axis is None else axis
    x = values(seed, shape, -4, 4)
    assert_gradients_match(lambda t: t.log_softmax(axis=axis), x)
    probabilities = np.exp(Tensor(x).log_softmax(axis=axis).data).sum(axis=axis)
    np.testing.assert_allclose(probabilities, 1.0)


@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), seeds, st.randoms())
def test_reshape_and_transpose(shape, seed, rnd):
    x = values(seed, shape)
    axes = list(range(len(shape)))
    rnd.shuffle(axes)
    assert_gradients_match(lambda t: t.transpose(*axes), x)
    assert_gradients_match(lambda t: t.reshape(-1), x)
    assert_gradients_match(lambda t: t.reshape(1, *reversed(shape)) * np.arange(shape[0]), x)


# ---- matmul -------------------------------------------------------------------------------------


@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    kind = draw(st.sampled_from(["2d", "vector @ matrix", "matrix @ vector", "vector @ vector", "stacked"]))
    if kind == "2d":
        return (n, k), (k, m)
    if kind == "vector @ matrix":
        return (k,), (k, m)
    if kind == "matrix @ vector":
        return (n, k), (k,)
    if kind == "vector @ vector":
        return (k,), (k,)
    batch = draw(st.sampled_from([((2,), (2,)), ((2,), ()), ((), (3,)), ((2, 1), (3,))]))
    return (*batch[0], n, k), (*batch[1], k, m)


@given(matmul_shapes(), seeds)
def test_matmul_gradient_matches_central_difference(shapes, seed):
    a_shape, b_shape = shapes
    a, b = values(seed, a_shape), values(seed + 1, b_shape)
    np.testing.assert_allclose((Tensor(a) @ Tensor(b)).data, a @ b)
    assert_gradients_match(lambda x, y: x @ y, a, b)
    assert_gradients_match(lambda x: a @ x, b)  # an array on the left: __rmatmul__


def test_matmul_backward_two_dimensional_rule():
    a, b, g = values(1, (3, 4)), values(2, (4, 5)), values(3, (3, 5))
    grad_a, grad_b = matmul_backward(a, b, g)
    np.testing.assert_allclose(grad_a, g @ b.T)
    np.testing.assert_allclose(grad_b, a.T @ g)


# ---- cross-entropy ------------------------------------------------------------------------------


@given(st.integers(1, 5), st.integers(2, 4), seeds)
def test_cross_entropy_gradient_and_value(n, classes, seed):
    logits = values(seed, (n, classes), -3, 3)
    labels = np.random.default_rng(seed).integers(0, classes, size=n)
    assert_gradients_match(lambda z: cross_entropy(z, labels), logits)
    expected = -np.mean(Tensor(logits).log_softmax().data[np.arange(n), labels])
    assert cross_entropy(Tensor(logits), labels).item() == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_and_log_softmax_are_stable_for_huge_logits():
    logits = Tensor([[1000.0, 0.0, -1000.0], [-800.0, 800.0, 0.0]])
    loss = cross_entropy(logits, np.array([0, 1]))
    loss.backward()
    assert loss.item() == pytest.approx(0.0, abs=1e-12)
    assert np.isfinite(logits.grad).all()
    assert np.isfinite(Tensor([[1e4, -1e4]]).log_softmax().data).all()
    assert np.isfinite(Tensor([-1e4, 0.0, 1e4]).sigmoid().data).all()


# ---- the rules as functions ---------------------------------------------------------------------


@given(two_shapes, seeds)
def test_unbroadcast_sums_back_to_each_shape(shapes, seed):
    for shape in shapes.input_shapes:
        grad = values(seed, shapes.result_shape)
        reduced = unbroadcast(grad, shape)
        assert reduced.shape == shape
        assert reduced.sum() == pytest.approx(grad.sum())
        # the gradient of sum(grad * broadcast_to(x)), by differences
        x = np.zeros(shape)
        (expected,) = numerical_gradients(
            lambda x=x, grad=grad: float((grad * np.broadcast_to(x, shapes.result_shape)).sum()), [x]
        )
        np.testing.assert_allclose(reduced, expected, rtol=1e-6, atol=1e-6)


@given(shape_and_axis(), seeds)
def test_sum_backward_puts_the_summed_axes_back(case, seed):
    shape, axis, keepdims = case
    total_shape = np.zeros(shape).sum(axis=axis, keepdims=keepdims).shape
    grad = values(seed, total_shape)
    x = Tensor(values(seed + 1, shape))
    x.sum(axis=axis, keepdims=keepdims).backward(grad)
    np.testing.assert_array_equal(sum_backward(grad, shape, axis, keepdims), x.grad)


# ---- backward: accumulation, order, memory --------------------------------------------------------


def test_a_tensor_used_twice_gets_both_paths_and_grads_accumulate():
    x = Tensor([1.0, -2.0, 3.0])
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 1)
    (x * x + x).sum().backward()  # a second backward adds to what is there
    np.testing.assert_allclose(x.grad, 2 * (2 * x.data + 1))


def test_a_tensor_times_itself_is_one_edge_with_the_numbers_of_two():
    x = Tensor([[1.5, -2.0, 0.25]])
    square = x * x
    assert square._prev == (x,)  # one edge, of slope 2x
    weights = np.array([1.0, 3.0, -2.0])
    (square * weights).sum().backward()
    y, z = Tensor(x.data.copy()), Tensor(x.data.copy())  # two Tensors: two edges, g * x each
    (y * z * weights).sum().backward()
    np.testing.assert_array_equal(square.data, y.data * z.data)
    np.testing.assert_array_equal(x.grad, y.grad + z.grad)  # bit for bit
    np.testing.assert_array_equal(x.grad, [[3.0, -12.0, -1.0]])


def test_a_total_gives_every_entry_an_array_of_its_own():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    h = x * 1.0
    total, mean = h.sum(), h.mean()
    (total * 4.0 + mean * 6.0).backward()
    assert total.grad == 4.0 and mean.grad == 6.0
    np.testing.assert_array_equal(h.grad, np.full((2, 3), 5.0))  # 4 from the sum, 6 / 6 from the mean
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 5.0))
    assert h.grad.flags.writeable and not np.shares_memory(h.grad, x.grad)
    h.grad[0, 0] = 0.0  # its own array: nothing else changes
    assert x.grad[0, 0] == 5.0


def test_zero_grad_resets_to_zero_and_backward_starts_afresh():
    random.seed(3)
    model = MLP(2, [3, 1])
    params = model.parameters()
    X = np.array([[0.5, -1.0], [2.0, 0.25], [-1.0, 1.5]])
    (model(X) ** 2).mean().backward()
    first = [p.grad.copy() for p in params]
    (model(X) ** 2).mean().backward()  # adds up
    np.testing.assert_array_equal(params[0].grad, 2 * first[0])
    model.zero_grad()
    assert all(type(p.grad) is float and p.grad == 0.0 for p in params)
    (model(X) ** 2).mean().backward()
    for p, grad in zip(params, first):
        assert p.grad.shape == p.shape
        np.testing.assert_array_equal(p.grad, grad)
    unused = Linear(2, 2)
    unused.zero_grad()
    before = unused.W.data.copy()
    unused.W.data -= 0.1 * unused.W.grad  # a parameter no backward reached: a step of nothing
    np.testing.assert_array_equal(unused.W.data, before)


def test_grads_of_different_tensors_are_never_the_same_array():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    s = a + b  # both inputs receive the same incoming gradient
    t = s.reshape(2, 1)
    (t * 2.0).sum().backward()
    arrays = [a.grad, b.grad, s.grad, t.grad]
    for i, x in enumerate(arrays):
        for y in arrays[i + 1 :]:
            assert not np.shares_memory(x, y)
    a.grad += 100.0
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])


def test_intermediate_grads_are_filled_and_constants_get_none():
    x = Tensor([[1.0, -1.0]])
    h = x * 3.0
    out = (h.relu() - 1).sum()
    assert h.grad == 0.0  # nothing yet
    out.backward()
    np.testing.assert_array_equal(h.grad, [[1.0, 0.0]])
    np.testing.assert_array_equal(x.grad, [[3.0, 0.0]])
    assert not Tensor(2.0, requires_grad=False).requires_grad
    assert x.requires_grad and h.requires_grad
    assert all(t is x for t in h._prev)  # the number 3.0 is not an input that needs a gradient


def test_l2_is_one_node_with_the_numbers_of_the_penalty_written_out():
    random.seed(5)
    model = MLP(2, [4, 3, 1])
    params = model.parameters()
    X = np.array([[0.5, -1.0], [2.0, 0.25], [-1.0, 1.5]])

    def loss(penalty):
        model.zero_grad()
        total = (model(X) ** 2).mean() + penalty()
        total.backward()
        return total, [p.grad.copy() for p in params]

    fused, fused_grads = loss(lambda: losses.l2(params, 1e-3))
    written, written_grads = loss(lambda: 1e-3 * sum((p * p).sum() for p in params))
    assert fused.item() == written.item()  # bit for bit: the same sums in the same order
    for a, b in zip(fused_grads, written_grads):
        np.testing.assert_array_equal(a, b)
    penalty = fused._prev[1]
    assert penalty._op == "l2" and penalty._prev == tuple(params)  # one node, an edge to each
    # written out: a square, a sum and an add a parameter, and alpha * : 3 * 6 + 1 nodes where l2 has 1
    assert len(fused.topological_order()) == len(written.topological_order()) - 3 * len(params)
    np.testing.assert_allclose(penalty.item(), 1e-3 * sum(float((p.data**2).sum()) for p in params))


def test_l2_leaves_constants_out_and_wants_a_number_for_alpha():
    w = Tensor([[1.0, -2.0]])
    penalty = losses.l2([w, np.array([3.0])], 0.5)  # an array is a constant: counted, no edge
    assert penalty.item() == 0.5 * (1.0 + 4.0 + 9.0) and penalty._prev == (w,)
    penalty.backward()
    np.testing.assert_array_equal(w.grad, [[1.0, -2.0]])  # 2 * 0.5 * w
    with pytest.raises(TypeError, match="alpha must be a number"):
        losses.l2([w], Tensor(0.5))
    assert losses.l2([Value(3.0)], 0.5).data == 4.5  # Values: as notebook 06 builds it


def test_backward_is_iterative_on_a_long_chain():
    x = Tensor([0.5, -0.5])
    y = x
    for _ in range(30000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_a_dropped_graph_is_freed_without_the_cycle_collector():
    gc.disable()
    try:
        x = Tensor(np.ones((3, 3)))
        out = ((x @ x).tanh() * 2).sum()
        out.backward()
        probe = weakref.ref(out._prev[0].data)  # held by the graph: its Tensors and closures
        del out
        assert probe() is None
    finally:
        gc.enable()


def test_numbers_lists_and_arrays_beside_a_tensor_are_constants_without_a_node():
    x = Tensor([[1.0, -2.0]])
    for result in (
        x + 2,
        2 + x,
        x - 2.5,
        1 - x,
        x * 3,
        3 * x,
        x + [1.0, 2.0],
        [1.0, 2.0] - x,
        np.array([2.0, 3.0]) * x,
        x * np.float64(2.0),
        x + True,
    ):
        assert result._prev == (x,) and result.requires_grad
        assert type(result.data) is np.ndarray and result.data.dtype == np.float64
    y = 1 - x * [2.0, 3.0]
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [[-2.0, -3.0]])
    assert type((Tensor(2.0) * 3).data) is np.float64  # a one-number result stays a numpy float
    for bad in (lambda: x + "2", lambda: "2" * x, lambda: x - None):
        with pytest.raises(TypeError, match="Tensors combine with Tensors, numbers and numpy arrays"):
            bad()
    with pytest.raises(TypeError, match="Tensor\\(data\\)"):
        x + [1.0, "a"]


def test_no_grad_records_nothing():
    x = Tensor([1.0, 2.0])
    with no_grad():
        y = (x * 2).exp().sum()
    assert y._prev == () and not y.requires_grad


# ---- errors that say what is wrong ----------------------------------------------------------------


def error(fn):
    with pytest.raises((ValueError, TypeError, ZeroDivisionError)) as caught:
        fn()
    return str(caught.value)


def test_shape_errors_name_the_operation_and_both_shapes():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones(5))
    for op, symbol in (
        (lambda: a + b, "+"),
        (lambda: a * b, "*"),
        (lambda: a - b, "-"),
        (lambda: a / b, "/"),
    ):
        message = error(op)
        assert f"a {symbol} b" in message and "(3, 4)" in message and "(5,)" in message
    message = error(lambda: a @ Tensor(np.ones((5, 2))))
    assert "a @ b" in message and "(3, 4)" in message and "(5, 2)" in message
    message = error(lambda: Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((3, 4, 5))))  # the stacks differ
    assert "a @ b" in message and "(2, 3, 4) and (3, 4, 5): they do not broadcast" in message
    assert "at least one axis" in error(lambda: Tensor(2.0) @ a)
    message = error(lambda: a.reshape(5, 2))
    assert "(3, 4)" in message and "(5, 2)" in message
    assert "shape (3, 4)" in error(lambda: a.sum(axis=2))
    assert "shape (3, 4)" in error(lambda: a.backward())
    assert "positive" in error(lambda: Tensor([1.0, -1.0]).log())
    assert "zero" in error(lambda: a / Tensor([0.0, 1.0, 1.0, 1.0]))
    assert "Values" in error(lambda: Tensor([Value(1.0)]))
    assert "Tensor + str" in error(lambda: a + "x")
    assert "(3, 5)" in error(lambda: Linear(4, 2)(np.ones((3, 5))))


# ---- the tensor MLP against the scalar one --------------------------------------------------------


def test_the_same_seed_gives_the_same_weights_as_the_scalar_mlp():
    random.seed(5)
    scalar = ScalarMLP(3, [4, 2, 1])
    random.seed(5)
    tensor = MLP(3, [4, 2, 1])
    for scalar_layer, linear in zip(scalar.layers, tensor.layers):
        for j, neuron in enumerate(scalar_layer.neurons):
            np.testing.assert_array_equal(linear.W.data[:, j], [w.data for w in neuron.w])
            assert linear.b.data[j] == neuron.b.data
        assert linear.activation == scalar_layer.neurons[0].activation
    assert tensor.parameter_count() == len(scalar.parameters()) == 4 * 4 + 2 * 5 + 3
    assert repr(MLP(2, [4, 1])) == "MLP([Linear(2 -> 4, relu), Linear(4 -> 1, linear)], 17 parameters)"


def moons_losses(model, X, y, alpha=1e-4):
    """The moons loss (max-margin + L2) of either kind of model, with backward done."""
    if isinstance(model, MLP):
        scores = model(X)
        loss = (1 - y.reshape(-1, 1) * scores).relu().mean() + alpha * sum(
            (p * p).sum() for p in model.parameters()
        )
    else:
        scores = [model([Value(a), Value(b)]) for a, b in X.tolist()]
        margins = [(1 - float(t) * s).relu() for t, s in zip(y, scores)]
        loss = sum(margins) * (1.0 / len(margins)) + alpha * sum(p * p for p in model.parameters())
    model.zero_grad()
    loss.backward()
    return loss


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_tensor_and_scalar_mlps_agree_on_loss_and_every_gradient(activation):
    X, y = make_moons(40, noise=0.1, seed=3)
    random.seed(11)
    scalar = ScalarMLP(2, [16, 16, 1], activation=activation)
    tensor = MLP.from_scalar(scalar)
    scalar_loss, tensor_loss = moons_losses(scalar, X, y), moons_losses(tensor, X, y)
    assert abs(scalar_loss.data - tensor_loss.item()) < 1e-9
    for scalar_layer, linear in zip(scalar.layers, tensor.layers):
        for j, neuron in enumerate(scalar_layer.neurons):
            np.testing.assert_allclose(linear.W.grad[:, j], [w.grad for w in neuron.w], rtol=0, atol=1e-9)
            assert abs(linear.b.grad[j] - neuron.b.grad) < 1e-9


def test_from_scalar_copies_instead_of_sharing():
    random.seed(0)
    scalar = ScalarMLP(2, [3, 1])
    tensor = MLP.from_scalar(scalar)
    tensor.layers[0].W.data[0, 0] += 1.0
    assert tensor.layers[0].W.data[0, 0] != scalar.layers[0].neurons[0].w[0].data


def test_whole_mlp_gradient_check():
    rng = np.random.default_rng(4)
    random.seed(4)
    model = MLP(3, [5, 4, 2], activation="tanh")
    X, target = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))

    def loss():
        return ((model(X) - target) ** 2).mean()

    model.zero_grad()
    loss().backward()
    params = model.parameters()
    expected = numerical_gradients(lambda: loss().item(), [p.data for p in params])
    for p, e in zip(params, expected):
        np.testing.assert_allclose(p.grad, e, rtol=1e-6, atol=1e-8)


def test_one_example_and_a_batch():
    random.seed(2)
    model = MLP(2, [3, 1])
    assert model(np.array([0.5, -0.2])).shape == (1,)
    assert model(np.ones((7, 2))).shape == (7, 1)
    batch = [[0.5, -0.2], [1.0, 2.0]]  # a list, an array of whole numbers, a float array: the same
    outputs = [model(x).data for x in (batch, np.array([[1, 2]]), np.array(batch))]
    np.testing.assert_array_equal(outputs[0], outputs[2])
    np.testing.assert_array_equal(outputs[1], outputs[0][1:])
    with pytest.raises(TypeError, match="got Values"):
        model([[Value(1.0), Value(2.0)]])


# ---- the moons training: tensors against numpy by hand ----------------------------------------------


def test_moons_training_matches_hand_written_numpy_and_separates_the_moons():
    from bench_moons import train_numpy
    from bench_tensor import train_tensor

    X, y = make_moons(100, noise=0.1, seed=1337)
    tensor_losses = train_tensor(X, y, 100)
    np.testing.assert_allclose(tensor_losses, train_numpy(X, y, 100), rtol=0, atol=1e-12)
    assert tensor_losses[-1] < 0.05
    assert train_tensor(X, y, 100, l2_as_one_node=False) == tensor_losses  # the L2 written out: the same


def test_sgd_from_course_engine_trains_tensors():
    X, y = make_moons(30, noise=0.1, seed=1)
    random.seed(1)
    model = MLP(2, [8, 1])
    optimizer = SGD(model.parameters(), lr=0.5)
    first = last = None
    for _ in range(30):
        loss = (1 - y.reshape(-1, 1) * model(X)).relu().mean()
        optimizer.zero_grad()  # sets grads to 0.0: backward then starts them afresh
        loss.backward()
        optimizer.step()
        first = loss.item() if first is None else first
        last = loss.item()
    assert last < first


# ---- PyTorch, where it is installed ---------------------------------------------------------------------


def test_ops_match_pytorch_in_float64():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 1, 3)), rng.normal(size=(5, 3))
    w = rng.normal(size=(3, 2))
    labels = rng.integers(0, 2, size=20)

    def program(x, y, m, lib):
        z = (x * y + x - y / (y * y + 1)).tanh() @ m  # (4, 5, 2)
        logits = z.reshape(20, 2)
        if lib == "tensor":
            return (
                cross_entropy(logits, labels)
                + logits.sigmoid().mean()
                + logits.relu().sum(axis=0).exp().mean()
            )
        return (
            torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
            + logits.sigmoid().mean()
            + logits.relu().sum(dim=0).exp().mean()
        )

    ours = [Tensor(v) for v in (a, b, w)]
    theirs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a, b, w)]
    out, ref = program(*ours, "tensor"), program(*theirs, "torch")
    out.backward()
    ref.backward()
    assert abs(out.item() - ref.item()) < 1e-12
    for t, r in zip(ours, theirs):
        np.testing.assert_allclose(t.grad, r.grad.numpy(), rtol=1e-10, atol=1e-12)

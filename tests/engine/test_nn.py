"""Neurons, layers, MLPs: sizes, reprs, and gradients against finite differences."""

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_engine import MLP, Layer, Neuron, Value
from course_engine.gradcheck import gradient_check


@pytest.mark.parametrize("nin, nouts, count", [(3, [4, 4, 1], 41), (2, [4, 4, 1], 37), (2, [16, 16, 1], 337)])
def test_curriculum_parameter_counts(nin, nouts, count):
    assert len(MLP(nin, nouts).parameters()) == count


def test_layer_and_neuron_sizes():
    assert len(Layer(3, 4).parameters()) == 16
    assert len(Neuron(3).parameters()) == 4
    assert isinstance(Layer(3, 1)([1.0, 2.0, 3.0]), Value)
    assert len(Layer(3, 4)([1.0, 2.0, 3.0])) == 4


def test_curriculum_neuron_numbers():
    n = Neuron(2, activation="tanh")
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -0.3, 0.1
    out = n([2.0, 3.0])
    out.backward()
    assert out.data == pytest.approx(math.tanh(0.2)) and out.data == pytest.approx(0.197375, abs=1e-6)
    assert n.w[0].grad == pytest.approx(1.922086, abs=1e-6)
    assert n.w[1].grad == pytest.approx(2.883129, abs=1e-6)
    assert n.b.grad == pytest.approx(0.961043, abs=1e-6)


def test_default_mlp_is_micrograds_shape():
    random.seed(0)
    model = MLP(2, [16, 16, 1])
    acts = [layer.neurons[0].activation for layer in model.layers]
    assert acts == ["relu", "relu", "linear"]
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)
    assert all(-1 <= n.w[0].data <= 1 for layer in model.layers for n in layer.neurons)
    tanh_model = MLP(3, [4, 1], activation="tanh", linear_output=False)
    assert [layer.neurons[0].activation for layer in tanh_model.layers] == ["tanh", "tanh"]


def test_reprs_are_readable():
    model = MLP(3, [4, 4, 1])
    assert repr(model) == (
        "MLP([Layer(3 -> 4, relu), Layer(4 -> 4, relu), Layer(4 -> 1, linear)], 41 parameters)"
    )
    assert repr(Neuron(3, "tanh")) == "Neuron(3, tanh)"


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [3, 1])
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_wrong_inputs_are_explained():
    with pytest.raises(ValueError, match="takes 3 inputs, got 2"):
        Neuron(3)([1.0, 2.0])
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        Neuron(3, "softplus")
    with pytest.raises(ValueError, match="at least one layer"):
        MLP(3, [])


@given(
    st.integers(1, 4),
    st.lists(st.integers(1, 4), min_size=1, max_size=3),
    st.sampled_from(["tanh", "relu", "sigmoid", "linear"]),
    st.integers(0, 10_000),
)
def test_mlp_gradients_match_finite_differences(nin, nouts, activation, seed):
    random.seed(seed)
    model = MLP(nin, nouts, activation=activation)
    rng = random.Random(seed + 1)
    xs = [Value(rng.uniform(-2, 2)) for _ in range(nin)]

    def build():
        out = model(xs)
        outs = out if isinstance(out, list) else [out]
        return sum((o * (i + 1) for i, o in enumerate(outs)), Value(0.0))

    report = gradient_check(build, model.parameters() + xs)
    assert report.ok, f"\n{report}"
    judged = [row for row in report.rows if not row.near_kink]
    assert judged, "every row was near a kink: the check judged nothing"

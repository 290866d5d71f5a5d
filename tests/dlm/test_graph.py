"""The model as a graph of layers: building, inspecting, the two passes, fan-out and sharing."""

from __future__ import annotations

import numpy
import pytest

import dlm
from dlm import gradcheck


@pytest.fixture
def float64():
    """Compute in float64 for the duration of the test."""
    dlm.set_default_dtype("float64")
    yield
    dlm.set_default_dtype("float32")


def _diamond(rng):
    """x -> a -> (b, c) -> Sum: the output of ``a`` feeds two layers (a fan-out)."""
    x = dlm.Input1D(3)
    a = dlm.Linear(3, 4, rng=rng)(x)
    t = dlm.Activation("tanh")(a)
    b = dlm.Linear(4, 2, rng=rng)(t)
    c = dlm.Linear(4, 2, rng=rng)(t)
    return dlm.Model(inputs=x, outputs=dlm.Sum()(b, c)), (x, a, t, b, c)


def test_chain_forward_is_the_composition_of_the_layers(float64):
    """A chain model computes L3(L2(L1(x))), and each node keeps its output o."""
    rng = numpy.random.default_rng(0)
    L1, L2, L3 = dlm.Input1D(3), dlm.Linear(3, 2, rng=rng), dlm.Activation("tanh")
    model = dlm.sequential(L1, L2, L3)
    x = rng.normal(size=(4, 3))
    expected = numpy.tanh(x @ L2.params["weight"].T + L2.params["bias"])
    numpy.testing.assert_allclose(model.forward(x), expected, rtol=1e-12)
    numpy.testing.assert_allclose(model[L2].o, x @ L2.params["weight"].T + L2.params["bias"])
    assert model[L1].o is not None and model[L3].o is not None


def test_nodes_edges_and_topological_order(float64):
    """Nodes come in topological order (each after its inputs) and edges list every connection."""
    model, (x, a, t, b, c) = _diamond(numpy.random.default_rng(0))
    nodes = model.nodes
    position = {id(n): k for k, n in enumerate(nodes)}
    assert len(nodes) == 6
    assert nodes[0].layer is x
    for source, target in model.edges:
        assert position[id(source)] < position[id(target)]
    assert len(model.edges) == 6  # x-a, a-t, t-b, t-c, b-sum, c-sum
    assert len(model.layers) == 6
    assert "Sum() <- 3, 4" in model.describe()


def test_fan_out_adds_the_impacts_of_both_consumers(float64):
    """One output feeding two layers receives the sum of both gradients."""
    rng = numpy.random.default_rng(1)
    model, (x, a, t, b, c) = _diamond(rng)
    data = rng.normal(size=(5, 3))
    dy = rng.normal(size=(5, 2))
    model.forward(data)
    model.backward(dy)
    Wb, Wc = b.layer.params["weight"], c.layer.params["weight"]
    numpy.testing.assert_allclose(t.dy, dy @ Wb + dy @ Wc, rtol=1e-12)
    numpy.testing.assert_allclose(b.delta, dy @ Wb, rtol=1e-12)


def test_model_gradcheck_with_fan_out_and_concat(float64):
    """A branching model passes the gradient check for its input and every parameter."""
    rng = numpy.random.default_rng(2)
    model, (x, a, t, b, c) = _diamond(rng)
    out = dlm.Concat()(model.outputs[0], a)
    model = dlm.Model(inputs=x, outputs=out)
    errors = gradcheck.check_model(model, rng.normal(size=(4, 3)), rng=rng)
    assert len(errors) == 1 + 6  # x, then weight and bias of three Linear layers
    assert max(errors.values()) < 1e-7


def test_a_shared_layer_adds_the_gradients_of_its_uses(float64):
    """A layer used at two places (shared weights) gets the sum of both weight gradients."""
    rng = numpy.random.default_rng(3)
    x = dlm.Input1D(3)
    shared = dlm.Linear(3, 3, rng=rng)
    h = shared(dlm.Activation("tanh")(shared(x)))
    model = dlm.Model(inputs=x, outputs=h)
    assert len(model.layers) == 3 and len(model.parameters()) == 2
    errors = gradcheck.check_model(model, rng.normal(size=(2, 3)), rng=rng)
    assert max(errors.values()) < 1e-7
    with pytest.raises(dlm.GraphError, match="used 2 times"):
        model.node(shared)


def test_several_inputs_and_outputs(float64):
    """A model with two inputs and two outputs takes and returns lists, and gradient-checks."""
    rng = numpy.random.default_rng(4)
    x1, x2 = dlm.Input1D(2), dlm.Input1D(3)
    joined = dlm.Concat()(x1, x2)
    y1 = dlm.Linear(5, 1, rng=rng)(joined)
    y2 = dlm.Activation("sigmoid")(joined)
    model = dlm.Model(inputs=[x1, x2], outputs=[y1, y2])
    a, b = rng.normal(size=(3, 2)), rng.normal(size=(3, 3))
    o1, o2 = model.forward([a, b])
    assert o1.shape == (3, 1) and o2.shape == (3, 5)
    errors = gradcheck.check_model(model, a, b, rng=rng)
    assert set(errors) >= {"x_1", "x_2"}
    assert max(errors.values()) < 1e-7


def test_a_graph_10000_layers_deep_runs_without_recursion(float64):
    """Building, ordering, forward and backward work on a chain of 10,000 layers."""
    x = dlm.Input1D(2)
    node = x
    for _ in range(10_000):
        node = dlm.Activation("tanh")(node)
    model = dlm.Model(inputs=x, outputs=node)
    assert len(model.nodes) == 10_001
    y = model.forward(numpy.ones((1, 2)))
    dx = model.backward(numpy.ones((1, 2)))
    assert y.shape == dx.shape == (1, 2)


def test_delta_and_dy_follow_the_blog_offset(float64):
    """A node's dy is the gradient at its output and delta the one at its input (δ^{k+1}, δ^k)."""
    rng = numpy.random.default_rng(5)
    L1, L2, L3 = dlm.Input1D(3), dlm.Linear(3, 2, rng=rng), dlm.Activation("sigmoid")
    model = dlm.sequential(L1, L2, L3)
    model.forward(rng.normal(size=(4, 3)))
    dx = model.backward(rng.normal(size=(4, 2)))
    assert model[L3].delta is model[L2].dy
    assert model[L2].delta is model[L1].dy
    assert model[L1].delta is dx


def test_zero_grad_train_eval_and_parameters(float64):
    """zero_grad clears every gradient; train/eval reach every layer; parameters lists each once."""
    rng = numpy.random.default_rng(6)
    model, _ = _diamond(rng)
    model.forward(rng.normal(size=(2, 3)))
    model.backward(numpy.ones((2, 2)))
    assert any(p.grad.any() for p in model.parameters())
    model.zero_grad()
    assert not any(p.grad.any() for p in model.parameters())
    assert len(model.parameters()) == 6
    model.eval()
    assert not any(layer.training for layer in model.layers)
    model.train()
    assert all(layer.training for layer in model.layers)


def test_graph_errors_name_the_problem():
    """Malformed graphs raise GraphError: a wrong number of inputs, an unfed node, bad data."""
    x = dlm.Input1D(2)
    with pytest.raises(
        dlm.GraphError, match=r"Linear\(in_features=2.*takes 1 input node\(s\), got 2"
    ):
        dlm.Linear(2, 2)(x, x)
    stray = dlm.Input1D(2)
    with pytest.raises(dlm.GraphError, match="not among the model's inputs"):
        dlm.Model(inputs=x, outputs=dlm.Sum()(x, stray))
    model = dlm.Model(inputs=x, outputs=dlm.Activation("relu")(x))
    with pytest.raises(dlm.GraphError, match="expected 1 gradients, got 2"):
        model.backward([numpy.ones((1, 2)), numpy.ones((1, 2))])
    with pytest.raises(dlm.GraphError, match="expected a Node or a Layer"):
        dlm.Activation("relu")("x")


def test_float32_by_default():
    """With the default dtype, float64 data enters as float32 and stays float32 to the output."""
    rng = numpy.random.default_rng(7)
    model = dlm.sequential(dlm.Input1D(3), dlm.Linear(3, 2, rng=rng), dlm.Activation("gelu"))
    y = model.forward(rng.normal(size=(4, 3)))
    assert y.dtype == numpy.float32
    assert model.backward(numpy.ones_like(y)).dtype == numpy.float32
    assert model.topological_order() == model.nodes

"""Shape arithmetic and laws, checked by hypothesis on many random cases."""

from __future__ import annotations

import numpy
from hypothesis import given, settings
from hypothesis import strategies as st

import dlm
from dlm.activation import sigmoid
from dlm.losses import log_softmax, softmax
from dlm.per_sample import linear_per_sample, per_sample_gradients

sizes = st.integers(min_value=1, max_value=6)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@given(N=sizes, C=sizes, seed=seeds, scale=st.floats(0.1, 500.0))
def test_softmax_rows_sum_to_one_and_ignore_shifts(N, C, seed, scale):
    """Softmax rows are probabilities summing to 1, unchanged by adding a constant to a row."""
    x = numpy.random.default_rng(seed).normal(size=(N, C)) * scale
    p = softmax(x)
    assert (p >= 0).all() and (p <= 1).all()
    numpy.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    numpy.testing.assert_allclose(log_softmax(x + 1000.0), log_softmax(x), atol=1e-9)


@given(N=sizes, C=sizes, seed=seeds)
def test_cross_entropy_gradient_rows_sum_to_zero(N, C, seed):
    """(softmax − onehot)/N: each row of the cross-entropy gradient sums to 0."""
    rng = numpy.random.default_rng(seed)
    loss = dlm.SoftmaxCrossEntropy()
    loss.forward(rng.normal(size=(N, C)), rng.integers(0, C, N))
    numpy.testing.assert_allclose(loss.backward().sum(axis=1), 0.0, atol=1e-12)


@given(N=sizes, i=sizes, o=sizes, seed=seeds)
def test_linear_shapes(N, i, o, seed):
    """Linear maps (N, in) to (N, out) and back; gradients have the parameters' shapes."""
    rng = numpy.random.default_rng(seed)
    layer = dlm.Linear(i, o, rng=rng)
    y = layer.forward(rng.normal(size=(N, i)).astype(numpy.float32))
    assert y.shape == (N, o) and y.dtype == numpy.float32
    assert layer.backward(numpy.ones_like(y)).shape == (N, i)
    assert layer.grads["weight"].shape == (o, i) and layer.grads["bias"].shape == (o,)


@given(widths=st.lists(sizes, min_size=1, max_size=4), N=sizes, seed=seeds)
def test_concat_widths_add_and_backward_splits(widths, N, seed):
    """Concat's width is the sum of the widths, and backward returns each input's own slice."""
    rng = numpy.random.default_rng(seed)
    xs = [rng.normal(size=(N, w)) for w in widths]
    layer = dlm.Concat()
    y = layer.forward(*xs)
    assert y.shape == (N, sum(widths))
    for x, dx in zip(xs, layer.backward(y), strict=True):
        numpy.testing.assert_array_equal(x, dx)


@given(seed=seeds, shape=st.tuples(sizes, sizes))
def test_sigmoid_symmetry_and_range(seed, shape):
    """sigmoid(−x) = 1 − sigmoid(x), in [0, 1], with no overflow warning even for |x| = 1000."""
    x = numpy.random.default_rng(seed).normal(size=shape) * 300
    numpy.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), atol=1e-15)
    assert ((sigmoid(x) >= 0) & (sigmoid(x) <= 1)).all()


@given(seed=seeds, shape=st.tuples(sizes, sizes))
def test_relu_is_idempotent_and_nonnegative(seed, shape):
    """relu(relu(x)) = relu(x) ≥ 0."""
    layer = dlm.Activation("relu")
    y = layer.forward(numpy.random.default_rng(seed).normal(size=shape))
    assert (y >= 0).all()
    numpy.testing.assert_array_equal(layer.forward(y), y)


@settings(deadline=None, max_examples=30)
@given(N=sizes, i=sizes, o=sizes, seed=seeds)
def test_per_sample_gradients_average_to_the_batch_gradient(N, i, o, seed):
    """The mean of the per-sample gradients is the batch gradient; Linear's closed form agrees."""
    dlm.set_default_dtype("float64")
    try:
        rng = numpy.random.default_rng(seed)
        L1, L2 = dlm.Input1D(i), dlm.Linear(i, o, rng=rng)
        model = dlm.sequential(L1, L2, dlm.Activation("tanh"))
        x, y = rng.normal(size=(N, i)), rng.normal(size=(N, o))
        per_sample = per_sample_gradients(model, dlm.MSE(), x, y)
        assert per_sample[L2, "weight"].shape == (N, o, i)
        loss = dlm.MSE()
        model.zero_grad()
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        for p in model.parameters():
            numpy.testing.assert_allclose(per_sample[p].mean(axis=0), p.grad, atol=1e-12)
        # dy of the batch pass is dy_n / N for each sample n: scale back to per-sample losses.
        closed = linear_per_sample(x, N * model[L2].dy)
        numpy.testing.assert_allclose(closed, per_sample[L2, "weight"], atol=1e-12)
    finally:
        dlm.set_default_dtype("float32")


@settings(deadline=None, max_examples=30)
@given(seed=seeds, count=st.integers(2, 12))
def test_random_dags_come_in_topological_order(seed, count):
    """On random DAGs of Sum nodes, every node comes after all the nodes that feed it."""
    rng = numpy.random.default_rng(seed)
    x = dlm.Input1D(2)
    nodes = [dlm.Activation("tanh")(x)]
    for _ in range(count):
        k = int(rng.integers(1, min(3, len(nodes)) + 1))
        parents = [nodes[j] for j in rng.choice(len(nodes), size=k, replace=False)]
        nodes.append(dlm.Sum()(*parents))
    model = dlm.Model(inputs=x, outputs=nodes[-1])
    seen = set()
    for node in model.nodes:
        assert all(id(p) in seen for p in node.inputs)
        seen.add(id(node))


@given(lr=st.floats(1e-4, 1.0), total=st.integers(1, 50), t=st.integers(0, 60))
def test_schedules_stay_in_bounds(lr, total, t):
    """Cosine decays from lr_0 to min_lr and stays there; step decay never rises."""
    cosine = dlm.CosineLR(dlm.SGD([], lr=lr), total_steps=total, min_lr=lr / 10)
    assert lr / 10 - 1e-15 <= cosine.lr_at(t) <= lr + 1e-15
    assert cosine.lr_at(t + 1) <= cosine.lr_at(t) + 1e-15
    assert (
        cosine.lr_at(total + 5) == numpy.float64(lr / 10)
        or abs(cosine.lr_at(total) - lr / 10) < 1e-15
    )
    step = dlm.StepLR(dlm.SGD([], lr=lr), step_size=3, gamma=0.5)
    assert step.lr_at(t + 1) <= step.lr_at(t)

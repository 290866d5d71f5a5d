"""The blog's running Example reproduces the articles' numbers (seed outline §1–§7, pitfall E1)."""

from __future__ import annotations

from fractions import Fraction

import numpy
import pytest

import dlm
from dlm.example import (
    EXAMPLE_LR,
    as_float,
    batch_epoch,
    example_data,
    example_model,
    sgd_epoch,
)


def _losses(model, x, y):
    loss = dlm.MSE()
    loss.forward(model.forward(x), y)
    return list(loss.sample_losses)


def test_forward_pass_gives_exactly_0_1_0():
    """Every layer's output: o1 = x, o2 = o3 = (0, 1, 0) exactly; the third patient is wrong."""
    model = example_model()
    x, y = example_data()
    L1, L2, L3 = model.layers
    o3 = model.forward(x)
    assert (model[L1].o == x).all()
    assert list(model[L2].o.ravel()) == [0, 1, 0]
    assert list(o3.ravel()) == [0, 1, 0]
    assert [bool(o >= 0.5) == bool(t) for o, t in zip(o3.ravel(), y.ravel(), strict=True)] == [
        True,
        True,
        False,
    ]
    assert _losses(model, x, y) == [0, 0, Fraction(1, 2)]


def test_backward_pass_of_the_third_patient():
    """Sample 3: δ4 = δ3 = −1, δ2 = δ1 = (−0.005, 2.5862e-4, −1.7241e-4), δw = −(0, 2000, 3000)."""
    model = example_model()
    x, y = example_data()
    L1, L2, L3 = model.layers
    loss = dlm.MSE()
    loss.forward(model.forward(x[2:3]), y[2:3])
    delta4 = loss.backward()
    delta1 = model.backward(delta4)
    assert delta4[0, 0] == -1
    assert model[L3].delta[0, 0] == -1
    expected = [Fraction(-1, 200), Fraction(3000, 11_600_000), Fraction(-1, 5800)]
    assert list(model[L2].delta.ravel()) == expected
    assert list(delta1.ravel()) == expected
    numpy.testing.assert_allclose(
        as_float(delta1).ravel(), [-0.005, 2.5862e-4, -1.7241e-4], rtol=1e-4
    )
    assert list(L2.grads["weight"].ravel()) == [0, -2000, -3000]


def test_one_epoch_of_per_sample_gradient_descent():
    """SGD at α = 1e-7: w = (0.005, −5.862069e-05, 4.7241379e-04), o3 = (0.43, 1, 1.3)."""
    model = example_model()
    x, y = example_data()
    assert sgd_epoch(model, x, y, EXAMPLE_LR) == [0, 0, Fraction(1, 2)]
    w = model.layers[1].params["weight"].ravel()
    assert w[1] == Fraction(2, 10_000) - Fraction(3000, 11_600_000)
    assert w[2] == Fraction(3, 10_000) + Fraction(1, 5800)
    numpy.testing.assert_allclose(as_float(w), [0.005, -5.862069e-05, 4.7241379e-04], rtol=1e-7)
    assert list(model.forward(x).ravel()) == [Fraction(43, 100), 1, Fraction(13, 10)]
    numpy.testing.assert_allclose(as_float(_losses(model, x, y)), [0.09245, 0, 0.045], atol=1e-12)


def test_one_full_batch_epoch():
    """Batch at α = 1e-7: Loss^avg = 1/6, w = (0.005, −1.9195402e-04, 2.7241379e-04)."""
    model = example_model()
    x, y = example_data()
    assert batch_epoch(model, x, y, EXAMPLE_LR) == Fraction(1, 6)
    w = as_float(model.layers[1].params["weight"]).ravel()
    numpy.testing.assert_allclose(w, [0.005, -1.9195402e-04, 2.7241379e-04], rtol=1e-7)
    o3 = model.forward(x).ravel()
    assert list(o3) == [Fraction(43, 300), 1, Fraction(13, 30)]
    numpy.testing.assert_allclose(as_float(o3), [0.143333, 1, 0.433333], atol=1e-6)
    numpy.testing.assert_allclose(
        as_float(_losses(model, x, y)), [0.010272, 0, 0.160556], atol=1e-6
    )


def test_pitfall_e1_float64_flips_the_kink_and_nothing_is_learnt():
    """In float64 the sums land just below 0, the ReLU slope is 0 and w stays unchanged (E1)."""
    x, y = example_data(exact=False)
    model = example_model(exact=False)
    model.forward(x)
    o2 = model[model.layers[1]].o.ravel()
    assert o2[0] < 0 and o2[2] < 0 and abs(o2[2]) < 1e-15
    w0 = model.layers[1].params["weight"].copy()
    sgd_epoch(model, x, y)
    numpy.testing.assert_array_equal(model.layers[1].params["weight"], w0)
    model = example_model(exact=False)
    batch_epoch(model, x, y)
    numpy.testing.assert_array_equal(model.layers[1].params["weight"], w0)


def test_exact_and_float_models_agree_away_from_the_kink():
    """On data away from the kink, exact and float64 models give the same outputs."""
    data = numpy.array([[10, 20, 30], [300, 1, 2]])
    exact = example_model().forward(numpy.array(data, dtype=object) + Fraction(0))
    floats = example_model(exact=False).forward(data.astype(numpy.float64))
    numpy.testing.assert_allclose(as_float(exact), floats, rtol=1e-14)


@pytest.mark.parametrize("exact", [True, False])
def test_the_example_graph_is_a_chain_of_three_layers(exact):
    """Input1D(3) -> Linear(3, 1, bias=False) -> ReLU, with the hand-picked weights."""
    model = example_model(exact)
    assert [type(layer).__name__ for layer in model.layers] == ["Input1D", "Linear", "Activation"]
    assert model.layers[1].params.keys() == {"weight"}
    numpy.testing.assert_allclose(
        as_float(model.layers[1].params["weight"]), [[1 / 200, -3000 / 11_600_000, 1 / 5800]]
    )

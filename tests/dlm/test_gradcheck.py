"""Every layer and loss of dlm, gradient-checked by central differences in float64.

One parametrised test runs the whole catalogue (``cases_core.CASES + cases_2d.CASES``): a random
upstream gradient, every entry of the input and of every parameter, and a relative error
||g - ĝ|| / (||g|| + ||ĝ||) below 1e-7. A meta-test fails when a layer or loss exported by ``dlm``
has no case.
"""

from __future__ import annotations

import inspect

import cases_2d
import cases_core
import numpy
import pytest

import dlm
from dlm import gradcheck

CASES = cases_core.CASES + cases_2d.CASES


@pytest.fixture
def float64():
    """Compute in float64 for the duration of the test."""
    dlm.set_default_dtype("float64")
    yield
    dlm.set_default_dtype("float32")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gradient_matches_central_differences(case, float64):
    """The input and parameter gradients agree with central differences, relative error < 1e-7."""
    rng = numpy.random.default_rng(11)
    unit = case.make(rng)
    inputs = case.make_input(rng)
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    if isinstance(unit, dlm.Loss):
        prediction, target = inputs
        errors = {"prediction": gradcheck.check_loss(unit, prediction, target)}
    else:
        unit.train() if case.phase == "train" else unit.eval()
        xs = tuple(numpy.asarray(x, dtype=numpy.float64) for x in inputs)
        errors = gradcheck.check_layer(unit, *xs, rng=rng)
    assert errors, "nothing was checked"
    for name, error in errors.items():
        assert error < 1e-7, f"{case.name}: gradient of {name} has relative error {error:.2e}"


def test_gradcheck_catches_a_wrong_backward(float64):
    """A layer whose backward forgets a factor fails the check by far (the check can fail)."""

    class Wrong(dlm.Activation):
        def backward(self, dy):
            return 2 * super().backward(dy)

    x = numpy.random.default_rng(0).normal(size=(3, 4))
    assert gradcheck.check_layer(Wrong("tanh"), x)["x"] > 0.1


def test_relative_error_is_scale_free_and_zero_for_zeros():
    """The relative error ignores a common scale and is 0 when both gradients are 0."""
    g = numpy.array([1.0, 2.0, 3.0])
    assert gradcheck.relative_error(g, 1.01 * g) == pytest.approx(
        gradcheck.relative_error(1e6 * g, 1.01e6 * g)
    )
    assert gradcheck.relative_error(numpy.zeros(3), numpy.zeros(3)) == 0.0


def test_numerical_gradient_of_a_square():
    """Central differences give d(x^2)/dx = 2x, and leave x as it was."""
    x = numpy.array([1.0, -2.0, 0.5])
    g = gradcheck.numerical_gradient(lambda: float((x**2).sum()), x)
    numpy.testing.assert_allclose(g, 2 * x, rtol=1e-8)
    numpy.testing.assert_array_equal(x, [1.0, -2.0, 0.5])


def _exported(base):
    return {
        obj
        for name in dlm.__all__
        if inspect.isclass(obj := getattr(dlm, name)) and issubclass(obj, base) and obj is not base
    }


def test_every_exported_layer_and_loss_has_a_case():
    """Each Layer and Loss subclass that ``dlm`` exports appears in the gradient-check catalogue."""
    rng = numpy.random.default_rng(0)
    covered = {type(case.make(rng)) for case in CASES}
    abstract = {dlm.Loss}
    missing = (_exported(dlm.Layer) | _exported(dlm.Loss)) - covered - abstract
    assert not missing, f"no gradient-check case for {sorted(c.__name__ for c in missing)}"

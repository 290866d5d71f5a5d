"""Bad input raises a dlm error naming the layer, the argument, the expectation and what came."""

from __future__ import annotations

import numpy
import pytest

import dlm


def test_wrong_number_of_dimensions():
    """A vector where a batch of vectors is expected: ShapeError with both shapes."""
    with pytest.raises(
        dlm.ShapeError,
        match=r"Linear\(in_features=3, out_features=2, bias=True\): x must have shape \(N, 3\), "
        r"got \(3,\)",
    ):
        dlm.Linear(3, 2).forward(numpy.ones(3, dtype=numpy.float32))


def test_wrong_number_of_features():
    """Five features where the layer expects three: ShapeError with both shapes."""
    with pytest.raises(
        dlm.ShapeError, match=r"Input1D\(features=3\): x must have shape \(N, 3\), got \(4, 5\)"
    ):
        dlm.Input1D(3).forward(numpy.ones((4, 5)))
    with pytest.raises(dlm.ShapeError, match=r"Linear\(in_features=3.*got \(4, 5\)"):
        dlm.Linear(3, 2).forward(numpy.ones((4, 5), dtype=numpy.float32))


@pytest.mark.parametrize("bad", [numpy.nan, numpy.inf, -numpy.inf])
def test_nan_or_inf_in_the_input(bad):
    """NaN or inf in the data: NonFiniteError naming the layer and the argument."""
    x = numpy.ones((2, 3))
    x[1, 2] = bad
    with pytest.raises(dlm.NonFiniteError, match=r"Input1D\(features=3\): x holds NaN or inf"):
        dlm.Input1D(3).forward(x)
    with pytest.raises(dlm.NonFiniteError, match=r"Activation\(kind='tanh'\): x holds NaN or inf"):
        dlm.Activation("tanh").forward(x)


def test_huge_finite_values_are_not_mistaken_for_inf():
    """Values whose sum overflows are still finite: no error, no warning."""
    x = numpy.full((2, 3), 1e308)
    assert dlm.Activation("relu").forward(x).shape == (2, 3)


def test_integer_dtype_where_floats_are_needed():
    """Integer data: DTypeError naming the dtype received."""
    with pytest.raises(
        dlm.DTypeError,
        match=r"Input1D\(features=3\): x must hold floats \(float32 or float64\), got dtype int64",
    ):
        dlm.Input1D(3).forward(numpy.ones((2, 3), dtype=numpy.int64))
    with pytest.raises(dlm.DTypeError, match=r"MSE\(\): target must hold floats"):
        dlm.MSE().forward(numpy.ones((2, 1)), numpy.ones((2, 1), dtype=numpy.int32))


def test_not_an_array():
    """A list where an array is expected: DTypeError."""
    with pytest.raises(dlm.DTypeError, match=r"Activation\(kind='relu'\): x must be an array"):
        dlm.Activation("relu").forward([1.0, 2.0])


def test_class_target_out_of_range():
    """A class index outside [0, C): TargetError with the range, the value and its index."""
    with pytest.raises(
        dlm.TargetError,
        match=r"SoftmaxCrossEntropy\(\): target must hold class indices in \[0, 4\), "
        r"got 4 at index 1",
    ):
        dlm.SoftmaxCrossEntropy().forward(numpy.zeros((3, 4)), numpy.array([0, 4, 1]))
    with pytest.raises(dlm.TargetError, match=r"got -1 at index 0"):
        dlm.SoftmaxCrossEntropy().forward(numpy.zeros((3, 4)), numpy.array([-1, 0, 1]))


def test_class_target_must_be_integers_of_shape_n():
    """Float class targets or a wrong target shape are refused with the expectation."""
    with pytest.raises(dlm.DTypeError, match=r"target must hold integer class indices, got float"):
        dlm.SoftmaxCrossEntropy().forward(numpy.zeros((3, 4)), numpy.zeros(3))
    with pytest.raises(dlm.ShapeError, match=r"target must have shape \(3,\), got \(3, 1\)"):
        dlm.SoftmaxCrossEntropy().forward(numpy.zeros((3, 4)), numpy.zeros((3, 1), dtype=int))


def test_bce_ranges():
    """BCE refuses targets outside [0, 1] (TargetError) and predictions that are not in [0, 1]."""
    with pytest.raises(dlm.TargetError, match=r"BCE\(\): target must lie in \[0, 1\], got 1.5"):
        dlm.BCE().forward(numpy.full((2, 1), 0.5), numpy.array([[0.0], [1.5]]))
    with pytest.raises(ValueError, match=r"BCE\(\): prediction must be probabilities .* got -0.2"):
        dlm.BCE().forward(numpy.array([[-0.2], [0.5]]), numpy.ones((2, 1)))


def test_loss_shapes_must_match():
    """A target whose shape differs from the prediction's: ShapeError with both shapes."""
    with pytest.raises(
        dlm.ShapeError, match=r"MSE\(\): target must have shape \(2, 3\), got \(2, 1\)"
    ):
        dlm.MSE().forward(numpy.zeros((2, 3)), numpy.zeros((2, 1)))


def test_merge_shapes_must_agree():
    """Sum needs equal shapes and Concat equal sizes off axis 1."""
    with pytest.raises(
        dlm.ShapeError, match=r"Sum\(\): x_2 must have shape \(2, 3\), got \(2, 4\)"
    ):
        dlm.Sum().forward(numpy.zeros((2, 3)), numpy.zeros((2, 4)))
    with pytest.raises(
        dlm.ShapeError, match=r"Concat\(\): x_2 must have shape \(2, \?, 5\), got \(3, 1, 5\)"
    ):
        dlm.Concat().forward(numpy.zeros((2, 1, 5)), numpy.zeros((3, 1, 5)))


def test_bad_constructor_arguments():
    """Bad layer and optimizer arguments are refused with the argument named."""
    with pytest.raises(ValueError, match=r"Activation\(kind='softplus'\): kind must be one of"):
        dlm.Activation("softplus")
    with pytest.raises(
        ValueError, match=r"Linear\(in_features=0, .*in_features must be a positive"
    ):
        dlm.Linear(0, 2)
    with pytest.raises(ValueError, match=r"Input1D\(features=-1\)"):
        dlm.Input1D(-1)
    with pytest.raises(ValueError, match=r"SGD\(lr=0\): lr must be positive"):
        dlm.SGD([], lr=0)
    with pytest.raises(ValueError, match=r"SGD\(momentum=1\.0\)"):
        dlm.SGD([], lr=0.1, momentum=1.0)
    with pytest.raises(TypeError, match=r"parameters must be dlm Parameters"):
        dlm.SGD([numpy.zeros(3)], lr=0.1)


def test_nan_made_inside_a_model_names_the_layer_it_reaches():
    """A model checks NaN and inf once, at its outputs; when that fails, the error names the
    first layer whose input went bad, as a layer run on its own would."""
    linear = dlm.Linear(3, 2)
    model = dlm.sequential(dlm.Input1D(3), linear, dlm.Activation("relu"), dlm.Linear(2, 1))
    x = numpy.ones((4, 3), dtype=numpy.float32)
    assert model.forward(x).shape == (4, 1)
    linear.params["weight"][0, 0] = numpy.inf  # the Linear layer now makes inf (and inf - inf)
    with pytest.raises(dlm.NonFiniteError, match=r"Activation\(kind='relu'\): x holds NaN or inf"):
        model.forward(x)
    x[2, 1] = numpy.nan
    with pytest.raises(dlm.NonFiniteError, match=r"Input1D\(features=3\): x holds NaN or inf"):
        model.forward(x)

"""The layer: the unit of every dlm model.

A layer has a hand-written forward pass and a hand-written backward pass::

    y = layer.forward(x)      # the information flow: o^k = L^k(o^{k-1})
    dx = layer.backward(dy)   # the learning flow: delta^k from delta^{k+1}

``forward`` keeps what ``backward`` needs (``self.cache``). ``backward`` returns the gradient with
respect to the input and *adds* into ``self.grads``, so that a layer used on several batches before
an update sums their impacts. ``zero_grad`` clears them.

``params`` and ``grads`` are dicts keyed ``"weight"`` and ``"bias"``, in PyTorch's shapes.
``train()`` and ``eval()`` switch between the training phase and the inferring phase.

Calling a layer on graph nodes builds a model (see ``dlm.graph``)::

    x = dlm.Input1D(3)
    h = dlm.Linear(3, 1)(x)          # a Node: this use of the layer in the graph
    y = dlm.Activation("relu")(h)
    model = dlm.Model(inputs=x, outputs=y)

Everything ``backward`` needs must live in ``self.cache``: the model saves and restores it per
node, which is what lets one layer (one set of weights) be used at several places in a graph.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import NamedTuple

import numpy

from dlm.backend import default_dtype, xp
from dlm.errors import DTypeError, GraphError, NonFiniteError, ShapeError


class Parameter(NamedTuple):
    """A reference to one parameter of a layer: what optimizers update, in place.

    It names the array instead of holding it, because ``zero_grad`` replaces the gradient arrays.
    """

    layer: Layer
    name: str

    @property
    def value(self):
        """The parameter array, ``layer.params[name]``."""
        return self.layer.params[self.name]

    @property
    def grad(self):
        """Its gradient, ``layer.grads[name]``."""
        return self.layer.grads[self.name]


class Layer:
    """Base class of every layer. Subclasses implement ``forward`` and ``backward``."""

    #: How many inputs ``forward`` takes (``Sum`` and ``Concat`` take several: ``None``).
    arity: int | None = 1

    def __init__(self) -> None:
        self.params: dict = {}
        self.grads: dict = {}
        self.training: bool = True
        self.cache = None

    # -- the two passes ----------------------------------------------------------------------

    def forward(self, x):
        """Compute the layer's output ``y`` from its input ``x``."""
        raise NotImplementedError(f"{type(self).__name__} has no forward pass")

    def backward(self, dy):
        """Return ``dx`` from ``dy``, adding the parameter gradients into ``self.grads``."""
        raise NotImplementedError(f"{type(self).__name__} has no backward pass")

    # -- the graph ---------------------------------------------------------------------------

    def __call__(self, *inputs):
        """Use the layer in a graph: return the ``Node`` that feeds ``inputs`` to this layer.

        Each input is a ``Node``, or a layer that stands for its own source node (an input layer,
        typically). Calling the same layer twice shares its weights between the two nodes.
        """
        from dlm.graph import Node, as_node

        if self.arity is not None and len(inputs) != self.arity:
            raise GraphError(
                f"{self.describe()}: takes {self.arity} input node(s), got {len(inputs)}"
            )
        if not inputs:
            raise GraphError(f"{self.describe()}: takes at least one input node, got none")
        return Node(self, tuple(as_node(i) for i in inputs))

    # -- phases and gradients ----------------------------------------------------------------

    def parameters(self) -> list[Parameter]:
        """The layer's parameters, for an optimizer: ``dlm.SGD(layer.parameters(), lr=0.1)``."""
        return [Parameter(self, name) for name in self.params]

    def train(self) -> Layer:
        """Enter the training phase (batch statistics, dropout on). Returns the layer."""
        self.training = True
        return self

    def eval(self) -> Layer:
        """Enter the inferring phase (running statistics, dropout off). Returns the layer."""
        self.training = False
        return self

    def zero_grad(self) -> None:
        """Set every parameter gradient to zero."""
        for name, value in self.params.items():
            self.grads[name] = xp.zeros_like(value)

    def _init_params(self, **params) -> None:
        """Register parameters and their zeroed gradients, in the default dtype."""
        for name, value in params.items():
            self.params[name] = xp.asarray(value, dtype=default_dtype())
        self.zero_grad()

    # -- naming and validation ---------------------------------------------------------------

    def describe(self) -> str:
        """The layer as it was built, for error messages: ``Linear(in_features=3, ...)``."""
        return f"{type(self).__name__}()"

    def __repr__(self) -> str:
        return self.describe()

    def _check_input(self, x, name: str = "x", shape: tuple | None = None, ndim: int | None = None):
        """Validate an input array at the layer's boundary and return it.

        ``shape`` is the expected shape, with ``None`` for a free size (the batch, say), and
        ``ndim`` the expected number of dimensions when the sizes are free. Raises a dlm error whose
        message names the layer, the argument, what was expected and what was received.
        """
        return check_array(self.describe(), x, name, shape, ndim)


def check_array(
    owner: str, x, name: str = "x", shape: tuple | None = None, ndim: int | None = None
):
    """Validate an array for ``owner`` (a layer or loss, as ``describe()`` writes it); return it.

    The checks of ``Layer._check_input``, as a function, so that losses and the model share them.
    An array of Python objects (``Fraction`` values, for exact arithmetic in the worked Example)
    passes the dtype and finiteness checks: only the shape is checked.
    """
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise DTypeError(f"{owner}: {name} must be an array, got {type(x).__name__}")
    if x.dtype.kind not in "fO":
        raise DTypeError(
            f"{owner}: {name} must hold floats (float32 or float64), got dtype {x.dtype}"
        )
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and x.ndim != ndim:
        raise ShapeError(
            f"{owner}: {name} must have shape {_format_shape(shape, ndim)}, got {tuple(x.shape)}"
        )
    if shape is not None:
        for expected, got in zip(shape, x.shape, strict=True):
            if not isinstance(expected, str) and expected is not None and expected != got:
                raise ShapeError(
                    f"{owner}: {name} must have shape {_format_shape(shape, ndim)}, "
                    f"got {tuple(x.shape)}"
                )
    if x.dtype.kind == "f" and _finite_checks.get():
        check_finite(owner, x, name)
    return x


def check_finite(owner: str, x, name: str = "x") -> None:
    """Raise ``NonFiniteError`` naming ``owner`` and ``name`` if ``x`` holds NaN or inf."""
    if not is_finite(x):
        raise NonFiniteError(f"{owner}: {name} holds NaN or inf")


def is_finite(x) -> bool:
    """Whether every number of ``x`` is finite.

    One cheap reduction on the fast path; the exact test only when it looks wrong. The sum of
    large finite values may overflow to inf: that is not an error, so numpy must not warn.
    """
    with numpy.errstate(over="ignore", invalid="ignore"):
        total_is_finite = bool(xp.isfinite(x.sum()))
    return total_is_finite or bool(xp.isfinite(x).all())


#: False while a ``Model`` runs the layers fed by other layers (see ``deferred_finite_checks``).
_finite_checks: contextvars.ContextVar[bool] = contextvars.ContextVar("finite_checks", default=True)


@contextlib.contextmanager
def deferred_finite_checks():
    """Within it, layers skip the NaN/inf check of their input; the caller checks instead.

    ``Model.forward`` runs the layers fed by other layers under it, then checks its outputs once
    (one pass over one small array instead of one pass over every activation of the step).
    """
    token = _finite_checks.set(False)
    try:
        yield
    finally:
        _finite_checks.reset(token)


def _format_shape(shape: tuple | None, ndim: int | None) -> str:
    """``(None, 3)`` reads ``(N, 3)``; a string entry names a free size: ``("N", 3, "H", "W")``."""
    if shape is None:
        return f"{ndim} dimensions"
    names = [("N" if i == 0 else "?") if s is None else str(s) for i, s in enumerate(shape)]
    return "(" + ", ".join(names) + ")"

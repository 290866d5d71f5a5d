"""Gradient checking: compare a hand-written backward pass with central finite differences.

A backward pass is a derivation written in code, and a derivation can be wrong. The check asks the
forward pass alone. Pick a random upstream gradient ``dy`` (so every output counts, with its own
weight) and look at the scalar

    f(x) = sum(dy * forward(x))

whose gradient with respect to ``x`` is exactly what ``backward(dy)`` claims to return. Perturb one
entry of ``x`` (or of a parameter) by ±h and take the central difference::

    df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2 h)        error O(h^2)

then compare the two gradients g (backward) and ĝ (numerical) by their relative error::

    err = ||g - ĝ|| / (||g|| + ||ĝ||)

which is scale-free: about 1e-10 in float64 for a correct layer, far above 1e-7 for a wrong one.
Run checks in float64 (``dlm.set_default_dtype("float64")``), and keep inputs away from kinks (ReLU
at 0, a max-pool tie), where the derivative jumps and finite differences straddle the jump.

Functions: ``numerical_gradient(f, x)``, ``relative_error(g, g_hat)``, ``check_layer(layer, *xs)``,
``check_model(model, *xs)`` and ``check_loss(loss, prediction, target)``; each check returns a
dict ``{"x": err, "weight": err, ...}`` (``"x_1"``, ``"x_2"``, ... for several inputs).
"""

from __future__ import annotations

import numpy

from dlm.backend import to_numpy, xp


def numerical_gradient(f, x, h: float = 1e-6):
    """The central-difference gradient of the scalar function ``f()`` with respect to the array
    ``x``, which ``f`` reads and which is perturbed in place (and restored), entry by entry."""
    grad = numpy.zeros(x.shape, dtype=numpy.float64)
    flat = x.reshape(-1)  # a view: writing into it perturbs x
    for i in range(flat.size):
        saved = flat[i].copy()
        flat[i] = saved + h
        f_plus = float(f())
        flat[i] = saved - h
        f_minus = float(f())
        flat[i] = saved
        grad.reshape(-1)[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(g, g_hat) -> float:
    """``||g - ĝ|| / (||g|| + ||ĝ||)``, and 0 when both are 0."""
    g = numpy.asarray(to_numpy(g), dtype=numpy.float64)
    g_hat = numpy.asarray(to_numpy(g_hat), dtype=numpy.float64)
    denominator = numpy.linalg.norm(g) + numpy.linalg.norm(g_hat)
    if denominator == 0:
        return 0.0
    return float(numpy.linalg.norm(g - g_hat) / denominator)


def _check(forward, backward, xs, params: dict, rng, h: float) -> dict:
    """Check ``backward`` against finite differences of ``forward`` for each input and param."""
    y = forward()
    outputs = y if isinstance(y, list) else [y]
    dys = [xp.asarray(rng.standard_normal(o.shape), dtype=o.dtype) for o in outputs]

    def f():
        ys = forward()
        ys = ys if isinstance(ys, list) else [ys]
        return sum(float((dy * o).sum()) for dy, o in zip(dys, ys, strict=True))

    forward()
    dxs, grads = backward(dys if isinstance(y, list) else dys[0])
    dxs = dxs if isinstance(dxs, list | tuple) else [dxs]
    errors = {}
    for k, (x, dx) in enumerate(zip(xs, dxs, strict=True)):
        name = "x" if len(xs) == 1 else f"x_{k + 1}"
        errors[name] = relative_error(dx, numerical_gradient(f, x, h))
    for name, value in params.items():
        errors[name] = relative_error(grads[name], numerical_gradient(f, value, h))
    return errors


def check_layer(layer, *xs, rng: numpy.random.Generator | None = None, h: float = 1e-6) -> dict:
    """Relative errors of ``layer.backward`` for each input and each parameter of ``layer``."""
    rng = numpy.random.default_rng(0) if rng is None else rng

    def backward(dy):
        layer.zero_grad()
        return layer.backward(dy), layer.grads

    return _check(lambda: layer.forward(*xs), backward, xs, layer.params, rng, h)


def check_model(model, *xs, rng: numpy.random.Generator | None = None, h: float = 1e-6) -> dict:
    """Relative errors of ``model.backward`` for each input and each parameter, the parameters
    named ``"<index>:<layer>.<name>"`` after the layer's index in ``model.layers``."""
    rng = numpy.random.default_rng(0) if rng is None else rng
    params, grads = {}, {}
    for k, layer in enumerate(model.layers):
        for name in layer.params:
            key = f"{k}:{type(layer).__name__}.{name}"
            params[key] = layer.params[name]
            grads[key] = (layer, name)

    def backward(dy):
        model.zero_grad()
        dx = model.backward(dy)
        return dx, {key: layer.grads[name] for key, (layer, name) in grads.items()}

    data = xs[0] if len(xs) == 1 else list(xs)
    return _check(lambda: model.forward(data), backward, xs, params, rng, h)


def check_loss(loss, prediction, target, h: float = 1e-6) -> float:
    """Relative error of ``loss.backward()`` with respect to the prediction."""
    loss.forward(prediction, target)
    g = loss.backward()
    return relative_error(
        g, numerical_gradient(lambda: loss.forward(prediction, target), prediction, h)
    )

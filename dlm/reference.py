"""Naive, loop-based references of the 2D layers: the readable version, and the tests' oracle.

Each function writes a layer's formulas as plain loops over the output neurons, exactly as the
articles state them. They are slow (pure Python loops) and meant for small inputs: the articles
explain them, and the tests compare the fast layers with them.

Shapes follow PyTorch: ``x: (N, C, H, W)``, kernels ``W: (O, C, KH, KW)``.
"""

from __future__ import annotations

import numpy

from dlm.grid import output_size


def conv2d_forward(x, W, b=None, stride=(1, 1), padding=(0, 0)):
    """``y[n, o, i, j] = b[o] + sum_{c, a, b'} W[o, c, a, b'] x_pad[n, c, i SH + a, j SW + b']``."""
    N, C, H, W_in = x.shape
    O, _, KH, KW = W.shape
    (SH, SW), (PH, PW) = stride, padding
    x_pad = numpy.pad(x, ((0, 0), (0, 0), (PH, PH), (PW, PW)))
    H_out, W_out = output_size(H, KH, SH, PH), output_size(W_in, KW, SW, PW)
    y = numpy.zeros((N, O, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for o in range(O):
            for i in range(H_out):
                for j in range(W_out):
                    window = x_pad[n, :, i * SH : i * SH + KH, j * SW : j * SW + KW]
                    y[n, o, i, j] = (window * W[o]).sum() + (0 if b is None else b[o])
    return y


def conv2d_backward(x, W, dy, stride=(1, 1), padding=(0, 0)):
    """Return ``(dx, dW, db)``: each output neuron sends its impact back through its window."""
    N, C, H, W_in = x.shape
    O, _, KH, KW = W.shape
    (SH, SW), (PH, PW) = stride, padding
    x_pad = numpy.pad(x, ((0, 0), (0, 0), (PH, PH), (PW, PW)))
    dx_pad = numpy.zeros_like(x_pad)
    dW = numpy.zeros_like(W)
    db = numpy.zeros(O, dtype=dy.dtype)
    for n in range(N):
        for o in range(O):
            for i in range(dy.shape[2]):
                for j in range(dy.shape[3]):
                    rows = slice(i * SH, i * SH + KH)
                    columns = slice(j * SW, j * SW + KW)
                    dx_pad[n, :, rows, columns] += dy[n, o, i, j] * W[o]
                    dW[o] += dy[n, o, i, j] * x_pad[n, :, rows, columns]
                    db[o] += dy[n, o, i, j]
    dx = dx_pad[:, :, PH : PH + H, PW : PW + W_in]
    return dx, dW, db


def _windows(H, W, kernel, stride, ceil_mode):
    """Yield ``(i, j, rows, columns)`` per pooling window (partial at the border in ceil mode)."""
    (KH, KW), (SH, SW) = kernel, stride
    for i in range(output_size(H, KH, SH, 0, ceil_mode)):
        for j in range(output_size(W, KW, SW, 0, ceil_mode)):
            rows = range(i * SH, min(i * SH + KH, H))
            columns = range(j * SW, min(j * SW + KW, W))
            yield i, j, rows, columns


def _pool_shape(x, kernel, stride, ceil_mode):
    N, C, H, W = x.shape
    (KH, KW), (SH, SW) = kernel, stride
    return (N, C, output_size(H, KH, SH, 0, ceil_mode), output_size(W, KW, SW, 0, ceil_mode))


def maxpool2d_forward(x, kernel=(2, 2), stride=(2, 2), ceil_mode=False):
    """Each output neuron is the maximum of its window. Returns ``(y, argmax)``.

    ``argmax[n, c, i, j]`` is the ``(row, column)`` of the first maximum of the window in
    row-major order: with ties, the first one wins, as in PyTorch.
    """
    N, C, H, W = x.shape
    y = numpy.zeros(_pool_shape(x, kernel, stride, ceil_mode), dtype=x.dtype)
    argmax = numpy.zeros(y.shape + (2,), dtype=numpy.int64)
    for n in range(N):
        for c in range(C):
            for i, j, rows, columns in _windows(H, W, kernel, stride, ceil_mode):
                best = None
                for r in rows:
                    for s in columns:
                        if best is None or x[n, c, r, s] > best:
                            best = x[n, c, r, s]
                            argmax[n, c, i, j] = (r, s)
                y[n, c, i, j] = best
    return y, argmax


def maxpool2d_backward(x, dy, kernel=(2, 2), stride=(2, 2), ceil_mode=False):
    """Each window's impact goes to its (first) maximum only; the other neurons get 0."""
    _, argmax = maxpool2d_forward(x, kernel, stride, ceil_mode)
    dx = numpy.zeros_like(x)
    N, C, H_out, W_out = dy.shape
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    r, s = argmax[n, c, i, j]
                    dx[n, c, r, s] += dy[n, c, i, j]
    return dx


def avgpool2d_forward(x, kernel=(2, 2), stride=(2, 2), ceil_mode=False):
    """Each output neuron is the mean of its window (of the cells inside the grid, in ceil mode)."""
    N, C, H, W = x.shape
    y = numpy.zeros(_pool_shape(x, kernel, stride, ceil_mode), dtype=x.dtype)
    for i, j, rows, columns in _windows(H, W, kernel, stride, ceil_mode):
        window = x[:, :, rows.start : rows.stop, columns.start : columns.stop]
        y[:, :, i, j] = window.mean(axis=(2, 3))
    return y


def avgpool2d_backward(x, dy, kernel=(2, 2), stride=(2, 2), ceil_mode=False):
    """Each neuron of a window of ``m`` cells receives ``dy / m``."""
    N, C, H, W = x.shape
    dx = numpy.zeros_like(x)
    for i, j, rows, columns in _windows(H, W, kernel, stride, ceil_mode):
        m = len(rows) * len(columns)
        dx[:, :, rows.start : rows.stop, columns.start : columns.stop] += (
            dy[:, :, i, j, None, None] / m
        )
    return dx


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Training-phase batch normalization, one feature (or channel) at a time, with loops.

    ``x: (N, F)`` normalises each feature over the batch; ``x: (N, C, H, W)`` each channel over the
    batch and its pixels. Returns ``y`` and the norm elements ``x'``.
    """
    features = x.shape[1]
    y, x_norm = numpy.zeros_like(x), numpy.zeros_like(x)
    for f in range(features):
        elements = x[:, f].reshape(-1)
        m = len(elements)
        mu = sum(elements) / m
        var = sum((e - mu) ** 2 for e in elements) / m  # biased
        sigma = numpy.sqrt(var + eps)  # eps inside the root
        x_norm[:, f] = (x[:, f] - mu) / sigma
        y[:, f] = gamma[f] * x_norm[:, f] + beta[f]
    return y, x_norm


def batchnorm_backward(x, gamma, dy, eps=1e-5):
    """Return ``(dx, d_gamma, d_beta)`` from the article's formulas, one feature at a time::

    dx_i = (gamma / sigma) (1/m) [m dy_i - sum_j dy_j - x'_i sum_j dy_j x'_j]
    """
    _, x_norm = batchnorm_forward(x, gamma, numpy.zeros_like(gamma), eps)
    features = x.shape[1]
    dx = numpy.zeros_like(x)
    d_gamma, d_beta = numpy.zeros(features), numpy.zeros(features)
    for f in range(features):
        elements, d, xn = x[:, f].reshape(-1), dy[:, f].reshape(-1), x_norm[:, f].reshape(-1)
        m = len(elements)
        sigma = numpy.sqrt(((elements - elements.mean()) ** 2).mean() + eps)
        d_beta[f] = d.sum()
        d_gamma[f] = (d * xn).sum()
        dx_f = gamma[f] / sigma / m * (m * d - d.sum() - xn * (d * xn).sum())
        dx[:, f] = dx_f.reshape(dx[:, f].shape)
    return dx, d_gamma, d_beta

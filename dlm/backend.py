"""The array backend: numpy by default, CuPy on request.

Every layer computes through ``xp``, never through ``numpy`` directly, so that the same layer code
runs on a CPU or a GPU::

    from dlm.backend import xp
    y = xp.maximum(x, 0)

``xp`` forwards each attribute to the active array module. The choice of module is explicit and
never silent: call ``dlm.use("cupy")``, or set ``DLM_BACKEND=cupy`` before importing dlm. Asking for
CuPy where it is not installed, or where no GPU is present, raises an error at once.

The default floating dtype is float32, as in PyTorch. ``dlm.set_default_dtype("float64")`` switches
to float64 for gradient checking and parity tests.
"""

from __future__ import annotations

import os
from types import ModuleType

import numpy

_BACKENDS = ("numpy", "cupy")
_active: ModuleType = numpy
_default_dtype = numpy.dtype(numpy.float32)


class _ArrayModule:
    """A stand-in for the active array module: ``xp.zeros`` is ``numpy.zeros`` or ``cupy.zeros``."""

    def __getattr__(self, name: str):
        return getattr(_active, name)

    def __repr__(self) -> str:
        return f"<dlm array module: {_active.__name__}>"


xp = _ArrayModule()


def use(name: str) -> None:
    """Select the array backend, ``"numpy"`` or ``"cupy"``.

    Raises ``ValueError`` for an unknown name and ``RuntimeError`` when CuPy cannot run here.
    Arrays made before the switch stay on their old device: move them with ``to_device``.
    """
    global _active
    if name not in _BACKENDS:
        raise ValueError(f"dlm.use(name): expected one of {_BACKENDS}, got {name!r}")
    if name == "numpy":
        _active = numpy
        return
    try:
        import cupy
    except ImportError as error:
        raise RuntimeError(
            "dlm.use('cupy'): CuPy is not installed; install cupy for your CUDA version"
        ) from error
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDA raises its own error types when no driver is present
        raise RuntimeError(f"dlm.use('cupy'): no usable GPU ({error})") from error
    if count == 0:
        raise RuntimeError("dlm.use('cupy'): CuPy is installed but no GPU is present")
    _active = cupy


def backend_name() -> str:
    """The name of the active backend: ``"numpy"`` or ``"cupy"``."""
    return _active.__name__


def to_device(array):
    """Move an array to the active backend (a no-op when it is already there)."""
    if _active is numpy:
        return (
            array.get() if hasattr(array, "get") and not isinstance(array, numpy.ndarray) else array
        )
    return _active.asarray(array)


def to_numpy(array) -> numpy.ndarray:
    """Return a numpy copy (or view) of an array from any backend, for plotting and saving."""
    if isinstance(array, numpy.ndarray):
        return array
    if hasattr(array, "get"):
        return array.get()
    return numpy.asarray(array)


def default_dtype() -> numpy.dtype:
    """The dtype of new parameters and of data converted by dlm (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Set the default floating dtype: ``"float32"`` (the default) or ``"float64"``."""
    global _default_dtype
    dtype = numpy.dtype(dtype)
    if dtype not in (numpy.float32, numpy.float64):
        raise ValueError(f"dlm.set_default_dtype(dtype): expected float32 or float64, got {dtype}")
    _default_dtype = dtype


_requested = os.environ.get("DLM_BACKEND")
if _requested:
    use(_requested)

"""The array backend: layers compute through ``xp``, the active array module, and never through
``numpy`` on a hot path, so that the same code runs on CuPy.

There is no GPU here, so the indirection is proved with a stand-in module: ``TaggingNumpy`` forwards
every attribute to numpy, counts the calls, and returns its arrays as ``Tagged``, a numpy subclass.
An array that a layer made through ``numpy`` directly comes out as a plain ``ndarray``, which is
exactly the array that would stay on the CPU (and fail) under CuPy.
"""

from __future__ import annotations

import ast
import collections
import sys
import types
from pathlib import Path

import cases_2d
import cases_core
import numpy
import pytest

import dlm
from dlm import backend

DLM = Path(dlm.__file__).resolve().parent


class Tagged(numpy.ndarray):
    """An array made by the stand-in backend (numpy ufuncs keep the subclass)."""


class TaggingNumpy(types.ModuleType):
    """numpy behind a counter: each function's array result comes back as ``Tagged``."""

    def __init__(self) -> None:
        super().__init__("taggingnumpy")
        self.calls: collections.Counter = collections.Counter()

    def __getattr__(self, name: str):
        value = getattr(numpy, name)
        if not callable(value) or isinstance(value, type):
            return value  # constants (inf), dtypes (float32), classes

        def call(*args, **kwargs):
            self.calls[name] += 1
            out = value(*args, **kwargs)
            return out.view(Tagged) if type(out) is numpy.ndarray else out

        return call


@pytest.fixture
def tagging(monkeypatch):
    """Make the stand-in the active backend, in float64, for one test."""
    module = TaggingNumpy()
    monkeypatch.setattr(backend, "_active", module)
    dlm.set_default_dtype("float64")
    yield module
    dlm.set_default_dtype("float32")


def _on_backend(value):
    """Move an input (an array or a tuple of arrays) to the active backend."""
    if isinstance(value, tuple):
        return tuple(_on_backend(v) for v in value)
    return backend.to_device(value)


def _moved(layer):
    """Move the arrays a catalogue case set by hand (random running statistics) to the backend."""
    for name, value in vars(layer).items():
        if isinstance(value, numpy.ndarray):
            setattr(layer, name, backend.to_device(value))
    for name in getattr(layer, "params", {}):
        layer.params[name] = backend.to_device(layer.params[name])
    if isinstance(layer, dlm.Layer):
        layer.zero_grad()
    return layer


LAYER_CASES = [c for c in cases_core.CASES + cases_2d.CASES if c.name.split()[0] in dlm.__all__]


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c.name for c in LAYER_CASES])
def test_every_layer_computes_on_the_active_backend(tagging, case):
    """Every catalogued layer and loss, run on the stand-in backend, returns backend arrays from
    forward and backward, and keeps its parameters and gradients there."""
    rng = numpy.random.default_rng(0)
    layer = _moved(case.make(rng))
    xs = _on_backend(case.make_input(rng))
    xs = xs if isinstance(xs, tuple) else (xs,)
    if isinstance(layer, dlm.Loss):
        prediction, target = xs
        layer.forward(prediction, target)
        dx = layer.backward()
        assert type(dx) is Tagged, f"{case.name}: backward returned {type(dx).__name__}"
        return
    getattr(layer, case.phase)()
    y = layer.forward(*xs)
    assert type(y) is Tagged, f"{case.name}: forward returned {type(y).__name__}"
    dx = layer.backward(backend.to_device(rng.normal(size=y.shape)))
    for d in dx if isinstance(dx, list | tuple) else [dx]:
        assert type(d) is Tagged, f"{case.name}: backward returned {type(d).__name__}"
    for name in layer.params:
        assert type(layer.params[name]) is Tagged, f"{case.name}: param {name} left the backend"
        assert type(layer.grads[name]) is Tagged, f"{case.name}: grad {name} left the backend"


def test_stand_in_backend_is_really_called(tagging):
    """The layers call the active module: a convolution's forward and backward go through it."""
    layer = dlm.Convolution2D(2, 3, 3, padding=1, rng=numpy.random.default_rng(0))
    assert tagging.calls["asarray"] >= 2  # weight and bias, made by _init_params
    before = sum(tagging.calls.values())
    x = backend.to_device(numpy.random.default_rng(1).normal(size=(2, 2, 5, 5)))
    layer.backward(layer.forward(x))
    assert sum(tagging.calls.values()) > before
    assert backend.backend_name() == "taggingnumpy"


@pytest.mark.parametrize("make", [lambda p: dlm.SGD(p, lr=0.1, momentum=0.9), dlm.Adam])
def test_optimizers_update_on_the_active_backend(tagging, make):
    """SGD (with momentum) and Adam update the parameters in place and keep them on the backend."""
    layer = dlm.Linear(3, 2, rng=numpy.random.default_rng(0))
    optimizer = make(layer)
    x = backend.to_device(numpy.ones((4, 3)))
    layer.backward(layer.forward(x))
    before = backend.to_numpy(layer.params["weight"]).copy()
    optimizer.step()
    for name in layer.params:
        assert type(layer.params[name]) is Tagged
    assert not numpy.array_equal(before, backend.to_numpy(layer.params["weight"]))


def test_fit_moves_each_batch_to_the_device(tagging):
    """``fit`` and ``evaluate`` hand the model batches moved by ``to_device``: the input layer's
    output, the last batch seen, is a backend array."""
    rng = numpy.random.default_rng(0)
    model = dlm.sequential(dlm.Input1D(3), dlm.Linear(3, 2, rng=rng))
    x, y = rng.normal(size=(10, 3)), rng.integers(0, 2, 10)
    reports = dlm.fit(
        model, dlm.SoftmaxCrossEntropy(), dlm.SGD(model, lr=0.1), (x, y), epochs=1,
        batch_size=4, rng=rng, test=(x, y), log=False,
    )  # fmt: skip
    assert type(model.nodes[0].o) is Tagged
    assert 0 <= reports[0]["test_accuracy"] <= 1


def test_to_numpy_returns_a_numpy_array(tagging):
    """``to_numpy`` turns a backend array into a plain numpy array, for plotting and saving."""
    a = backend.to_device(numpy.arange(3.0))
    assert type(a) is Tagged
    assert isinstance(backend.to_numpy(a), numpy.ndarray)
    assert backend.to_numpy(numpy.arange(2)).tolist() == [0, 1]


def test_numpy_is_the_default_backend():
    """Without ``DLM_BACKEND``, dlm computes with numpy, and ``xp`` names it."""
    assert backend.backend_name() == "numpy"
    assert "numpy" in repr(dlm.xp)
    assert dlm.xp.zeros(2).__class__ is numpy.ndarray


def test_use_numpy_is_accepted():
    """``dlm.use("numpy")`` selects numpy (a no-op here)."""
    dlm.use("numpy")
    assert backend.backend_name() == "numpy"


def test_unknown_backend_raises():
    """An unknown backend name raises, naming what is accepted."""
    with pytest.raises(ValueError, match=r"dlm.use\(name\): expected one of \('numpy', 'cupy'\)"):
        dlm.use("jax")
    assert backend.backend_name() == "numpy"


def test_cupy_without_cupy_or_gpu_raises_clearly(monkeypatch):
    """Asking for CuPy where it is not installed (or where no GPU is present) raises at once,
    saying why, and leaves numpy active: never a silent fallback."""
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes `import cupy` fail, as it does here
    with pytest.raises(RuntimeError, match=r"dlm.use\('cupy'\): CuPy is not installed"):
        dlm.use("cupy")
    assert backend.backend_name() == "numpy"


def test_cupy_without_gpu_raises_clearly(monkeypatch):
    """CuPy installed but no device: ``dlm.use("cupy")`` raises, and numpy stays active."""
    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDeviceCount=lambda: 0),
    )
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with pytest.raises(RuntimeError, match="CuPy is installed but no GPU is present"):
        dlm.use("cupy")
    assert backend.backend_name() == "numpy"


def test_environment_variable_selects_the_backend():
    """``DLM_BACKEND`` is read at import: an unknown name fails the import loudly."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", "import dlm"],
        env={"DLM_BACKEND": "tpu", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "expected one of ('numpy', 'cupy'), got 'tpu'" in result.stderr


# -- the static scan ------------------------------------------------------------------------------

#: Modules that are not layers, losses or optimizers: they run on the host by design (data
#: loading, exact-fraction examples, drawing, saving, the naive reference loops, the harness, and
#: data parallelism, whose processes share numpy memory and which refuses the CuPy backend).
HOST_MODULES = {
    "__init__", "backend", "datasets", "draw", "errors", "example", "gradcheck", "house", "io",
    "models", "parallel", "reference", "training",
}  # fmt: skip

#: ``numpy.X`` allowed on a hot path, and why.
ALLOWED = {
    # A context manager that silences numpy's floating-point warnings; CuPy never warns, so
    # on CuPy it does nothing, and the code under it still computes through xp.
    "errstate",
}

HOT = {"forward", "backward", "step", "zero_grad"}


def _numpy_names(tree: ast.Module) -> set[str]:
    """The names under which a module imports numpy (``numpy``, ``np``)."""
    names = {"numpy", "np"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname or a.name for a in node.names if a.name == "numpy"}
    return names


def stray_numpy_calls(path: Path) -> list[str]:
    """``file:line numpy.X`` for each use of numpy inside a hot method (or a module-level helper
    that is not ``__init__``), except the allow-list."""
    tree = ast.parse(path.read_text())
    numpy_names = _numpy_names(tree)
    found = []
    functions = [
        f
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef) and f.name not in ("__init__", "describe")
    ]
    for function in functions:
        if (
            function.name not in HOT
            and not function.name.startswith("_")
            and _is_method(tree, function)
        ):
            continue  # public non-hot methods (train, eval, parameters) are not on the hot path
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in numpy_names
                and node.attr not in ALLOWED
            ):
                found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    return sorted(set(found))


def _is_method(tree: ast.Module, function: ast.FunctionDef) -> bool:
    return any(isinstance(c, ast.ClassDef) and function in c.body for c in ast.walk(tree))


def _layer_modules() -> list[Path]:
    return sorted(p for p in DLM.glob("*.py") if p.stem not in HOST_MODULES)


def test_no_numpy_on_a_hot_path():
    """No layer, loss or optimizer module calls ``numpy.`` (or ``np.``) in forward, backward,
    step or a helper they use; they go through ``xp``. Type hints (``numpy.random.Generator`` in a
    signature) and constructors (``__init__``, drawing initial weights on the host) are allowed."""
    found = [hit for path in _layer_modules() for hit in stray_numpy_calls(path)]
    assert found == [], "numpy on a hot path (use dlm.backend.xp):\n" + "\n".join(found)


def test_the_scan_catches_a_stray_call(tmp_path):
    """The scan itself works: a layer whose backward calls ``np.zeros_like`` is reported, and the
    allow-listed ``numpy.errstate`` is not."""
    layer = tmp_path / "bad.py"
    layer.write_text(
        "import numpy as np\n"
        "class Bad:\n"
        "    def forward(self, x):\n"
        "        with np.errstate(over='ignore'):\n"
        "            return x\n"
        "    def backward(self, dy):\n"
        "        return np.zeros_like(dy)\n"
    )
    assert stray_numpy_calls(layer) == ["bad.py:7 np.zeros_like"]


def test_every_layer_module_is_scanned():
    """The scan covers the modules of every exported layer, loss and optimizer."""
    scanned = {p.stem for p in _layer_modules()}
    for name in dlm.__all__:
        value = getattr(dlm, name)
        if isinstance(value, type) and issubclass(value, dlm.Layer | dlm.Loss | dlm.Optimizer):
            assert value.__module__.split(".")[-1] in scanned, name

"""Saving and loading weights: dlm's own ``.npz`` files, and PyTorch ``state_dict``s.

``save_weights(model, path)`` writes every parameter of every layer, and the running statistics
of normalization layers, into one ``.npz`` file. Keys follow PyTorch's style, with the layer's
position among the model's layers that hold weights: ``"0.weight"``, ``"0.bias"``,
``"1.running_mean"``... ``load_weights(model, path)`` reads them back into a model of the same
architecture, checking every name and shape.

``load_torch_state_dict(model, state_dict)`` copies the weights of a PyTorch model whose layers
come in the same order (``dlm.models.torch_lenet5`` for ``dlm.models.lenet5``, say) into the dlm
model, so that both compute the same function and readers can compare them. Weights need no
reshaping: dlm keeps PyTorch's shapes ((out, in) for Linear, (out, in, kh, kw) for convolutions).
"""

from __future__ import annotations

import numpy

from dlm.backend import to_numpy, xp
from dlm.errors import ShapeError


def _stateful_layers(model) -> list:
    """The model's layers that hold parameters or running statistics, in topological order."""
    layers = model.layers if hasattr(model, "layers") else [model]
    return [layer for layer in layers if layer.params or hasattr(layer, "buffers")]


def state_dict(model) -> dict:
    """``{"0.weight": array, "0.bias": ..., "1.running_mean": ...}`` (numpy arrays)."""
    state = {}
    for k, layer in enumerate(_stateful_layers(model)):
        for name, value in layer.params.items():
            state[f"{k}.{name}"] = to_numpy(value)
        for name, value in getattr(layer, "buffers", dict)().items():
            state[f"{k}.{name}"] = to_numpy(value)
    return state


def save_weights(model, path) -> None:
    """Write the model's parameters and running statistics to the ``.npz`` file ``path``."""
    numpy.savez(path, **state_dict(model))


def load_weights(model, path) -> None:
    """Read weights written by ``save_weights`` into ``model`` (same architecture), in place."""
    with numpy.load(path) as data:
        _assign(model, [(key, data[key]) for key in data.files], source=str(path))


def load_torch_state_dict(model, torch_state_dict) -> None:
    """Copy a PyTorch ``state_dict`` into ``model``, layer by layer in order, in place.

    The PyTorch modules that hold weights must come in the same order as the dlm layers that do,
    with the same shapes; ``num_batches_tracked`` entries are ignored.
    """
    entries = []
    modules: dict[str, int] = {}
    for key, tensor in torch_state_dict.items():
        prefix, _, name = key.rpartition(".")
        if name == "num_batches_tracked":
            continue
        index = modules.setdefault(prefix, len(modules))
        entries.append((f"{index}.{name}", tensor.detach().cpu().numpy()))
    _assign(model, entries, source="the PyTorch state_dict")


def _assign(model, entries: list, source: str) -> None:
    """Check that ``entries`` match the model's state exactly, then copy them in."""
    expected = state_dict(model)
    layers = _stateful_layers(model)
    names = [key for key, _ in entries]
    if sorted(names) != sorted(expected):
        missing = sorted(set(expected) - set(names))
        unexpected = sorted(set(names) - set(expected))
        raise ShapeError(
            f"load: {source} does not match the model's layers: missing {missing}, "
            f"unexpected {unexpected}"
        )
    for key, value in entries:
        if value.shape != expected[key].shape:
            index, name = key.split(".")
            raise ShapeError(
                f"load: {layers[int(index)].describe()}: {name} must have shape "
                f"{expected[key].shape}, got {value.shape} from {source}"
            )
    for key, value in entries:
        index, name = key.split(".")
        layer = layers[int(index)]
        if name in layer.params:
            target = layer.params[name]
            target[...] = xp.asarray(value, dtype=target.dtype)
        else:
            current = getattr(layer, name)
            setattr(layer, name, xp.asarray(value, dtype=current.dtype))

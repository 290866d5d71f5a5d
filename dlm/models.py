"""Ready-made models: ``lenet5()``, the LeNet-5-style network for MNIST digits.

::

    Input2D(1, 28, 28)                                    x: (N, 1, 28, 28)
    Convolution2D(1, 6, 5)  [BatchNorm2D(6)]  ReLU        (N, 6, 24, 24)
    MaxPool2D(2)                                          (N, 6, 12, 12)
    Convolution2D(6, 16, 5) [BatchNorm2D(16)] ReLU        (N, 16, 8, 8)
    MaxPool2D(2)                                          (N, 16, 4, 4)
    Flatten()                                             (N, 256)
    Linear(256, 120) ReLU, Linear(120, 84) ReLU           (N, 84)
    Linear(84, 10)                                        logits: (N, 10)

The same network in PyTorch is ``torch_lenet5()`` (it needs torch), with the same layer order,
so that ``dlm.io.load_torch_state_dict`` maps one onto the other.

``train_lenet5()`` is dlm's recipe for MNIST's fixed 8,000/2,000 split (``dlm.datasets``):

- LeNet-5 with batch normalization after each convolution (``lenet5(batch_norm=True)``);
- Adam, learning rate 3e-3, decayed to 0 along half a cosine over the epochs (``CosineLR``,
  stepped once per epoch);
- batches of 64 digits, reshuffled every epoch;
- every training digit shifted at random by up to 1 pixel in each direction, anew at each epoch
  (``random_shifts``), so that the network cannot learn digits by their exact position;
- 20 epochs, seed 0.

``python bench/lenet_recipe.py`` runs it and prints one line per epoch and the final accuracy.
"""

from __future__ import annotations

import numpy

from dlm.activation import Activation
from dlm.conv import Convolution2D
from dlm.datasets import load_mnist, random_shifts
from dlm.flatten import Flatten
from dlm.graph import Model, sequential
from dlm.input2d import Input2D
from dlm.linear import Linear
from dlm.losses import SoftmaxCrossEntropy
from dlm.normalization import BatchNorm2D
from dlm.optim import Adam
from dlm.pooling import MaxPool2D
from dlm.schedules import CosineLR
from dlm.training import fit


def lenet5(
    rng: numpy.random.Generator | None = None, batch_norm: bool = False, image_size: int = 28
) -> Model:
    """The LeNet-5-style model above; ``batch_norm`` adds BatchNorm2D after each convolution.

    ``image_size`` other than 28 (56, say, for timing) changes the sizes after the convolutions
    and the first Linear layer takes ``16 s^2`` features, ``s = ((image_size - 4) // 2 - 4) // 2``.

    The first convolution is fed by the data, whose gradient nobody needs: it is told so
    (``needs_input_grad = False``), which saves its col2im in every training step.
    """
    rng = numpy.random.default_rng() if rng is None else rng
    conv1 = Convolution2D(1, 6, 5, rng=rng)
    conv1.needs_input_grad = False
    layers = [Input2D(1, image_size, image_size), conv1]
    if batch_norm:
        layers.append(BatchNorm2D(6))
    layers += [Activation("relu"), MaxPool2D(2), Convolution2D(6, 16, 5, rng=rng)]
    if batch_norm:
        layers.append(BatchNorm2D(16))
    layers += [
        Activation("relu"),
        MaxPool2D(2),
        Flatten(),
        Linear(_flat_size(image_size), 120, rng=rng),
        Activation("relu"),
        Linear(120, 84, rng=rng),
        Activation("relu"),
        Linear(84, 10, rng=rng),
    ]
    return sequential(*layers)


def _flat_size(image_size: int) -> int:
    """The number of features after the second pooling: 256 for 28x28 images."""
    side = ((image_size - 4) // 2 - 4) // 2
    return 16 * side * side


def torch_lenet5(batch_norm: bool = False, image_size: int = 28):
    """The same network as a ``torch.nn.Sequential`` (for comparisons; needs torch)."""
    import torch.nn as nn

    layers = [nn.Conv2d(1, 6, 5)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(6))
    layers += [nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(16))
    layers += [
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(_flat_size(image_size), 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    ]
    return nn.Sequential(*layers)


def train_lenet5(
    epochs: int = 20,
    lr: float = 3e-3,
    batch_size: int = 64,
    max_shift: int = 1,
    seed: int = 0,
    log=None,
) -> tuple[Model, list[dict]]:
    """Train LeNet-5 on the 8,000 training digits with the recipe above; return the model and
    the per-epoch reports of ``dlm.training.fit`` (test accuracy on the 2,000 test digits)."""
    rng = numpy.random.default_rng(seed)
    model = lenet5(rng, batch_norm=True)
    optimizer = Adam(model.parameters(), lr=lr)
    schedule = CosineLR(optimizer, total_steps=epochs)

    def augment(x, generator):
        return random_shifts(x, max_shift, generator) if max_shift else x

    reports = fit(
        model,
        SoftmaxCrossEntropy(),
        optimizer,
        load_mnist("train"),
        epochs,
        batch_size,
        rng,
        test=load_mnist("test"),
        schedule=schedule,
        augment=augment,
        log=log,
    )
    return model, reports

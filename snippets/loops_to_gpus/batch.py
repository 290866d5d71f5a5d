"""From Loops to GPUs: the images of a batch do not interact, so they can be computed in parallel.

LeNet-5 (``dlm.models.lenet5``, untrained, inferring phase) runs once on a batch of 16 digits,
and again on each digit alone. Row n of the batch's output equals the output of digit n alone, up
to float32 rounding (a matrix product may add its terms in another order for another shape). So
the work of a batch splits into independent pieces, one per image, and those pieces can run at
the same time: on the CPU's vector units, on several cores, or on a GPU's thousands of threads.
The training phase's batch normalization is the one exception: it mixes the images of a batch
through their mean and variance, which is why this model infers with it switched off (it has
none here).
"""

# %%
import numpy as np

import dlm
from dlm.models import lenet5
from dlm_site import publish

x, labels = dlm.load_mnist("test")
model = lenet5(np.random.default_rng(0)).eval()
batch = x[:16]
together = dlm.to_numpy(model.forward(batch))  # (16, 10)
alone = np.concatenate([dlm.to_numpy(model.forward(batch[n : n + 1])) for n in range(16)])
difference = float(np.abs(together - alone).max())
scale = float(np.abs(together).max())
print(f"largest |batch - alone| = {difference:.1e}, largest |output| = {scale:.2f}")
assert together.shape == alone.shape == (16, 10)
assert difference <= 1e-5 * max(scale, 1.0)

# Shuffling the batch shuffles the outputs the same way, and changes nothing else.
order = np.random.default_rng(1).permutation(16)
shuffled = dlm.to_numpy(model.forward(batch[order]))
assert np.abs(shuffled - together[order]).max() <= 1e-5 * max(scale, 1.0)

publish.value("n_batch", len(batch))
publish.value("difference", difference, ".0e")
publish.value("eps32", float(np.finfo(np.float32).eps), ".0e")

"""The Convolution Layer: dlm's own code, read from dlm/reference.py and dlm/conv.py at build time.

First the loop version of the backward pass, which is the article's derivation line for line, then
the lines of ``Convolution2D`` that do the same work as matrix products (im2col). The excerpts can
never drift from the code that runs; the assertions say which lines the article explains.
"""

import inspect
import sys
from pathlib import Path

from dlm.conv import Convolution2D
from dlm.reference import conv2d_backward

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers2d import excerpt  # noqa: E402

loops = excerpt(conv2d_backward, "for n in range(N):", "db[o] += dy[n, o, i, j]")
forward = excerpt(Convolution2D.forward, "W_mat = ", "y += self.params")
backward = excerpt(Convolution2D.backward, "if self.planes:", "db = ")
assert "dx_pad[n, :, rows, columns] += dy[n, o, i, j] * W[o]" in loops
assert "dW[o] += dy[n, o, i, j] * x_pad[n, :, rows, columns]" in loops
assert "cols = self._im2col(x, H_out, W_out)" in forward and "y = W_mat.T @ cols" in forward
assert "dW_mat = cols @ dy_mat.T" in backward
assert "self._col2im(dy, x.shape)" in inspect.getsource(Convolution2D.backward)
print("# dlm/reference.py, conv2d_backward: every output neuron sends its impact back")
print(loops)
print("\n# dlm/conv.py, Convolution2D.forward: every window is a column of cols")
print(forward)
print("\n# dlm/conv.py, Convolution2D.backward: the kernels' and biases' gradients")
print(backward)

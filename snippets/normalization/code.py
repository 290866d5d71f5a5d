"""The Normalization Layer: dlm's own code, read from dlm/normalization.py at build time.

The training branch of the forward pass (statistics, norm elements, running statistics) and the
backward pass, whose three lines are the article's three formulas. The excerpts can never drift
from the code that runs; the assertions say which lines the article explains.
"""

import inspect
import sys
from pathlib import Path

from dlm.normalization import BatchNorm1D

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers2d import excerpt  # noqa: E402

forward = excerpt(BatchNorm1D._normalise, "if self.training:", "self.running_var += ")
backward = excerpt(BatchNorm1D._normalise_backward, "d_beta = ")
# The article explains these steps; if they go, the article must be re-read.
assert "var + self.eps" in forward and "running_mean" in forward and "running_var" in forward
assert "if not training" in inspect.getsource(BatchNorm1D._normalise_backward)
assert "d_gamma" in backward and "dy * x_norm" in backward
print("# dlm/normalization.py, BatchNorm1D._normalise, the training phase")
print(forward)
print("\n# dlm/normalization.py, BatchNorm1D._normalise_backward")
print(backward)

"""The Normalization Layer: dlm's own code, read from dlm/normalization.py at build time.

The training branch of the forward pass (statistics, norm elements, running statistics) and the
backward pass, whose three lines are the article's three formulas. The excerpts can never drift
from the code that runs; the assertions say which lines the article explains.
"""

import sys
from pathlib import Path

from dlm.normalization import BatchNorm1D

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers2d import excerpt  # noqa: E402

forward = excerpt(BatchNorm1D._normalise, "if self.training:")
backward = excerpt(BatchNorm1D._normalise_backward, "d_beta = ")
# The article explains these steps; if they go, the article must be re-read.
assert "var + self.eps" in forward and "running_mean" in forward and "running_var" in forward
assert "d_gamma" in backward and "dy * x_norm" in backward and "if not training" in backward
print("# dlm/normalization.py, BatchNorm1D._normalise (x: one row per element, one column per")
print("# feature; BatchNorm2D passes its pixels as rows)")
print(forward)
print("\n# dlm/normalization.py, BatchNorm1D._normalise_backward")
print(backward)

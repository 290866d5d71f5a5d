"""The Max Pooling Layer: dlm's own code, read from dlm/reference.py and dlm/pooling.py.

The loop version of the backward pass (each window's δ to its recorded maximum), then the fast
layer's backward, which does the same for all windows at once, one window cell at a time.
"""

import sys
from pathlib import Path

from dlm.pooling import MaxPool2D
from dlm.reference import maxpool2d_backward

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers2d import excerpt  # noqa: E402

loops = excerpt(maxpool2d_backward, "for n in range(N):", "dx[n, c, r, s] += dy")
fast = excerpt(MaxPool2D.backward, "for k, (a, b) in enumerate", "xp.multiply(dy, winner == k")
assert "r, s = argmax[n, c, i, j]" in loops
assert "winner == k" in fast
print("# dlm/reference.py, maxpool2d_backward: each window's δ goes to its first maximum")
print(loops)
print("\n# dlm/pooling.py, MaxPool2D.backward: the same, one cell (a, b) of every window at once")
print(fast)

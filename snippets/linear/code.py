"""The Linear Layer: dlm's own forward and backward passes, read from dlm/linear.py at build time.

The article quotes this output, so the excerpt can never drift from the code that runs.
"""

import inspect

from dlm.linear import Linear

forward = inspect.getsource(Linear.forward)
backward = inspect.getsource(Linear.backward)
# The article explains these lines; if they change, the article must be re-read.
assert 'x @ self.params["weight"].T' in forward
assert "dy.T @ x" in backward and "dy.sum(axis=0)" in backward
assert 'return dy @ self.params["weight"]' in backward
print("# dlm/linear.py, class Linear")
print(inspect.cleandoc("\n" + forward) + "\n")
print(inspect.cleandoc("\n" + backward))

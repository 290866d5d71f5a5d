"""The Input 1D Layer: dlm's own forward and backward passes, read from dlm/input.py at build
time, so the excerpt the article shows can never drift from the code that runs.
"""

import inspect

from dlm.input import Input1D

forward = inspect.getsource(Input1D.forward)
backward = inspect.getsource(Input1D.backward)
# The article explains these lines; if they change, the article must be re-read.
assert "shape=(None, self.features)" in forward and "default_dtype()" in forward
assert backward.rstrip().endswith("return dy")
print("# dlm/input.py, class Input1D")
print(inspect.cleandoc("\n" + forward) + "\n")
print(inspect.cleandoc("\n" + backward))

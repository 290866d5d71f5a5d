"""The Activation Layer: dlm's own ReLU and the layer's two passes, read from dlm/activation.py
at build time, so the excerpt the article shows can never drift from the code that runs.
"""

import inspect

from dlm.activation import Activation, relu, relu_slope

sources = [
    inspect.getsource(f) for f in (relu, relu_slope, Activation.forward, Activation.backward)
]
# The article explains these lines; if they change, the article must be re-read.
assert "x >= 0" in sources[0] and "x >= 0" in sources[1]
assert "self.f(x)" in sources[2] and "dy * self.f_slope(x, y)" in sources[3]
print("# dlm/activation.py")
print("\n\n".join(inspect.cleandoc("\n" + s) for s in sources[:2]))
print("\n\n# class Activation")
print("\n\n".join(inspect.cleandoc("\n" + s) for s in sources[2:]))

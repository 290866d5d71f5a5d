"""The model: a directed acyclic graph of layers, run forward and backward.

Build it in the functional style: calling a layer on nodes returns a new ``Node``, one use of that
layer in the graph, and ``Model`` collects every node between its inputs and its outputs::

    x = dlm.Input1D(3)
    h = dlm.Linear(3, 1, bias=False)(x)
    y = dlm.Activation("relu")(h)
    model = dlm.Model(inputs=x, outputs=y)

Forward pass, in topological order (every node after the nodes that feed it)::

    o = layer.forward(o_parent_1, o_parent_2, ...)

Backward pass, in reverse order. A node's ``dy`` is the gradient of the loss with respect to its
output; when the output feeds several layers (fan-out), it impacts the loss along each path, and
the impacts add up::

    dy = sum over the consumers c of (c's gradient with respect to this input)
    delta = layer.backward(dy)

Each node keeps the values of its last passes, which the articles draw: ``o`` (its output, the
blog's o^k), ``dy`` (the gradient at its output, the blog's δ^{k+1}) and ``delta`` (the gradient at
its input, the blog's δ^k; a tuple for a layer with several inputs). Orders are computed with an
explicit stack, never recursion, so a graph 10,000 layers deep works.
"""

from __future__ import annotations

from collections.abc import Iterable

from dlm.errors import GraphError
from dlm.layer import Layer, Parameter, check_finite, deferred_finite_checks, is_finite


class Node:
    """One use of a layer in a graph: the layer, the nodes that feed it, the values that flowed."""

    def __init__(self, layer: Layer, inputs: tuple[Node, ...] = ()) -> None:
        self.layer = layer
        self.inputs = inputs
        self.o = None
        self.dy = None
        self.delta = None
        self.cache = None

    def __repr__(self) -> str:
        return f"Node({self.layer.describe()})"


def as_node(item: Node | Layer) -> Node:
    """A node as is; a layer stands for its source node (created once: a node with no inputs)."""
    if isinstance(item, Node):
        return item
    if isinstance(item, Layer):
        if getattr(item, "_source_node", None) is None:
            item._source_node = Node(item)
        return item._source_node
    raise GraphError(f"expected a Node or a Layer as a graph input, got {type(item).__name__}")


def _as_list(items) -> list:
    """One item or a sequence of items, as a list."""
    if isinstance(items, Node | Layer):
        return [items]
    return list(items)


def topological_order(outputs: Iterable[Node]) -> list[Node]:
    """Every node that ``outputs`` depend on, each after the nodes that feed it (iterative DFS)."""
    order: list[Node] = []
    done: set[int] = set()
    on_path: set[int] = set()
    for root in outputs:
        if id(root) in done:
            continue
        stack = [(root, iter(root.inputs))]
        on_path.add(id(root))
        while stack:
            node, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                stack.pop()
                on_path.discard(id(node))
                done.add(id(node))
                order.append(node)
            elif id(parent) in on_path:
                raise GraphError(f"the graph has a cycle through {parent!r}")
            elif id(parent) not in done:
                on_path.add(id(parent))
                stack.append((parent, iter(parent.inputs)))
    return order


class Model:
    """A directed acyclic graph of layers, from ``inputs`` (nodes or input layers) to outputs."""

    def __init__(self, inputs, outputs) -> None:
        self.inputs: list[Node] = [as_node(i) for i in _as_list(inputs)]
        self.outputs: list[Node] = [as_node(o) for o in _as_list(outputs)]
        #: Every node, in topological order.
        self.nodes: list[Node] = topological_order(self.outputs)
        for node in self.nodes:
            if not node.inputs and node not in self.inputs:
                raise GraphError(
                    f"Model: {node!r} has no input node and is not among the model's inputs"
                )
        for node in self.inputs:
            if node.inputs:
                raise GraphError(f"Model: input {node!r} is fed by other nodes")
            if node not in self.nodes:
                raise GraphError(f"Model: input {node!r} does not lead to any output")

    # -- inspection --------------------------------------------------------------------------

    def topological_order(self) -> list[Node]:
        """The nodes, each after the nodes that feed it: the order of the forward pass."""
        return list(self.nodes)

    @property
    def edges(self) -> list[tuple[Node, Node]]:
        """Every edge ``(source, destination)``: the output of ``source`` feeds ``destination``."""
        return [(parent, node) for node in self.nodes for parent in node.inputs]

    @property
    def layers(self) -> list[Layer]:
        """Every distinct layer, in topological order of first use."""
        seen: dict[int, Layer] = {}
        for node in self.nodes:
            seen.setdefault(id(node.layer), node.layer)
        return list(seen.values())

    def node(self, layer: Layer) -> Node:
        """The node of ``layer``, to read its ``o``, ``dy`` and ``delta``; it must be used once."""
        found = [node for node in self.nodes if node.layer is layer]
        if len(found) != 1:
            raise GraphError(f"Model.node: {layer!r} is used {len(found)} times in the graph")
        return found[0]

    def __getitem__(self, layer: Layer) -> Node:
        return self.node(layer)

    def describe(self) -> str:
        """One line per node: its index, its layer and the indices of the nodes feeding it."""
        index = {id(node): k for k, node in enumerate(self.nodes)}
        lines = []
        for k, node in enumerate(self.nodes):
            parents = ", ".join(str(index[id(p)]) for p in node.inputs) or "data"
            lines.append(f"{k}: {node.layer.describe()} <- {parents}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Model({len(self.nodes)} nodes)\n{self.describe()}"

    # -- the two passes ----------------------------------------------------------------------

    def forward(self, data):
        """Run the information flow; return the output (a list when there are several).

        ``data`` is the input array, or a list of arrays, one per model input.
        """
        data = list(data) if isinstance(data, list | tuple) else [data]
        if len(data) != len(self.inputs):
            raise GraphError(f"Model.forward: expected {len(self.inputs)} inputs, got {len(data)}")
        fed = {id(node): x for node, x in zip(self.inputs, data, strict=True)}
        # Layers fed by the data check it; inside the graph, one check of the outputs replaces
        # one per layer, and _find_non_finite names the layer only when it fails.
        for node in self.nodes:
            if node.inputs:
                with deferred_finite_checks():
                    node.o = node.layer.forward(*(parent.o for parent in node.inputs))
            else:
                node.o = node.layer.forward(fed[id(node)])
            node.cache = node.layer.cache
        outs = [node.o for node in self.outputs]
        for out in outs:
            if out.dtype.kind == "f" and not is_finite(out):
                self._find_non_finite()
        return outs[0] if len(outs) == 1 else outs

    def _find_non_finite(self) -> None:
        """Raise the error of the first layer whose input holds NaN or inf."""
        for node in self.nodes:
            for k, parent in enumerate(node.inputs, start=1):
                name = "x" if len(node.inputs) == 1 else f"x_{k}"
                check_finite(node.layer.describe(), parent.o, name)
        for node in self.outputs:
            check_finite(node.layer.describe(), node.o, "its output")

    __call__ = forward

    def backward(self, dy):
        """Run the learning flow from ``dy``, the gradient at the output(s); return the gradient
        at the input(s). Parameter gradients are added into each layer's ``grads``."""
        dys = list(dy) if isinstance(dy, list | tuple) else [dy]
        if len(dys) != len(self.outputs):
            raise GraphError(
                f"Model.backward: expected {len(self.outputs)} gradients, got {len(dys)}"
            )
        for node in self.nodes:
            node.dy = None
            node.delta = None
        for node, grad in zip(self.outputs, dys, strict=True):
            node.dy = grad if node.dy is None else node.dy + grad
        for node in reversed(self.nodes):
            if node.dy is None:
                continue  # this node does not impact the outputs
            node.layer.cache = node.cache
            node.delta = node.layer.backward(node.dy)
            if not node.inputs:
                continue  # a model input: its delta is the gradient with respect to the data
            deltas = (node.delta,) if len(node.inputs) == 1 else node.delta
            for parent, delta in zip(node.inputs, deltas, strict=True):
                parent.dy = delta if parent.dy is None else parent.dy + delta
        deltas = [node.delta for node in self.inputs]
        return deltas[0] if len(deltas) == 1 else deltas

    # -- parameters and phases ---------------------------------------------------------------

    def parameters(self) -> list[Parameter]:
        """Every parameter of every layer, each once, for an optimizer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        """Set every parameter gradient to zero."""
        for layer in self.layers:
            layer.zero_grad()

    def train(self) -> Model:
        """Put every layer in the training phase. Returns the model."""
        for layer in self.layers:
            layer.train()
        return self

    def eval(self) -> Model:
        """Put every layer in the inferring phase. Returns the model."""
        for layer in self.layers:
            layer.eval()
        return self


def sequential(*layers: Layer) -> Model:
    """A chain ``L1 -> L2 -> ... -> Ln`` as a model: the common case in one call."""
    node: Node | Layer = layers[0]
    for layer in layers[1:]:
        node = layer(node)
    return Model(inputs=layers[0], outputs=node)

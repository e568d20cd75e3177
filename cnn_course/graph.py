"""Walking a Functional graph backwards: which layer made a tensor, which tensors a layer was
called on, and the chain of layers between two tensors.

Keras has no public API for this, so this is the one module of the course that reads Keras's
private graph attributes (``_keras_history``, ``_inbound_nodes``, ``_outbound_nodes``); the
graders, the cost tables and the training helpers call it. Graders use it to find a block's
paths or branches by their role, so that the order in which a learner created the layers does
not matter.
"""

from __future__ import annotations


def producer(tensor):
    """The layer that produced `tensor` and the tensors it was called on; ``(None, [])`` for an input."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return None, []
    layer = history.operation
    return layer, list(layer._inbound_nodes[history.node_index].input_tensors)


def output_index(tensor) -> int:
    """Which of its layer's outputs `tensor` is."""
    return tensor._keras_history.tensor_index


def producer_name(tensor, default: str = "input") -> str:
    """The name of the layer (or input) that produced `tensor`."""
    history = getattr(tensor, "_keras_history", None)
    return history.operation.name if history else default


def inputs_of(layer, call: int = 0) -> list:
    """The tensors `layer` was called on, at its `call`-th call."""
    return list(layer._inbound_nodes[call].input_tensors)


def calls_back(outputs, stop=None):
    """Each call met on the way back from `outputs`, as (layer, call index, the tensors it was called on), every
    tensor once; not through the calls of `stop`."""
    seen, stack = set(), list(outputs)
    while stack:
        tensor = stack.pop()
        history = getattr(tensor, "_keras_history", None)
        if history is None or id(tensor) in seen or history.operation is stop:
            continue
        seen.add(id(tensor))
        inputs = list(history.operation._inbound_nodes[history.node_index].input_tensors)
        yield history.operation, history.node_index, inputs
        stack.extend(inputs)


def reused_layers(outputs) -> list:
    """Layers called more than once on the way to `outputs` (one layer object used in several
    places). Calls left behind by an earlier version of the graph (``Sequential.add`` rebuilds
    it) do not count: only the calls that lead to `outputs`."""
    calls = {}
    for layer, index, _ in calls_back(outputs):
        calls.setdefault(id(layer), (layer, set()))[1].add(index)
    return [layer for layer, indices in calls.values() if len(indices) > 1]


def operations(model) -> list:
    """Every layer and operation of a Functional model, ``x + y`` and ``keras.activations.relu(x)`` included."""
    return list(getattr(model, "operations", model.layers))


def op_name(operation) -> str | None:
    """The class name of an operation of ``keras.ops`` that is not a layer (``Add`` for the ``+`` of
    two tensors, ``Relu`` for ``keras.ops.relu``), else None."""
    kind = type(operation)
    return kind.__name__ if kind.__module__.startswith("keras.src.ops.") else None


def is_concatenation(operation) -> bool:
    """``layers.Concatenate()`` or ``keras.ops.concatenate``."""
    from keras import layers

    return isinstance(operation, layers.Concatenate) or op_name(operation) == "Concatenate"


def is_addition(operation) -> bool:
    """``layers.Add()`` or the ``+`` of two tensors (``keras.ops.add``)."""
    from keras import layers

    return isinstance(operation, layers.Add) or op_name(operation) == "Add"


def chain_back(tensor, stop=None) -> list:
    """Tensors from `tensor` (first) back along single-input layers (or `weightless_merge`s) to `stop`, a merge or
    an input."""
    chain = [tensor]
    while tensor is not stop:
        layer, inputs = producer(tensor)
        source = inputs[0] if layer is not None and len(inputs) == 1 else weightless_merge(tensor, stop)
        if layer is None or source is None:
            break
        tensor = source
        chain.append(tensor)
    return chain


def weightless_merge(tensor, stop=None, most: int = 8):
    """The one tensor that `tensor` is computed from by at most `most` weightless operations, some of several inputs
    (an activation spelled ``keras.ops.where(x > 6, 6, keras.ops.relu(x))`` or ``t * (keras.ops.sign(t) + 1) / 2``),
    else None. When reading through every operation meets several sources, a sum or a concatenation of several
    tensors is a source itself: the activation after a block's sum of its paths."""
    for through_merges in (True, False):
        sources, stack, steps = {}, list(producer(tensor)[1]), 0
        while stack and steps <= most:
            current = stack.pop()
            layer, inputs = producer(current)
            merge = not through_merges and (is_addition(layer) or is_concatenation(layer)) and len(inputs) > 1
            if current is stop or not inputs or getattr(layer, "weights", None) or merge:
                sources[id(current)] = current
            else:
                steps += 1
                stack += inputs
        if len(sources) == 1 and steps <= most:
            return next(iter(sources.values()))
    return None


def branch(tensor, source) -> list | None:
    """Layers on the single-input chain from `source` to `tensor` (input side first), a weightless merge as one
    model, or None when the chain merges or never reaches `source`."""
    import keras

    chain = chain_back(tensor, source)
    if chain[-1] is not source:
        return None
    layers = []
    for output, given in zip(reversed(chain[:-1]), reversed(chain[1:])):
        layer, inputs = producer(output)
        layers.append(layer if len(inputs) == 1 and inputs[0] is given else keras.Model(given, output))
    return layers


def _calls(layer, within=None) -> list:
    """The symbolic calls of `layer`, in order; with `within`, a model, only those in its graph (when it has one)."""
    graph = getattr(within, "_functional", None) or within
    nodes = {id(node) for depth in getattr(graph, "_nodes_by_depth", {}).values() for node in depth}
    return [node for node in getattr(layer, "_inbound_nodes", []) if not nodes or id(node) in nodes]


def call_arguments(layer, within=None) -> list[dict]:
    """The keyword arguments of each symbolic call of `layer`, in order (e.g. ``{"training": False, ...}``); with
    `within`, a model, only the calls in its graph (when it has one)."""
    return [dict(node.arguments.kwargs) for node in _calls(layer, within)]


def inputs_within(layer, within) -> list:
    """The tensors `layer` was called on in the model `within` (its first call there; [] when it has none)."""
    calls = _calls(layer, within)
    return list(calls[0].input_tensors) if calls else []


def call_tensors(operation) -> tuple[list, list]:
    """The input and output tensors of `operation`'s first call (of a model never called: its own)."""
    if not operation._inbound_nodes and getattr(operation, "outputs", None):
        return list(operation.inputs), list(operation.outputs)
    node = operation._inbound_nodes[0]
    return list(node.input_tensors), list(node.output_tensors)


def every_layer(layer):
    """`layer` and every layer inside it, nested models read through."""
    yield layer
    for inner in getattr(layer, "layers", ()):
        yield from every_layer(inner)


def nested_models(model) -> list:
    """The models inside `model`, at any depth (`model` itself left out)."""
    import keras

    return [layer for layer in every_layer(model) if layer is not model and isinstance(layer, keras.Model)]


def path_to(model, base):
    """The layers from one of `model`'s down to `base`, through nested models (``[base]`` when it is one of `model`'s
    own), or None when the model does not hold it."""
    import keras

    for layer in model.layers:
        if layer is base:
            return [base]
        inner = path_to(layer, base) if isinstance(layer, keras.Model) else None
        if inner:
            return [layer, *inner]
    return None


def head_layers(model, below) -> list:
    """The layers between `below`'s output and the model's output, in the model's order (input side first), through
    operations of several inputs too (a softmax written with keras.ops); [] for a subclassed model, which has no
    graph."""
    if not getattr(model, "outputs", None):
        return []
    reached = {id(layer) for layer, _, inputs in calls_back(model.outputs[:1], stop=below) if inputs}
    return [operation for operation in operations(model) if id(operation) in reached]

"""Reading a learner's Functional graph: which layer made a tensor, and the chain of layers
between two tensors. Graders use it to find a block's paths or branches by their role, so
that the order in which the learner created the layers does not matter."""

from __future__ import annotations


def producer(tensor):
    """The layer that produced `tensor`, and the tensors it was called on."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return None, []
    layer = history.operation
    return layer, list(layer._inbound_nodes[history.node_index].input_tensors)


def branch(tensor, source) -> list | None:
    """Layers on the single-input chain from `source` to `tensor` (input side first), or None
    when the chain merges or never reaches `source`."""
    chain = chain_back(tensor, source)
    if chain[-1] is not source:
        return None
    return [producer(t)[0] for t in reversed(chain[:-1])]


def chain_back(tensor, stop=None) -> list:
    """Tensors from `tensor` (first) back along single-input layers to `stop`, a merge or an input."""
    chain = [tensor]
    while tensor is not stop:
        layer, inputs = producer(tensor)
        if layer is None or len(inputs) != 1:
            break
        tensor = inputs[0]
        chain.append(tensor)
    return chain

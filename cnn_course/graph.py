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


def producer_name(tensor, default: str = "input") -> str:
    """The name of the layer (or input) that produced `tensor`."""
    history = getattr(tensor, "_keras_history", None)
    return history.operation.name if history else default


def inputs_of(layer, call: int = 0) -> list:
    """The tensors `layer` was called on, at its `call`-th call."""
    return list(layer._inbound_nodes[call].input_tensors)


def next_output(layer):
    """The output of the first layer called on `layer`'s output, or None when nothing follows it."""
    return layer._outbound_nodes[0].output_tensors[0] if layer._outbound_nodes else None


def call_count(layer) -> int:
    """How many times `layer` was called: more than 1 when one layer object is used in several places."""
    return len(getattr(layer, "_inbound_nodes", ()))


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


def branch(tensor, source) -> list | None:
    """Layers on the single-input chain from `source` to `tensor` (input side first), or None
    when the chain merges or never reaches `source`."""
    chain = chain_back(tensor, source)
    if chain[-1] is not source:
        return None
    return [producer(t)[0] for t in reversed(chain[:-1])]

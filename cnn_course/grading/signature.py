"""What a stack of layers computes, written as short tokens, and the first place two differ.

Equivalent spellings compare equal here, and only here: ``ReLU()``, ``Activation("relu")``,
``keras.ops.relu(x)`` and ``Conv2D(..., activation="relu")`` are all ``relu``, and a 1x1 convolution's padding is
ignored ("same" and "valid" compute the same with a 1x1 window).
"""

from __future__ import annotations

import numpy as np
from keras import layers

from cnn_course.graph import op_name, operations

# Activation functions applied as operations (keras.ops.relu(x), keras.activations.tanh(x), ...): class -> name.
_ACTIVATION_OPS = {"Relu": "relu", "Relu6": "relu(max_value=6)", "Tanh": "tanh", "Sigmoid": "sigmoid",
                   "Softmax": "softmax"}


def activation_name(layer) -> str | None:
    """The activation a layer or operation applies as its whole job, else None: ``ReLU()``,
    ``Activation("relu")``, ``keras.activations.relu(x)`` and ``keras.ops.relu(x)`` are all "relu";
    a capped or leaky ReLU says so (``ReLU(6.0)`` and ``Activation("relu6")`` are "relu(max_value=6)")."""
    if isinstance(layer, layers.Activation):
        name = getattr(layer.activation, "__name__", str(layer.activation))
        return "relu(max_value=6)" if name == "relu6" else name
    if op_name(layer) in _ACTIVATION_OPS:
        return _ACTIVATION_OPS[op_name(layer)]
    if isinstance(layer, layers.ReLU) or type(layer).__module__ == "keras.src.activations.activations":
        options = {key: getattr(layer, key, None) for key in ("max_value", "negative_slope", "threshold")}
        changed = [f"{key}={float(value):g}" for key, value in options.items() if value not in (None, 0)]
        return f"relu({', '.join(changed)})" if changed else "relu"
    return None


def is_relu(layer) -> bool:
    """``ReLU()``, ``Activation("relu")`` or ``keras.activations.relu(x)``: max(0, z), nothing else."""
    return activation_name(layer) == "relu"


def effective_padding(kernel_size, padding: str) -> str:
    """Padding as far as it matters: a 1x1 window needs none, so "same" is "valid" there."""
    return "valid" if tuple(kernel_size) == (1, 1) else padding


def conv_padding(layer) -> str:
    """A convolution layer's `effective_padding`."""
    return effective_padding(layer.kernel_size, layer.padding)


def _pair(values) -> str:
    return "x".join(map(str, values))


def _token(layer) -> str:
    kind = type(layer).__name__
    if isinstance(layer, layers.Conv2D):
        return (f"Conv2D({layer.filters}, {_pair(layer.kernel_size)}, strides {_pair(layer.strides)}, "
                f"{conv_padding(layer)}, bias={layer.use_bias})")
    if isinstance(layer, layers.Dense):
        return f"Dense({layer.units})"
    if isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D)):
        return f"{kind}({_pair(layer.pool_size)}, strides {_pair(layer.strides)}, {layer.padding})"
    if isinstance(layer, layers.ZeroPadding2D):
        sides = {side for pair in layer.padding for side in pair}
        return f"ZeroPadding2D({sides.pop() if len(sides) == 1 else layer.padding})"
    if isinstance(layer, layers.Softmax):
        return "softmax"
    if activation_name(layer):
        return activation_name(layer)
    if isinstance(layer, layers.Rescaling):
        return f"Rescaling({_number(layer.scale, as_fraction=True)}{_offset(layer.offset)})"
    return kind


def _number(value, as_fraction=False) -> str:
    """A scalar, or a per-channel array whose entries are all equal, as one short number."""
    values = np.unique(np.asarray(value, dtype="float64"))
    if values.size != 1:
        return str(np.asarray(value).tolist())
    number = float(values[0])
    if as_fraction and number and abs(1 / number - round(1 / number)) < 1e-6:
        return f"1/{round(1 / number)}"
    return f"{number:g}"


def _offset(offset) -> str:
    shown = _number(offset)
    return "" if shown == "0" else f", offset={shown}"


def layer_signature(model) -> list[str]:
    """The layers and operations that define what a model (or a list of layers) computes, as
    short tokens; a fused activation (``Dense(..., activation="softmax")``) is a token of its own."""
    tokens = []
    for layer in operations(model) if hasattr(model, "layers") else model:
        if isinstance(layer, layers.InputLayer):
            continue
        tokens.append(_token(layer))
        fused = getattr(getattr(layer, "activation", None), "__name__", None)
        if not isinstance(layer, layers.Activation) and fused not in (None, "linear"):
            tokens.append(fused)
    return tokens


def describe_difference(answer_tokens: list[str], reference_tokens: list[str]) -> str:
    """Name the first place where two layer signatures differ, in words ('' when equal).

    Steps count layers and fused activations (``Dense(..., activation="softmax")`` is two
    steps: ``Dense`` then ``softmax``).
    """
    for i, (got, want) in enumerate(zip(answer_tokens, reference_tokens)):
        if got != want:
            return f"step {i + 1} of the layer list: expected {want}, found {got}"
    if len(answer_tokens) < len(reference_tokens):
        missing = reference_tokens[len(answer_tokens)]
        if missing == "softmax" and len(answer_tokens) == len(reference_tokens) - 1:
            return "the model ends without a softmax: give the last Dense activation='softmax'"
        return f"missing layers after step {len(answer_tokens)}: expected {missing} next"
    if len(answer_tokens) > len(reference_tokens):
        return f"extra layers after step {len(reference_tokens)}: {answer_tokens[len(reference_tokens)]}"
    return ""

"""The graders' one reading of a chain of layers as the lecture's steps: a layer class the lecture names, or an
activation recognised by what it computes (``ReLU(6.0)``, ``keras.ops.clip(x, 0, 6)`` and a ``Lambda`` doing the same
are all "ReLU6"); nested models are read through, a fused activation is a step of its own, and a ``ZeroPadding2D``
before a depthwise convolution is part of its padding."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import keras
import numpy as np
from keras import layers

from cnn_course.graph import branch, call_arguments, call_tensors, op_name

# Layers that are steps of their own, whatever they compute.
STRUCTURAL = (layers.Conv2D, layers.DepthwiseConv2D, layers.SeparableConv2D, layers.Dense, layers.BatchNormalization,
               layers.MaxPooling2D, layers.AveragePooling2D, layers.GlobalAveragePooling2D, layers.GlobalMaxPooling2D,
               layers.ZeroPadding2D, layers.Flatten, layers.Dropout, layers.Rescaling, layers.InputLayer,
               layers.Reshape)
_POOLS = {"MaxPool": "MaxPooling2D", "AveragePool": "AveragePooling2D"}  # keras.ops.max_pool, keras.ops.average_pool
_PROBE_SIZE = 97


@dataclass
class Step:
    """One step of a chain: its word, the settings that matter (`token`), and the layers it is made of."""

    word: str
    token: str
    layers: list = field(default_factory=list)
    fused: bool = False


def expand(chain) -> list:
    """The chain with every nested model that is itself a chain (activations of several operations included)
    replaced by its own operations."""
    out = []
    for layer in chain:
        inside = _inside(layer)
        out += [layer] if inside is None else expand(inside)
    return out


def _inside(layer) -> list | None:
    """The layers of a nested model of one input and one output that are one chain between them (None for one that
    is not, or that is all one weightless merge: read as it is)."""
    if not isinstance(layer, keras.Model) or len(getattr(layer, "inputs", None) or ()) != 1 or \
            len(getattr(layer, "outputs", None) or ()) != 1:
        return None
    path = branch(layer.outputs[0], layer.inputs[0])
    whole = path is not None and len(path) == 1 and isinstance(path[0], keras.Model) and \
        path[0].outputs[0] is layer.outputs[0]
    return None if whole else path


def read(chain) -> list[Step]:
    """The steps of a chain of layers and operations (input side first)."""
    chain, steps, run = [op for op in expand(chain) if not isinstance(op, layers.InputLayer)], [], []
    for index, layer in enumerate(chain):
        if is_activation(layer):
            run.append(layer)
            continue
        steps += _activation_steps(run)
        run = []
        if zero_padding(layer) is not None and isinstance(padded(chain, index), layers.DepthwiseConv2D):
            continue  # part of the depthwise convolution's padding
        steps.append(Step(word(layer), token(layer), [layer]))
        fused = getattr(layer, "activation", None)
        if fused is not None and not isinstance(layer, layers.Activation):
            name = _named(lambda x, training, f=fused: np.asarray(f(x)), (1, _PROBE_SIZE))
            if name != "linear":
                steps.append(Step(name, name, [layer], fused=True))
    return steps + _activation_steps(run)


def padded(chain, index):
    """The layer that zero padding at `index` pads for: the next one past paddings and activations (ReLU6 of a
    padded zero is zero, and the outputs, compared later, tell an activation that is not zero at zero)."""
    return next((op for op in chain[index:] if zero_padding(op) is None and not is_activation(op)), None)


def words(chain) -> list[str]:
    return [step.word for step in read(chain)]


def tokens(chain) -> list[str]:
    """The steps' words with the settings that decide what they compute."""
    return [step.token for step in read(chain)]


def word(layer) -> str:
    """The class the lecture names a layer by (an activation layer alone: what it computes)."""
    if is_activation(layer):
        steps = _activation_steps([layer])
        return steps[0].word if steps else "linear"
    if zero_padding(layer) is not None:
        return "ZeroPadding2D"
    if pool := pooling(layer):
        return pool[0]
    if isinstance(layer, layers.Conv2D) and getattr(layer, "groups", 1) > 1:
        return "grouped Conv2D"
    for kind in (layers.SeparableConv2D, layers.DepthwiseConv2D, layers.Conv2D, layers.BatchNormalization):
        if isinstance(layer, kind):
            return kind.__name__
    return type(layer).__name__


def token(layer) -> str:
    """A layer's word with the settings that decide what it computes."""
    pair = lambda values: "x".join(map(str, values))  # noqa: E731
    if isinstance(layer, layers.DepthwiseConv2D):
        return f"DepthwiseConv2D({pair(layer.kernel_size)}, strides {pair(layer.strides)}, {layer.padding})"
    if isinstance(layer, layers.Conv2D):
        return (f"Conv2D({layer.filters}, {pair(layer.kernel_size)}, strides {pair(layer.strides)}, "
                f"{conv_padding(layer)}, bias={layer.use_bias})")
    if isinstance(layer, layers.Dense):
        return f"Dense({layer.units})"
    if pool := pooling(layer):
        kind, size, strides, padding = pool
        return f"{kind}({pair(size)}, strides {pair(strides)}, {padding})"
    pads = zero_padding(layer)
    if pads is not None:
        sides = {side for pair_ in pads for side in pair_}
        return f"ZeroPadding2D({sides.pop() if len(sides) == 1 else pads})"
    if isinstance(layer, layers.Rescaling):
        offset = _number(layer.offset)
        return f"Rescaling({_number(layer.scale, as_fraction=True)}{'' if offset == '0' else f', offset={offset}'})"
    return word(layer)


def zero_padding(layer) -> tuple | None:
    """((top, bottom), (left, right)) of a ZeroPadding2D or a ``keras.ops.pad`` of rows and columns, else None."""
    if isinstance(layer, layers.ZeroPadding2D):
        return tuple(map(tuple, layer.padding))
    if op_name(layer) != "Pad" or layer.mode != "constant":
        return None
    try:
        width = np.broadcast_to(np.asarray(layer.pad_width, dtype=int), (4, 2))
        if np.asarray(call_arguments(layer)[0].get("constant_values") or 0).any():
            return None
    except (ValueError, TypeError, IndexError):
        return None
    return None if width[0].any() or width[3].any() else tuple(map(tuple, width[1:3].tolist()))


def pooling(layer) -> tuple | None:
    """(the layer's word, pool size, strides, padding) of a 2-D pooling layer or a ``keras.ops`` pool, else None."""
    if isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D)):
        return type(layer).__name__, tuple(layer.pool_size), tuple(layer.strides), layer.padding
    if op_name(layer) not in _POOLS:
        return None
    size = tuple(np.broadcast_to(layer.pool_size, 2).tolist())
    strides = size if layer.strides is None else tuple(np.broadcast_to(layer.strides, 2).tolist())
    return _POOLS[op_name(layer)], size, strides, layer.padding.lower()


def conv_padding(layer) -> str:
    """A convolution's padding as far as it matters: a 1x1 window needs none, so "same" is "valid" there."""
    return "valid" if tuple(layer.kernel_size) == (1, 1) else layer.padding


# -- activations, by what they compute -------------------------------------------------------------
def is_activation(layer) -> bool:
    """A weightless, non-structural operation (or model) with one input that keeps its shape."""
    if isinstance(layer, STRUCTURAL) or pooling(layer) or getattr(layer, "weights", None):
        return False
    try:
        inputs, outputs = call_tensors(layer)
    except (AttributeError, IndexError):
        return isinstance(layer, (layers.ReLU, layers.Activation, layers.Softmax))
    return len(inputs) == 1 and len(outputs) == 1 and tuple(inputs[0].shape) == tuple(outputs[0].shape)


def _activation_steps(run) -> list[Step]:
    """What a run of weightless operations computes together, as one step (none when it is linear)."""
    if not run:
        return []
    functions = [_function(layer) for layer in run]
    name = _named(lambda x, training: functools.reduce(lambda value, function: function(value, training), functions,
                                                       x), _probe_shape(run[0]))
    return [] if name == "linear" else [Step(name, name, list(run))]


def _probe_shape(layer) -> tuple:
    try:
        shape = tuple(call_tensors(layer)[0][0].shape[1:])
        return (1, *shape) if shape and None not in shape else (1, _PROBE_SIZE)
    except (AttributeError, IndexError):
        return 1, _PROBE_SIZE


def _function(layer):
    if not isinstance(layer, keras.layers.Layer):  # an operation of keras.ops, maybe with constant arguments
        inputs, outputs = call_tensors(layer)
        layer = keras.Model(inputs[0], outputs[0])
    return lambda x, training: np.asarray(layer(x, training=training))


def _named(function, shape) -> str:
    """The activation ``function(x, training)`` computes on a probe of `shape` in both modes, by name; otherwise what
    it is made of."""
    # from -200 to 200, dense near 0: ReLU and ReLU6 differ, and so does what only acts on large values
    x = np.sinh(np.linspace(-6.0, 6.0, int(np.prod(shape)))).reshape(shape).astype("float32")
    try:
        y, while_training = (np.asarray(function(x, training), "float64") for training in (False, True))
    except Exception:  # an operation that cannot run alone on a probe: named by its class
        return "an operation the grader cannot evaluate"
    if y.shape != while_training.shape or not np.allclose(y, while_training, atol=1e-5):
        return "an activation that computes otherwise while training"
    x64 = x.astype("float64")
    exp = np.exp(x64 - x64.max(axis=-1, keepdims=True))
    with np.errstate(over="ignore"):
        known = {"linear": x64, "ReLU": np.maximum(x64, 0), "ReLU6": np.clip(x64, 0, 6), "tanh": np.tanh(x64),
                 "sigmoid": 1 / (1 + np.exp(-x64)), "softmax": exp / exp.sum(axis=-1, keepdims=True),
                 "swish": x64 / (1 + np.exp(-x64))}
    for name, value in known.items():
        if y.shape == value.shape and np.allclose(y, value, atol=1e-5):
            return name
    if y.shape == x64.shape:  # a scaling written as arithmetic (x / 255, a Lambda): not an activation
        scale, offset = np.polyfit(x64.ravel(), y.ravel(), 1)
        if abs(scale) > 1e-6 and np.allclose(y, scale * x64 + offset, atol=1e-5):
            scale, offset = _number(scale, as_fraction=True), _number(round(offset, 6) + 0.0)
            settings = scale + ("" if offset == "0" else f", offset={offset}")
            return f"a scaling x * {scale}{'' if offset == '0' else f' + {offset}'} (as a layer, Rescaling({settings}))"
    top = float(y.max())
    if y.shape == x64.shape and np.allclose(y, np.clip(x64, 0, top), atol=1e-5):
        return f"ReLU capped at {top:g}"
    return "an activation that is none of ReLU, ReLU6, tanh, sigmoid, softmax"


def _number(value, as_fraction=False) -> str:
    """A scalar, or a per-channel array whose entries are all equal, as one short number."""
    values = np.unique(np.asarray(value, dtype="float64"))
    if values.size != 1:
        return str(np.asarray(value).tolist())
    number = float(values[0])
    if as_fraction and number and abs(1 / number - round(1 / number)) < 1e-6 * abs(1 / number):  # float32's 1/255 too
        return f"1/{round(1 / number)}"
    return f"{number:g}"


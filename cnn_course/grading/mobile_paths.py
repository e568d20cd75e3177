"""Reading MobileNet's blocks: one chain of layers from the block's input, named step by step in
words ("DepthwiseConv2D", "BatchNormalization", "ReLU6"), with a readable message for each way a
learner's chain can differ from the lecture's. The graders of notebook 07 use it.

Equivalent spellings read the same: ``ReLU(6.0)``, ``ReLU(max_value=6)``, ``Activation("relu6")``,
``keras.activations.relu6(x)`` and ``keras.ops.relu6(x)`` are all "ReLU6"; a depthwise convolution's
padding is what it pads (a ``ZeroPadding2D`` right before it plus its own ``padding="same"``), so an
explicit padding and ``padding="same"`` are equal where they pad the same rows and columns.
"""

from __future__ import annotations

from typing import NamedTuple

from keras import layers

from cnn_course.grading.signature import activation_name
from cnn_course.graph import branch, chain_back, inputs_of, is_addition, producer

_CONVOLUTIONS = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
_FUSED = " (fused into the convolution)"
RELU6 = "MobileNet's activation is ReLU6, min(max(z, 0), 6): layers.ReLU(6.0)"


class Conv(NamedTuple):
    """What one convolution of a block should be; `filters_words` says where its filter count comes from."""

    role: str
    kernel: int
    stride: int
    filters: int | None = None
    filters_words: str = "`filters`"


def _word(layer) -> str:
    """A layer as a step of the chain: its class, or its activation ("ReLU6", "ReLU", "swish")."""
    for kind in (layers.SeparableConv2D, layers.DepthwiseConv2D, layers.Conv2D, layers.BatchNormalization):
        if isinstance(layer, kind):
            return kind.__name__
    return _activation_word(activation_name(layer)) or type(layer).__name__


def _activation_word(name: str | None) -> str | None:
    return {"relu(max_value=6)": "ReLU6", "relu6": "ReLU6", "relu": "ReLU"}.get(name, name)


def _is_activation(word) -> bool:
    """Activation words are "ReLU6", "ReLU" or a lower-case name; layers are capitalised class names."""
    return word is not None and (word.startswith("ReLU") or word[:1].islower())


def read_steps(chain) -> list[str]:
    """The chain's steps in words. An activation fused into a convolution (``activation="relu6"``) is a
    step of its own; a ZeroPadding2D right before a depthwise convolution is part of its padding."""
    steps = []
    for index, layer in enumerate(chain):
        if isinstance(layer, layers.ZeroPadding2D) and _pads_depthwise(chain, index):
            continue
        steps.append(_word(layer))
        fused = getattr(getattr(layer, "activation", None), "__name__", "linear")
        if _word(layer) in _CONVOLUTIONS and fused != "linear":
            steps.append(_activation_word(fused) + _FUSED)
    return steps


def _pads_depthwise(chain, index) -> bool:
    following = next((layer for layer in chain[index:] if not isinstance(layer, layers.ZeroPadding2D)), None)
    return isinstance(following, layers.DepthwiseConv2D)


def _step_advice(expected, found) -> str:
    if found == "SeparableConv2D":
        return ("SeparableConv2D fuses the depthwise and the pointwise convolution with nothing between them; the "
                "block puts BatchNormalization and ReLU6 after each: use DepthwiseConv2D, then a 1x1 Conv2D")
    if found and found.endswith(_FUSED):
        return "leave the convolution linear (no activation=): BatchNormalization comes before the activation"
    if expected == "DepthwiseConv2D" and found == "Conv2D":
        return ("an ordinary Conv2D mixes all the channels; the depthwise step is layers.DepthwiseConv2D(3, ...), "
                "one 3x3 filter per input channel")
    if expected == "ReLU6" and _is_activation(found):
        return RELU6
    if expected == "BatchNormalization":
        return "every convolution is followed by BatchNormalization" + (", then the activation"
                                                                         if _is_activation(found) else "")
    if expected == "ReLU6":
        return "each BatchNormalization except the projection's is followed by ReLU6"
    return ""


def check_steps(steps, want, report, what, advice=None) -> None:
    """Stop at the first step that differs from `want`, in words; ``advice(index, expected, found, steps)``
    may explain it better than the general advice."""
    if steps == want:
        return
    index = next((i for i, (a, b) in enumerate(zip(steps, want)) if a != b), min(len(steps), len(want)))
    expected = want[index] if index < len(want) else None
    found = steps[index] if index < len(steps) else None
    hint = (advice(index, expected, found, steps) if advice else "") or _step_advice(expected, found)
    where = f"step {index + 1} should be {expected}" if expected else f"the block should end after step {len(want)}"
    report.fail(f"{what}: {where}, found {found or 'nothing'} (your layers: {' -> '.join(steps) or 'none'})"
                + (f" -- {hint}" if hint else ""))


def check_convolutions(chain, specs, report, what) -> None:
    """Each convolution's kernel, stride, dilation, bias and filters, named by its role."""
    convolutions = [layer for layer in chain if _word(layer) in _CONVOLUTIONS]
    for layer, spec in zip(convolutions, specs):
        name = f"{what}: the {spec.role} convolution"
        kernel, strides = tuple(layer.kernel_size), tuple(layer.strides)
        report.precondition(kernel == (spec.kernel,) * 2, f"{name} is {kernel[0]}x{kernel[1]}; it should be "
                                                          f"{spec.kernel}x{spec.kernel}")
        report.precondition(strides == (spec.stride,) * 2 or spec.kernel > 1,
                            f"{name} has strides {strides}: the stride belongs to the 3x3 depthwise convolution; "
                            f"the 1x1 convolutions keep stride 1")
        report.precondition(tuple(layer.dilation_rate) == (1, 1),
                            f"{name} has dilation_rate={layer.dilation_rate}; keep 1")
        report.precondition(not layer.use_bias, f"{name} has a bias: MobileNet's convolutions have none "
                                                f"(use_bias=False) -- the BatchNormalization after each adds its "
                                                f"own offset, beta")
        if isinstance(layer, layers.DepthwiseConv2D):
            report.precondition(layer.depth_multiplier == 1, f"{name} has depth_multiplier={layer.depth_multiplier}: "
                                                             f"keep 1, one filter per input channel")
        elif spec.filters is not None:
            report.precondition(layer.groups == 1, f"{name} has groups={layer.groups}; keep 1")
            report.precondition(layer.filters == spec.filters, f"{name} has {layer.filters} filters, expected "
                                                               f"{spec.filters_words} = {spec.filters}")
    for layer, spec in zip(convolutions, specs):  # the depthwise stride last: a stride misplaced on a 1x1 says so
        report.precondition(tuple(layer.strides) == (spec.stride,) * 2,
                            f"{what}: the {spec.role} convolution has strides {tuple(layer.strides)}: it takes the "
                            f"block's stride, {spec.stride}")


def batch_norms(chain) -> list:
    return [layer for layer in chain if isinstance(layer, layers.BatchNormalization)]


def depthwise_padding(chain) -> tuple:
    """((top, bottom), (left, right)): what the chain's depthwise convolution pads, by ZeroPadding2D
    layers right before it and by its own padding="same" (which pads the extra row at the bottom)."""
    index = next(i for i, layer in enumerate(chain) if isinstance(layer, layers.DepthwiseConv2D))
    layer, pads = chain[index], [[0, 0], [0, 0]]
    while index > 0 and isinstance(chain[index - 1], layers.ZeroPadding2D):
        index -= 1
        for axis in (0, 1):
            pads[axis] = [a + b for a, b in zip(pads[axis], chain[index].padding[axis])]
    if layer.padding == "same":
        size = inputs_of(layer)[0].shape[1:3]
        for axis, (n, k, s) in enumerate(zip(size, layer.kernel_size, layer.strides)):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads[axis] = [pads[axis][0] + total // 2, pads[axis][1] + total - total // 2]
    return tuple(map(tuple, pads))


def check_padding(chain, reference_chain, stride, report, what) -> None:
    """The depthwise convolution pads the rows and columns the reference's does."""
    got, want = depthwise_padding(chain), depthwise_padding(reference_chain)
    sides = lambda pads: "top {}, bottom {}, left {}, right {}".format(*pads[0], *pads[1])  # noqa: E731
    advice = ("padding='same' keeps n_H and n_W" if stride == 1 else
              "before a stride-2 depthwise convolution keras.applications pads one row at the bottom and one column "
              "at the right, ZeroPadding2D(((0, 1), (0, 1))), and convolves with padding='valid' (padding='same' "
              "pads the same on an even input)")
    report.precondition(got == want, f"{what}: the depthwise convolution pads {sides(got)}; expected {sides(want)} "
                                     f"-- {advice}")


def split_residual(output, source, report, what):
    """(the chain of layers from `source`, whether `source` itself is added at the end) -- or stop with a
    message when the block is not one chain, or adds something else."""
    tensors = chain_back(output, source)
    if tensors[-1] is source:
        return branch(output, source), False
    layer, inputs = producer(tensors[-1])
    report.precondition(layer is not None and bool(inputs), f"{what}: the output does not come from the block's "
                                                            f"input: call the layers on x")
    report.precondition(is_addition(layer) and len(inputs) == 2,
                        f"{what}: the layers are joined by {type(layer).__name__}; the block is one chain of layers "
                        f"from x (in MobileNetV2 with x added at the end: layers.Add()([x_in, x]))")
    after = [producer(tensor)[0] for tensor in reversed(tensors[:-1])]
    report.precondition(not after, f"{what}: {' -> '.join(read_steps(after))} after the addition: the block's output "
                                   f"is the sum itself, the input plus the linear projection")
    report.precondition(sum(tensor is source for tensor in inputs) == 1,
                        f"{what}: the shortcut is the block's input itself -- add x unchanged, with no layer on the "
                        f"shortcut")
    main = branch(next(tensor for tensor in inputs if tensor is not source), source)
    report.precondition(main is not None, f"{what}: the residual branch should be one chain of layers from x")
    return main, True

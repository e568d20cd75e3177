"""Reading a residual network by role: a block's main path and shortcut, what follows the
addition, and a whole ResNet as stem, blocks and head -- with a readable message for each
way a learner's graph can differ from the lecture's. The graders of notebook 02 use it."""

from __future__ import annotations

from cnn_course.grading.signature import (
    activation_name,
    conv_padding,
    describe_difference,
    effective_padding,
    is_relu,
    layer_signature,
)
from cnn_course.graph import branch, chain_back, inputs_of, is_addition, next_output, operations, producer

FILTER_ADVICE = "check the filters (F1, F2, F3) of each convolution"
BIAS_ADVICE = ("your convolution has no bias (use_bias=False); batch norm would make it redundant, but this "
               "exercise follows keras.applications.ResNet50, whose convolutions keep the default use_bias=True")
AXIS_ADVICE = "BatchNormalization normalizes each channel: keep its default axis=-1 (the channels are last)"


def layer_kind(layer) -> str:
    """"conv", "bn", the activation ("relu", "relu(max_value=6)") or the class name."""
    from keras import layers

    if isinstance(layer, layers.Conv2D):
        return "conv"
    if isinstance(layer, layers.BatchNormalization):
        return "bn"
    return activation_name(layer) or type(layer).__name__


def main_and_shortcut(paths):
    """The main path is the one with more convolutions."""
    return sorted(paths, key=lambda p: -sum(layer_kind(layer) == "conv" for layer in p))


def split_block(output, source, report, what):
    """Split a block into (main path, shortcut), or stop with a readable message."""
    after = []
    tensor = output
    while True:
        layer, inputs = producer(tensor)
        report.precondition(layer is not None and tensor is not source,
                            f"{what}: no addition found -- the block must add the shortcut to the main path "
                            f"(layers.Add()([shortcut, x]))")
        if len(inputs) > 1:
            break
        after.insert(0, layer)
        tensor = inputs[0]
    report.precondition(is_addition(layer) and len(inputs) == 2,
                        f"{what}: the two paths are joined by {type(layer).__name__}; add them with layers.Add()"
                        f"([shortcut, x]) (or shortcut + x)")
    paths = [branch(t, source) for t in inputs]
    report.precondition(all(p is not None for p in paths),
                        f"{what}: each input of the Add must be one chain of layers starting from the block's input")
    report.require([layer_kind(layer) for layer in after] == ["relu"],
                   "ReLU after the addition: a[l+2] = g(z[l+2] + a[l])",
                   f"{what}: after the addition the block should apply exactly one ReLU, max(0, z), found "
                   f"{' -> '.join(layer_kind(layer) for layer in after) or 'nothing'}")
    return main_and_shortcut(paths)


def check_path(path, expected, report, what, where):
    """Compare a path's (kind, kernel, stride, padding) sequence with the expected one, in words."""
    got = [layer_kind(layer) for layer in path]
    want = [kind for kind, *_ in expected]
    if got != want:
        if got and want and is_relu(path[-1]) and want[-1] == "bn":
            if where == "main path":
                report.fail(f"{what}: the {where} ends with a ReLU before the addition -- the shortcut is added "
                            f"after the ReLU; add it to the last BatchNormalization's output and apply the ReLU "
                            f"after the Add")
            report.fail(f"{what}: the {where} ends with a ReLU: the shortcut is {' -> '.join(want)}, with no ReLU "
                        f"of its own (the one ReLU comes after the addition)")
        report.fail(f"{what}: the {where} should be {' -> '.join(want) or 'the input itself'}, "
                    f"found {' -> '.join(got) or 'the input itself'}")
    for layer, (kind, kernel, stride, padding) in zip(path, expected):
        if kind != "conv":
            continue
        fused = getattr(layer.activation, "__name__", "linear")
        report.precondition(fused == "linear", f"{what}: a convolution on the {where} applies activation='{fused}' "
                                               f"itself; leave it linear -- the ReLU comes after the batch norm")
        report.precondition(tuple(layer.dilation_rate) == (1, 1),
                            f"{what}: a convolution on the {where} has dilation_rate={layer.dilation_rate}; keep 1")
        has = (tuple(layer.kernel_size), tuple(layer.strides), conv_padding(layer))
        if has != ((kernel, kernel), (stride, stride), effective_padding((kernel, kernel), padding)):
            report.fail(f"{what}: a convolution on the {where} is {has[0][0]}x{has[0][1]}, stride {has[1][0]}, "
                        f"padding '{layer.padding}'; expected {kernel}x{kernel}, stride {stride}, padding '{padding}'")


def check_layer_options(path, report, what):
    """Options that change the weights' shapes but not the filters: name them before the weights are compared."""
    from keras import layers

    for layer in path:
        if isinstance(layer, layers.Conv2D) and not layer.use_bias:
            report.fail(f"{what}: {BIAS_ADVICE}")
        if isinstance(layer, layers.BatchNormalization) and layer.axis not in (-1, 3, [3], [-1]):
            report.fail(f"{what}: BatchNormalization(axis={layer.axis}): {AXIS_ADVICE}")
        if isinstance(layer, layers.BatchNormalization) and not (layer.center and layer.scale):
            report.fail(f"{what}: BatchNormalization(center={layer.center}, scale={layer.scale}): keep the defaults "
                        f"center=True and scale=True -- its learned offset beta and scale gamma")


def bottleneck_block_main(f, s):
    """The main path of ResNet's bottleneck block: 1x1 (stride s), f x f "same", 1x1, the last without ReLU."""
    bn, relu = ("bn", None, None, None), ("relu", None, None, None)
    return [("conv", 1, s, "valid"), bn, relu, ("conv", f, 1, "same"), bn, relu, ("conv", 1, 1, "valid"), bn]


def residual_parts(model, report, what):
    """Split a residual network into stem layers, blocks (main path, shortcut) and head layers."""
    source = model.inputs[0]
    adds = [operation for operation in operations(model) if is_addition(operation)]
    report.precondition(bool(adds), f"{what} has no Add layer: build it from your identity and convolutional blocks")
    parts, block_inputs = [], []
    for number, add in enumerate(adds, start=1):
        following = next_output(add)
        after = producer(following)[0] if following is not None else None
        report.precondition(after is not None and is_relu(after),
                            f"{what}, block {number}: after the addition apply a ReLU, a[l+2] = g(z[l+2] + a[l]); "
                            f"found {layer_kind(after) if after is not None else 'nothing'}")
        a, b = inputs_of(add)
        chain_a, chain_b = chain_back(a, source), chain_back(b, source)
        block_input = next((t for t in chain_a if any(t is u for u in chain_b)), None)
        report.precondition(block_input is not None,
                            f"{what}: the two inputs of {add.name} do not start from one tensor")
        parts.append(main_and_shortcut([branch(a, block_input), branch(b, block_input)]))
        block_inputs.append(block_input)
    stem = branch(block_inputs[0], source) or []
    last_out = next_output(adds[-1])
    head = branch(model.outputs[0], last_out) if last_out is not None else None
    report.precondition(head is not None, f"{what}: after the last block expect the ReLU's output to feed the head")
    return stem, parts, head


def path_spec(path) -> list[tuple]:
    """(kind, kernel, stride, padding) of each layer of a reference path, for `check_path`."""
    return [(layer_kind(layer), layer.kernel_size[0], layer.strides[0], conv_padding(layer))
            if layer_kind(layer) == "conv" else (layer_kind(layer), None, None, None) for layer in path]


_ENDS = {"stem": "ZeroPadding2D(3), 7x7 conv with stride 2, BN, ReLU, ZeroPadding2D(1), 3x3 max-pool with stride 2",
         "head": "global average pooling, then the softmax Dense"}


def check_ends(stem, ref_stem, head, ref_head, report, what):
    """The stem and the head, layer by layer (the first difference named)."""
    for part, got, want in (("stem", stem, ref_stem), ("head", head, ref_head)):
        difference = describe_difference(layer_signature(got), layer_signature(want))
        report.precondition(not difference, f"{what}, {part}: {difference} (the {part}: {_ENDS[part]})")


def block_types(parts) -> list[str]:
    return ["conv" if any(layer_kind(layer) == "conv" for layer in shortcut) else "identity" for _, shortcut in parts]

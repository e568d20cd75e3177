"""Graders of notebook 02, the residual networks assignment.

A residual block is checked by *role*, not by the order its layers were created in: the
grader follows the learner's graph back from the addition to the input, finds the main
path and the shortcut, checks each convolution's kernel, stride and padding and the place
of every ReLU, then loads the reference block's weights role by role and compares the
outputs in training and inference mode. So creating the shortcut after the main path, or
writing ``Add()([x, shortcut])``, is accepted, as it computes the same function.
"""

from __future__ import annotations

from cnn_course import blocks
from cnn_course.grading.core import (
    Report,
    compare_outputs,
    copy_weights_by_role,
    fixed_inputs,
    grader,
    randomize_weights,
)
from cnn_course.grading.graph import branch, chain_back, producer

_FILTER_ADVICE = "check the filters (F1, F2, F3) of each convolution"
# Advice when the learner's Add fails on mismatched shapes.
_SHAPE_HINTS = [("incompatible shapes", "both paths must have the same shape at the Add: the middle f x f "
                                        "convolution needs padding='same', and in the convolutional block both the "
                                        "first 1x1 convolution and the shortcut's 1x1 convolution take stride s")]


def _kind(layer) -> str:
    from keras import layers

    if isinstance(layer, layers.Conv2D):
        return "conv"
    if isinstance(layer, layers.BatchNormalization):
        return "bn"
    if isinstance(layer, layers.ReLU) or (isinstance(layer, layers.Activation)
                                          and getattr(layer.activation, "__name__", "") == "relu"):
        return "relu"
    return type(layer).__name__


def _structure(output, source, report, what):
    """Split a block into (main path, shortcut, after-add layers), or stop with a readable message."""
    after = []
    tensor = output
    while True:
        layer, inputs = producer(tensor)
        report.require(layer is not None and tensor is not source, "",
                       f"{what}: no addition found -- the block must add the shortcut to the main path "
                       f"(layers.Add()([shortcut, x]))")
        if len(inputs) > 1:
            break
        after.insert(0, layer)
        tensor = inputs[0]
    from keras import layers

    report.require(isinstance(layer, layers.Add) and len(inputs) == 2, "",
                   f"{what}: the two paths are joined by {type(layer).__name__}; use layers.Add() to add them")
    paths = [branch(t, source) for t in inputs]
    report.require(all(p is not None for p in paths), "",
                   f"{what}: each input of the Add must be one chain of layers starting from the block's input")
    main, shortcut = sorted(paths, key=lambda p: -sum(_kind(layer) == "conv" for layer in p))
    report.require([_kind(layer) for layer in after] == ["relu"],
                   "ReLU after the addition: a[l+2] = g(z[l+2] + a[l])",
                   f"{what}: after the addition the block should apply exactly one ReLU, found "
                   f"{[type(layer).__name__ for layer in after] or 'nothing'}")
    return main, shortcut


def _check_path(path, expected, report, what, where):
    """Compare a path's (kind, kernel, stride, padding) sequence with the expected one, in words."""
    got = [_kind(layer) for layer in path]
    want = [kind for kind, *_ in expected]
    if got != want:
        if got and got[-1] == "relu" and want[-1] == "bn":
            report.require(False, "", f"{what}: the {where} ends with a ReLU before the addition -- the shortcut "
                                      f"is added after the ReLU; add it to the last BatchNormalization's output "
                                      f"and apply the ReLU after the Add")
        report.require(False, "", f"{what}: the {where} should be {' -> '.join(want) or 'the input itself'}, "
                                  f"found {' -> '.join(got) or 'the input itself'}")
    for layer, (kind, kernel, stride, padding) in zip(path, expected):
        if kind != "conv":
            continue
        has = (tuple(layer.kernel_size), tuple(layer.strides), layer.padding)
        if has[0] == (1, 1):  # a 1x1 window needs no padding: "same" and "valid" compute the same
            has = (has[0], has[1], padding)
        if has != ((kernel, kernel), (stride, stride), padding):
            report.require(False, "", f"{what}: a convolution on the {where} is {has[0][0]}x{has[0][1]}, stride "
                                      f"{has[1][0]}, padding '{has[2]}'; expected {kernel}x{kernel}, stride "
                                      f"{stride}, padding '{padding}'")


def _check_block(answer, reference_block, cases, expected_paths, report) -> None:
    """Run one residual-block grader over (input_shape, args, kwargs) cases."""
    import keras

    for case, (input_shape, args, kwargs) in enumerate(cases):
        what = f"{getattr(answer, '__name__', 'block')}(x, {', '.join(map(repr, args))}" + \
               "".join(f", {k}={v!r}" for k, v in kwargs.items()) + f") on x of shape {input_shape}"
        inputs = keras.Input(input_shape)
        output = report.call(answer, inputs, *args, what=what, hints=_SHAPE_HINTS, **kwargs)
        report.require(type(output).__name__ == "KerasTensor", "returns a tensor",
                       f"{what} returned {type(output).__name__}: a block returns its output tensor")
        main, shortcut = _structure(output, inputs, report, what)
        expected_main, expected_shortcut = expected_paths(*args, **kwargs)
        _check_path(main, expected_main, report, what, "main path")
        _check_path(shortcut, expected_shortcut, report, what, "shortcut")
        ref_inputs = keras.Input(input_shape)
        reference = keras.Model(ref_inputs, reference_block(ref_inputs, *args, **kwargs))
        report.require(tuple(output.shape[1:]) == tuple(reference.output_shape[1:]),
                       f"{what} -> {tuple(reference.output_shape[1:])}",
                       f"{what} gives shape {tuple(output.shape[1:])}, expected {tuple(reference.output_shape[1:])}")
        ref_main, ref_shortcut = _structure(reference.output, ref_inputs, Report("reference"), "reference")
        randomize_weights(reference, seed=case)
        copy_weights_by_role([ref_main, ref_shortcut], [main, shortcut], report, what, _FILTER_ADVICE)
        model = keras.Model(inputs, output)
        data = fixed_inputs((2, *input_shape), seed=case, low=-1, high=1)
        for training in (False, True):
            compare_outputs(model, reference, data, report, training=training)


def _bottleneck_main(f, s):
    return [("conv", 1, s, "valid"), ("bn",) + (None,) * 3, ("relu",) + (None,) * 3,
            ("conv", f, 1, "same"), ("bn",) + (None,) * 3, ("relu",) + (None,) * 3,
            ("conv", 1, 1, "valid"), ("bn",) + (None,) * 3]


_IDENTITY_CASES = [((6, 6, 8), (3, (4, 4, 8)), {}), ((5, 5, 6), (5, (2, 3, 6)), {}), ((4, 4, 3), (1, (3, 5, 3)), {})]
_CONVOLUTIONAL_CASES = [((8, 8, 4), (3, (2, 3, 8)), {"s": 2}), ((7, 7, 3), (3, (4, 2, 6)), {"s": 2}),
                        ((6, 6, 5), (5, (3, 3, 4)), {"s": 1}), ((9, 9, 2), (3, (2, 2, 4)), {"s": 3})]


@grader("identity_block")
def check_identity_block(identity_block, report) -> None:
    """Grade ``identity_block(x, f, filters)``."""
    _check_block(identity_block, blocks.identity_block, _IDENTITY_CASES,
                 lambda f, filters: (_bottleneck_main(f, 1), []), report)


@grader("convolutional_block")
def check_convolutional_block(convolutional_block, report) -> None:
    """Grade ``convolutional_block(x, f, filters, s=2)``."""
    _check_block(convolutional_block, blocks.convolutional_block, _CONVOLUTIONAL_CASES,
                 lambda f, filters, s: (_bottleneck_main(f, s), [("conv", 1, s, "valid"), ("bn",) + (None,) * 3]),
                 report)


def _residual_parts(model, report, what):
    """Split a residual network into stem layers, blocks (main path, shortcut) and head layers."""
    from keras import layers

    source = model.inputs[0]
    adds = [layer for layer in model.layers if isinstance(layer, layers.Add)]
    report.require(bool(adds), "", f"{what} has no Add layer: build it from your identity and convolutional blocks")
    parts, block_inputs = [], []
    for add in adds:
        a, b = add._inbound_nodes[0].input_tensors
        chain_a, chain_b = chain_back(a, source), chain_back(b, source)
        block_input = next((t for t in chain_a if any(t is u for u in chain_b)), None)
        report.require(block_input is not None, "",
                       f"{what}: the two inputs of {add.name} do not start from one tensor")
        paths = [branch(a, block_input), branch(b, block_input)]
        main, shortcut = sorted(paths, key=lambda p: -sum(_kind(layer) == "conv" for layer in p))
        parts.append((main, shortcut))
        block_inputs.append(block_input)
    stem = branch(block_inputs[0], source) or []
    last_out = adds[-1]._outbound_nodes[0].output_tensors[0] if adds[-1]._outbound_nodes else None
    head = branch(model.outputs[0], last_out) if last_out is not None else None
    report.require(head is not None, "", f"{what}: after the last block expect the ReLU's output to feed the head")
    return stem, parts, head


_RESNET_CASES = [((64, 64, 3), 6), ((32, 32, 3), 4)]


@grader("resnet50")
def check_resnet50(resnet50, report) -> None:
    """Grade ``ResNet50(input_shape=(64, 64, 3), classes=6)`` against cnn_course.models.ResNet50."""
    import keras

    from cnn_course.models.resnet import ResNet50

    for case, (input_shape, classes) in enumerate(_RESNET_CASES):
        what = f"ResNet50(input_shape={input_shape}, classes={classes})"
        model = report.call(resnet50, input_shape=input_shape, classes=classes, what=what)
        report.require(isinstance(model, keras.Model) and bool(getattr(model, "inputs", None)),
                       "returns a Keras model", f"{what} should return a keras.Model built from keras.Input")
        reference = ResNet50(input_shape=input_shape, classes=classes)
        report.require(tuple(model.input_shape[1:]) == input_shape, f"{what} takes {input_shape} images",
                       f"{what} takes {model.input_shape[1:]} images: use the input_shape argument")
        report.require(tuple(model.output_shape) == (None, classes), f"{what} outputs (None, {classes})",
                       f"{what} outputs {model.output_shape}, expected (None, {classes})")
        report.require(model.count_params() == reference.count_params(), f"{reference.count_params():,} parameters",
                       f"{what} has {model.count_params():,} parameters, expected {reference.count_params():,}")
        stem, parts, head = _residual_parts(model, report, what)
        ref_stem, ref_parts, ref_head = _residual_parts(reference, Report("reference"), "reference")
        report.require(len(parts) == len(ref_parts), "16 residual blocks (3 + 4 + 6 + 3)",
                       f"{what} has {len(parts)} residual blocks, expected 16 (3 + 4 + 6 + 3)")
        late = [i for i, (main, _) in enumerate(parts) if main and _kind(main[-1]) == "relu"]
        report.require(not late, "each shortcut is added before the block's last ReLU",
                       f"{what}: in block {late[0] + 1 if late else 0} the shortcut is added after the ReLU; add it to "
                       f"the last BatchNormalization's output and apply the ReLU after the Add")
        shortcuts = ["conv" if any(_kind(layer) == "conv" for layer in s) else "identity" for _, s in parts]
        want = ["conv" if any(_kind(layer) == "conv" for layer in s) else "identity" for _, s in ref_parts]
        report.require(shortcuts == want, "a convolutional block opens each stage, identity blocks follow",
                       f"{what}: block types {shortcuts}, expected {want}")
        shapes = [tuple(p[0][-1].output.shape[1:]) for p in parts]
        want_shapes = [tuple(p[0][-1].output.shape[1:]) for p in ref_parts]
        wrong = [i for i, (a, b) in enumerate(zip(shapes, want_shapes)) if a != b]
        report.require(not wrong, "every block's output shape as in keras.applications",
                       f"{what}: block {wrong[0] + 1} outputs {shapes[wrong[0]]}, expected {want_shapes[wrong[0]]} "
                       f"(stem: ZeroPadding2D(3), 7x7 conv with stride 2, BN, ReLU, ZeroPadding2D(1), 3x3 max-pool "
                       f"with stride 2; stage strides 1, 2, 2, 2)" if wrong else "")
        randomize_weights(reference, seed=case)
        copy_weights_by_role([ref_stem, *(path for block in ref_parts for path in block), ref_head],
                             [stem, *(path for block in parts for path in block), head], report, what, _FILTER_ADVICE)
        data = fixed_inputs((2, *input_shape), seed=case, low=-1, high=1)
        for training in (False, True):
            compare_outputs(model, reference, data, report, training=training)

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
from cnn_course.fixtures import fixed_inputs
from cnn_course.grading.compare import compare_with_reference, symbolic_call
from cnn_course.grading.report import Report, grader
from cnn_course.grading.residual_paths import (
    FILTER_ADVICE,
    block_types,
    bottleneck_block_main,
    check_ends,
    check_layer_options,
    check_path,
    path_spec,
    residual_parts,
    split_block,
)

# Advice when the learner's Add fails on mismatched shapes.
_SHAPE_HINTS = [("incompatible shapes", "both paths must have the same shape at the Add: the middle f x f "
                                        "convolution needs padding='same', and in the convolutional block both the "
                                        "first 1x1 convolution and the shortcut's 1x1 convolution take stride s")]


def _check_block(answer, reference_block, cases, expected_paths, report) -> None:
    """Run one residual-block grader over (input_shape, args, kwargs) cases."""
    import keras

    for case, (input_shape, args, kwargs) in enumerate(cases):
        what = f"{getattr(answer, '__name__', 'block')}(x, {', '.join(map(repr, args))}" + \
               "".join(f", {k}={v!r}" for k, v in kwargs.items()) + f") on x of shape {input_shape}"
        inputs, output = symbolic_call(answer, input_shape, args, report, kwargs=kwargs, what=what,
                                       hints=_SHAPE_HINTS, returns="a block returns its output tensor")
        main, shortcut = split_block(output, inputs, report, what)
        expected_main, expected_shortcut = expected_paths(*args, **kwargs)
        check_path(main, expected_main, report, what, "main path")
        check_path(shortcut, expected_shortcut, report, what, "shortcut")
        ref_inputs = keras.Input(input_shape)
        reference = keras.Model(ref_inputs, reference_block(ref_inputs, *args, **kwargs))
        want_shape = tuple(reference.output_shape[1:])
        report.require(tuple(output.shape[1:]) == want_shape, f"{what} -> {want_shape}",
                       f"{what} gives shape {tuple(output.shape[1:])}, expected {want_shape}")
        ref_main, ref_shortcut = split_block(reference.output, ref_inputs, Report("reference"), "reference")
        check_layer_options(main + shortcut, report, what)
        compare_with_reference(keras.Model(inputs, output), reference,
                               fixed_inputs((2, *input_shape), seed=case, low=-1, high=1), report, seed=case,
                               paths=([ref_main, ref_shortcut], [main, shortcut]), what=what, advice=FILTER_ADVICE)


_IDENTITY_CASES = [((6, 6, 8), (3, (4, 4, 8)), {}), ((5, 5, 6), (5, (2, 3, 6)), {}), ((4, 4, 3), (1, (3, 5, 3)), {})]
_CONVOLUTIONAL_CASES = [((8, 8, 4), (3, (2, 3, 8)), {"s": 2}), ((7, 7, 3), (3, (4, 2, 6)), {"s": 2}),
                        ((6, 6, 5), (5, (3, 3, 4)), {"s": 1}), ((9, 9, 2), (3, (2, 2, 4)), {"s": 3})]


@grader("identity_block", answer_key=["cnn_course.blocks.identity_block"])
def check_identity_block(identity_block, report) -> None:
    """Grade ``identity_block(x, f, filters)``."""
    _check_block(identity_block, blocks.identity_block, _IDENTITY_CASES,
                 lambda f, filters: (bottleneck_block_main(f, 1), []), report)


@grader("convolutional_block", answer_key=["cnn_course.blocks.convolutional_block"])
def check_convolutional_block(convolutional_block, report) -> None:
    """Grade ``convolutional_block(x, f, filters, s=2)``."""
    _check_block(convolutional_block, blocks.convolutional_block, _CONVOLUTIONAL_CASES,
                 lambda f, filters, s: (bottleneck_block_main(f, s), [("conv", 1, s, "valid"), ("bn",) + (None,) * 3]),
                 report)


_RESNET_CASES = [((64, 64, 3), 6), ((32, 32, 3), 4)]


@grader("ResNet50", answer_key=["cnn_course.models.resnet.ResNet50", "keras.applications.ResNet50",
                                "keras.src.applications.resnet.ResNet",
                                "keras.src.applications.resnet.residual_block_v1",
                                "cnn_course.blocks.identity_block", "cnn_course.blocks.convolutional_block"])
def check_ResNet50(ResNet50, report) -> None:
    """Grade ``ResNet50(input_shape=(64, 64, 3), classes=6)`` against cnn_course.models.ResNet50."""
    import keras

    from cnn_course.models.resnet import ResNet50 as reference_resnet50

    for case, (input_shape, classes) in enumerate(_RESNET_CASES):
        what = f"ResNet50(input_shape={input_shape}, classes={classes})"
        model = report.call(ResNet50, input_shape=input_shape, classes=classes, what=what)
        report.require(isinstance(model, keras.Model) and bool(getattr(model, "inputs", None)),
                       "returns a Keras model", f"{what} should return a keras.Model built from keras.Input")
        reference = reference_resnet50(input_shape=input_shape, classes=classes)
        report.require(tuple(model.input_shape[1:]) == input_shape, f"{what} takes {input_shape} images",
                       f"{what} takes {model.input_shape[1:]} images: use the input_shape argument")
        report.require(tuple(model.output_shape) == (None, classes), f"{what} outputs (None, {classes})",
                       f"{what} outputs {model.output_shape}, expected (None, {classes})")
        stem, parts, head = residual_parts(model, report, what)
        ref_stem, ref_parts, ref_head = residual_parts(reference, Report("reference"), "reference")
        report.require(len(parts) == len(ref_parts), "16 residual blocks (3 + 4 + 6 + 3)",
                       f"{what} has {len(parts)} residual blocks, expected 16 (3 + 4 + 6 + 3)")
        types, want_types = block_types(parts), block_types(ref_parts)
        report.require(types == want_types, "a convolutional block opens each stage, identity blocks follow",
                       f"{what}: block types {types}, expected {want_types}")
        check_ends(stem, ref_stem, head, ref_head, report, what)
        for number, ((main, shortcut), (ref_main, ref_shortcut)) in enumerate(zip(parts, ref_parts), start=1):
            where = f"{what}, block {number}"
            check_path(main, path_spec(ref_main), report, where, "main path")
            check_path(shortcut, path_spec(ref_shortcut), report, where, "shortcut")
            check_layer_options(main + shortcut, report, where)
        report.success("every block's main path and shortcut as in the lecture")
        report.require(model.count_params() == reference.count_params(), f"{reference.count_params():,} parameters",
                       f"{what} has {model.count_params():,} parameters, expected {reference.count_params():,}")
        shapes = [tuple(p[0][-1].output.shape[1:]) for p in parts]
        want_shapes = [tuple(p[0][-1].output.shape[1:]) for p in ref_parts]
        wrong = [i for i, (a, b) in enumerate(zip(shapes, want_shapes)) if a != b]
        report.require(not wrong, "every block's output shape as in keras.applications",
                       f"{what}: block {wrong[0] + 1} outputs {shapes[wrong[0]]}, expected {want_shapes[wrong[0]]} "
                       f"(stem: ZeroPadding2D(3), 7x7 conv with stride 2, BN, ReLU, ZeroPadding2D(1), 3x3 max-pool "
                       f"with stride 2; stage strides 1, 2, 2, 2)" if wrong else "")
        reference_paths = [ref_stem, *(path for block in ref_parts for path in block), ref_head]
        answer_paths = [stem, *(path for block in parts for path in block), head]
        compare_with_reference(model, reference, fixed_inputs((2, *input_shape), seed=case, low=-1, high=1), report,
                               seed=case, paths=(reference_paths, answer_paths), what=what, advice=FILTER_ADVICE)

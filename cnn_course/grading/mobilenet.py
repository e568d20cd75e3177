"""Graders of notebook 07, MobileNet: the cost of a depthwise-separable convolution, MobileNet v1's
block and MobileNetV2's inverted residual block.

A block is read as one chain of layers from its input (`mobile_paths`), plus, for the inverted
residual block, the input added at the end. The grader names the first step that differs from the
lecture's block, then checks each convolution's kernel, stride, filters and bias and the depthwise
convolution's padding (``padding="same"`` or an explicit ``ZeroPadding2D``: either is right when it
pads the same rows and columns), and last loads the reference's weights and compares the outputs in
inference and training mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from cnn_course import blocks, costs
from cnn_course.fixtures import fixed_inputs
from cnn_course.grading.compare import compare_with_reference, symbolic_call
from cnn_course.grading.formula import Formula, formula_grader
from cnn_course.grading.mobile_paths import (
    Conv,
    batch_norms,
    check_convolutions,
    check_padding,
    check_steps,
    read_steps,
    split_residual,
)
from cnn_course.grading.report import Report, grader
from cnn_course.grading.residual_paths import check_layer_options

check_separable_conv_multiplies = formula_grader(Formula(
    exercise="separable_conv_multiplies", reference=costs.separable_conv_multiplies,
    arguments=("n_out", "f", "n_c", "n_c_out"), parts=("depthwise", "pointwise"),
    # The lecture's 4x4x5 output from 3 channels, then cases whose four numbers all differ.
    cases=[(4, 3, 3, 5), (5, 3, 4, 7), (6, 5, 2, 9), (7, 3, 16, 8), (2, 5, 6, 3)],
    draw=lambda rng: (int(rng.integers(1, 30)), int(rng.choice([3, 5, 7])), *(int(v) for v in rng.integers(1, 64, 2))),
    one_number=[("the cost of a normal convolution", lambda n, f, c, o: n * n * f * f * c * o),
                ("the sum of the two", lambda n, f, c, o: n * n * f * f * c + n * n * c * o)],
    part_mistakes={
        "depthwise": [
            ("counts f once: each depthwise filter is f x f", lambda n, f, c, o: n * n * f * c),
            ("multiplies by n_c_out: the depthwise step has one f x f filter per input channel, n_c of them, whatever "
             "n_c_out is", lambda n, f, c, o: n * n * f * f * c * o),
            ("forgets n_c: there is one f x f filter per input channel", lambda n, f, c, o: n * n * f * f),
            ("counts n_out once: the output has n_out x n_out positions", lambda n, f, c, o: n * f * f * c),
            ("forgets the n_out x n_out output positions: every filter is used at each", lambda n, f, c, o: f * f * c)],
        "pointwise": [
            ("multiplies by f*f: the pointwise convolution is 1x1", lambda n, f, c, o: n * n * f * f * c * o),
            ("forgets n_c: each 1x1 filter spans the n_c channels", lambda n, f, c, o: n * n * o),
            ("forgets n_c_out: there is one 1x1 filter per output channel", lambda n, f, c, o: n * n * c),
            ("counts n_out once: the output has n_out x n_out positions", lambda n, f, c, o: n * c * o),
            ("forgets the n_out x n_out output positions: every filter is used at each", lambda n, f, c, o: c * o)]},
    success="right on the lecture's (432, 240) -- 672 multiplications against 2,160 for a normal 3x3 convolution -- "
            "and on fresh random cases"))


_SHAPE_HINTS = [(text, "add the block's input only when the shapes match: stride 1 and filters equal to the "
                       "input's channels") for text in ("incompatible shapes", "Cannot broadcast")]
_NO_SHORTCUT = "MobileNet v1's block has no shortcut: it is one chain of layers"


class Expected(NamedTuple):
    """What a block should be for one call: its steps in words, its convolutions, whether it adds its input."""

    steps: list
    convolutions: list
    residual: bool
    advice: Callable | None = None  # (index, expected, found, steps) -> advice on the first different step
    shortcut: str = "only blocks with stride 1 and filters equal to the input's channels have the shortcut"


def _check_block(answer, reference_block, cases, expected, report, hints=()) -> None:
    """For each ``(input_shape, args)``: ``answer(x, *args)`` is the `expected` chain (`mobile_paths`), pads
    like ``reference_block(x, *args)`` and, with its weights, gives its outputs in both modes."""
    import keras

    for case, (input_shape, args) in enumerate(cases):
        what = f"{report.exercise}(x, {', '.join(map(repr, args))}) on x of shape {input_shape}"
        inputs, outputs = symbolic_call(answer, input_shape, args, report, what=what, hints=hints)
        chain, added = split_residual(outputs, inputs, report, what)
        want = expected(input_shape[-1], *args)
        check_steps(read_steps(chain), want.steps, report, what, want.advice)
        report.precondition(added == want.residual, f"{what}: the input is added, but {want.shortcut}" if added else
                            f"{what}: the input is not added -- with stride 1 and filters equal to the input's "
                            f"channels ({input_shape[-1]}) the block adds its input to the projection")
        check_convolutions(chain, want.convolutions, report, what)
        check_layer_options(batch_norms(chain), report, what)
        ref_inputs = keras.Input(input_shape)
        reference = keras.Model(ref_inputs, reference_block(ref_inputs, *args))
        ref_chain, _ = split_residual(reference.output, ref_inputs, Report("reference"), "the reference")
        check_padding(chain, ref_chain, args[1], report, what)
        got, want_shape = tuple(outputs.shape[1:]), tuple(reference.output.shape[1:])
        report.require(got == want_shape, f"{what} -> {want_shape}", f"{what} gives shape {got}, expected {want_shape}")
        compare_with_reference(keras.Model(inputs, outputs), reference,
                               fixed_inputs((2, *input_shape), seed=case, low=-1, high=1), report, seed=case,
                               paths=([ref_chain], [chain]), what=what, advice="check the filters of each convolution")


# (input shape, (filters, stride)); with stride 2 the sizes are even, as in MobileNet, where padding="same"
# pads what keras.applications' ZeroPadding2D(((0, 1), (0, 1))) does.
_SEPARABLE_BLOCK_CASES = [((8, 8, 3), (5, 1)), ((8, 6, 4), (6, 2)), ((7, 5, 2), (3, 1)), ((6, 10, 5), (8, 2))]


def _separable_expected(channels, filters, stride) -> Expected:
    def ends_early(index, want, found, steps) -> str:
        if want == "ReLU6" and found is None:
            return "the pointwise convolution, too, is followed by BatchNormalization and ReLU6"
        return ""

    return Expected(["DepthwiseConv2D", "BatchNormalization", "ReLU6", "Conv2D", "BatchNormalization", "ReLU6"],
                    [Conv("depthwise", 3, stride), Conv("pointwise", 1, 1, filters)], False, ends_early,
                    _NO_SHORTCUT)


@grader("depthwise_separable_conv", answer_key=["cnn_course.blocks.depthwise_separable_conv",
                                                "cnn_course.blocks.mobile.bn_relu6",
                                                "keras.src.applications.mobilenet._depthwise_conv_block"])
def check_depthwise_separable_conv(depthwise_separable_conv, report) -> None:
    """Grade ``depthwise_separable_conv(x, filters, stride=1)`` against cnn_course.blocks.depthwise_separable_conv."""
    _check_block(depthwise_separable_conv, blocks.depthwise_separable_conv, _SEPARABLE_BLOCK_CASES,
                 _separable_expected, report, hints=[("incompatible shapes", _NO_SHORTCUT)])
    report.success("depthwise 3x3 -> BN -> ReLU6 -> pointwise 1x1 -> BN -> ReLU6, as in MobileNet")


# (input shape, (filters, stride, expansion)): with and without the addition, expansion 6, 3 and 1.
_INVERTED_CASES = [((6, 6, 4), (4, 1, 6)), ((8, 8, 3), (5, 2, 6)), ((7, 5, 4), (6, 1, 3)), ((6, 6, 5), (5, 1, 1)),
                   ((8, 6, 4), (4, 2, 1))]


def _inverted_expected(channels, filters, stride, expansion) -> Expected:
    def advice(index, want, found, steps) -> str:
        if index == 0 and want == "DepthwiseConv2D" and found == "Conv2D":
            return ("with expansion=1 there is nothing to expand: the block starts with the depthwise "
                    "convolution (leave out the 1x1 expansion, as MobileNetV2's first block does)")
        if index == 0 and want == "Conv2D" and found == "DepthwiseConv2D":
            return f"with expansion={expansion} the block starts with a 1x1 Conv2D to expansion x the input's channels"
        if want is None and found in ("ReLU6", "ReLU"):
            return ("the projection is linear: no activation after the last BatchNormalization -- a ReLU on the "
                    "narrow output would destroy information")
        return ""

    expand = expansion != 1
    steps = ["Conv2D", "BatchNormalization", "ReLU6"] * expand + ["DepthwiseConv2D", "BatchNormalization", "ReLU6",
                                                                  "Conv2D", "BatchNormalization"]
    convolutions = [Conv("expansion", 1, 1, expansion * channels,
                         f"expansion x the input's channels = {expansion} x {channels}")] * expand
    convolutions += [Conv("depthwise", 3, stride), Conv("projection", 1, 1, filters)]
    return Expected(steps, convolutions, stride == 1 and filters == channels, advice)


@grader("inverted_residual_block", answer_key=["cnn_course.blocks.inverted_residual_block",
                                               "cnn_course.blocks.mobile.bn_relu6",
                                               "keras.src.applications.mobilenet_v2._inverted_res_block"])
def check_inverted_residual_block(inverted_residual_block, report) -> None:
    """Grade ``inverted_residual_block(x, filters, stride=1, expansion=6)`` against the course's block."""
    _check_block(inverted_residual_block, blocks.inverted_residual_block, _INVERTED_CASES, _inverted_expected, report,
                 hints=_SHAPE_HINTS)
    report.success("expansion -> depthwise -> linear projection, the input added when the shapes match")

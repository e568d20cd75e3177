"""Graders of notebook 01, the classic networks."""

from __future__ import annotations

import math
import numbers

from cnn_course.blocks import vgg_block
from cnn_course.grading.generic import check_block, check_builder
from cnn_course.grading.report import grader
from cnn_course.models.classic import LeNet5

# (n, f, p, s) cases: the lecture's networks, and strides where flooring matters.
# (10, 3, 0, 2) and (8, 3, 0, 3): (n + 2p - f) / s is 3.5 and 1.67, where rounding and flooring differ.
_SHAPE_CASES = [(32, 5, 0, 1), (28, 2, 0, 2), (227, 11, 0, 4), (55, 3, 0, 2), (27, 5, 2, 1), (6, 3, 1, 2),
                (7, 3, 0, 2), (224, 3, 1, 1), (10, 3, 0, 2), (8, 3, 0, 3)]

# Formulas learners plausibly write instead of floor((n + 2p - f) / s) + 1, and what to say.
_SHAPE_MISTAKES = [
    (lambda n, f, p, s: round((n + 2 * p - f) / s) + 1, "rounds to the nearest integer: use floor, e.g. "
                                                        "(n + 2*p - f) // s + 1 -- the filter must fit entirely"),
    (lambda n, f, p, s: math.ceil((n + 2 * p - f) / s) + 1, "rounds up: use floor, e.g. (n + 2*p - f) // s + 1"),
    (lambda n, f, p, s: (n + 2 * p - f) / s + 1, "does not round: the output size is floor((n + 2p - f) / s) + 1"),
    (lambda n, f, p, s: (n + 2 * p - f) // s, "forgets the + 1 (the filter's first position)"),
    (lambda n, f, p, s: (n + p - f) // s + 1, "pads one side only: padding p adds 2p (both sides)"),
    (lambda n, f, p, s: n + 2 * p - f + 1, "ignores the stride s"),
    (lambda n, f, p, s: (n - f) // s + 1, "ignores the padding p"),
]


def conv_output_shape_reference(n: int, f: int, p: int, s: int) -> int:
    return (n + 2 * p - f) // s + 1


@grader("conv_output_shape", answer_key=["cnn_course.grading.classic_networks.conv_output_shape_reference",
                                         "keras.src.ops.operation_utils.compute_conv_output_shape"])
def check_conv_output_shape(conv_output_shape, report) -> None:
    """Grade ``conv_output_shape(n, f, p, s)``: floor((n + 2p - f) / s) + 1."""
    for n, f, p, s in _SHAPE_CASES:
        got = report.call(conv_output_shape, n, f, p, s, what=f"conv_output_shape({n}, {f}, {p}, {s})")
        report.precondition(isinstance(got, numbers.Number), f"conv_output_shape({n}, {f}, {p}, {s}) returned a "
                                                             f"{type(got).__name__}: return one number, an int")
        want = conv_output_shape_reference(n, f, p, s)
        if isinstance(got, numbers.Number) and not isinstance(got, numbers.Integral) and got == want:
            report.fail(f"conv_output_shape({n}, {f}, {p}, {s}) returned {got!r}, a float: return an int (integer "
                        f"division // does both the floor and the type)")
        if got != want:
            hint = next((why for formula, why in _SHAPE_MISTAKES if formula(n, f, p, s) == got), "")
            report.fail(f"conv_output_shape({n}, {f}, {p}, {s}) returned {got!r}, expected {want}"
                        + (f": it {hint}" if hint else ""))
    report.success(f"right on {len(_SHAPE_CASES)} cases, including strides that need the floor")


# (input_shape, classes): the lecture's LeNet-5, and another size that catches fixed numbers.
_LENET_CASES = [((32, 32, 1), 10), ((28, 28, 1), 5)]


@grader("LeNet5", answer_key=["cnn_course.models.classic.LeNet5"])
def check_LeNet5(LeNet5_answer, report) -> None:
    """Grade ``LeNet5(input_shape, classes)``: the lecture's LeNet-5 (tanh, average pooling, softmax)."""
    check_builder(LeNet5_answer, LeNet5, _LENET_CASES, report)


# (input shape, num_convs, filters): more than one of each, to catch fixed numbers.
_VGG_BLOCK_CASES = [((16, 16, 3), (2, 8)), ((8, 8, 5), (3, 4)), ((6, 6, 2), (1, 6))]


@grader("vgg_block", answer_key=["cnn_course.blocks.vgg_block"])
def check_vgg_block(vgg_block_answer, report) -> None:
    """Grade ``vgg_block(x, num_convs, filters)``: num_convs 3x3 same ReLU convs, then a 2x2/2 max-pool."""
    check_block(vgg_block_answer, vgg_block, _VGG_BLOCK_CASES, report, shape_advice=_vgg_shape_advice)


def _vgg_shape_advice(got, want) -> str:
    if got[:2] != want[:2]:
        return "'same' convolutions keep n_H, n_W; the 2x2 pool with stride 2 halves them"
    return "every convolution of the block has `filters` filters"

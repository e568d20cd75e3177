"""Graders of notebook 05, the Inception motivation: the cost of a convolution and the bottleneck layer."""

from __future__ import annotations

import numbers

from cnn_course import blocks
from cnn_course.grading.generic import check_block
from cnn_course.grading.report import grader

# (n_H, n_W, n_C, f, n_C_prev): the lecture's 5x5 same conv and both bottleneck layers, and more.
_COST_CASES = [(28, 28, 32, 5, 192), (28, 28, 16, 1, 192), (28, 28, 32, 5, 16), (6, 6, 5, 3, 1),
               (3, 7, 2, 3, 11)]

_COST_MISTAKES = [
    (lambda h, w, c, f, p: h * w * c * f * p, "counts f once: an f x f filter has f*f weights per input channel"),
    (lambda h, w, c, f, p: h * w * c * f * f, "forgets n_C_prev: each filter spans all input channels"),
    (lambda h, w, c, f, p: h * w * f * f * p, "forgets n_C: every output channel has its own filter"),
    (lambda h, w, c, f, p: (f * f * p + 1) * c, "counts parameters, not multiplications: each weight is used at "
                                                "every one of the n_H x n_W output positions"),
    (lambda h, w, c, f, p: c * f * f * p, "forgets the n_H x n_W output positions"),
    (lambda h, w, c, f, p: 2 * h * w * c * f * f * p, "counts the additions too: count only the multiplications"),
]


@grader("conv_multiplies", answer_key=["cnn_course.costs.count_multiplies", "cnn_course.costs._layer_multiplies"])
def check_conv_multiplies(conv_multiplies, report) -> None:
    """Grade ``conv_multiplies(n_H, n_W, n_C, f, n_C_prev)``: n_H * n_W * n_C * f * f * n_C_prev."""
    for case in _COST_CASES:
        what = f"conv_multiplies{case}"
        got = report.call(conv_multiplies, *case, what=what)
        report.precondition(isinstance(got, numbers.Number), f"{what} returned a {type(got).__name__}: return one "
                                                             f"number, an int")
        n_h, n_w, n_c, f, n_c_prev = case
        want = n_h * n_w * n_c * f * f * n_c_prev
        if got != want:
            hint = next((why for formula, why in _COST_MISTAKES if formula(*case) == got), "")
            report.fail(f"{what} returned {got!r}, expected {want:,}" + (f": it {hint}" if hint else ""))
        report.precondition(isinstance(got, numbers.Integral), f"{what} returned {got!r}, a {type(got).__name__}: "
                                                               f"return an int")
    report.success(f"right on {len(_COST_CASES)} cases, including the lecture's 120,422,400")


# (input shape, (reduce, filters, f)): the lecture's 28x28x192 -> 16 -> 32 (5x5), and small ones.
_BOTTLENECK_CASES = [((28, 28, 192), (16, 32, 5)), ((7, 7, 6), (3, 5, 3)), ((6, 5, 4), (2, 7, 5))]


@grader("bottleneck_layer", answer_key=["cnn_course.blocks.bottleneck_layer"])
def check_bottleneck_layer(bottleneck_layer, report) -> None:
    """Grade ``bottleneck_layer(x, reduce, filters, f)``: 1x1 conv to `reduce`, then f x f same conv, both ReLU."""
    check_block(bottleneck_layer, blocks.bottleneck_layer, _BOTTLENECK_CASES, report, shape_advice=_bottleneck_advice)


def _bottleneck_advice(got, want) -> str:
    if got[:2] != want[:2]:
        return "both convolutions keep n_H and n_W: padding='same' on the f x f one"
    return "the 1x1 convolution has `reduce` filters, the f x f one `filters`"

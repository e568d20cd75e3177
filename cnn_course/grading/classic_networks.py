"""Graders of notebook 01, the classic networks."""

from __future__ import annotations

import math

from cnn_course import costs
from cnn_course.blocks import vgg_block
from cnn_course.grading.formula import Formula, formula_grader
from cnn_course.grading.generic import check_block, check_builder
from cnn_course.grading.report import grader
from cnn_course.models.classic import LeNet5


def _draw_shape_case(rng) -> tuple:
    n = int(rng.integers(5, 80))
    return n, int(rng.integers(1, min(n, 11) + 1)), int(rng.integers(0, 4)), int(rng.integers(1, 5))


check_conv_output_shape = formula_grader(Formula(
    exercise="conv_output_shape", reference=costs.conv_output_size, arguments=("n", "f", "p", "s"),
    # The lecture's networks, and strides where flooring matters: (n + 2p - f) / s is 3.5 and 1.67 in the last two.
    cases=[(32, 5, 0, 1), (28, 2, 0, 2), (227, 11, 0, 4), (55, 3, 0, 2), (27, 5, 2, 1), (6, 3, 1, 2), (7, 3, 0, 2),
           (224, 3, 1, 1), (10, 3, 0, 2), (8, 3, 0, 3)],
    draw=_draw_shape_case,
    mistakes=[
        ("rounds to the nearest integer: use floor, e.g. (n + 2*p - f) // s + 1 -- the filter must fit entirely",
         lambda n, f, p, s: round((n + 2 * p - f) / s) + 1),
        ("rounds up: use floor, e.g. (n + 2*p - f) // s + 1", lambda n, f, p, s: math.ceil((n + 2 * p - f) / s) + 1),
        ("does not round: the output size is floor((n + 2p - f) / s) + 1", lambda n, f, p, s: (n + 2 * p - f) / s + 1),
        ("forgets the + 1 (the filter's first position)", lambda n, f, p, s: (n + 2 * p - f) // s),
        ("pads one side only: padding p adds 2p (both sides)", lambda n, f, p, s: (n + p - f) // s + 1),
        ("ignores the stride s", lambda n, f, p, s: n + 2 * p - f + 1),
        ("ignores the padding p", lambda n, f, p, s: (n - f) // s + 1),
    ],
    success="right on the lecture's cases, strides that need the floor and fresh random ones"),
    answer_key=["keras.src.ops.operation_utils.compute_conv_output_shape"])


# (input_shape, classes): the lecture's LeNet-5, and another size that catches fixed numbers.
_LENET_CASES = [((32, 32, 1), 10), ((28, 28, 1), 5)]


@grader("LeNet5")
def check_LeNet5(LeNet5_answer, report) -> None:
    """Grade ``LeNet5(input_shape, classes)``: the lecture's LeNet-5 (tanh, average pooling, softmax)."""
    check_builder(LeNet5_answer, LeNet5, _LENET_CASES, report)


# (input shape, num_convs, filters): more than one of each, to catch fixed numbers.
_VGG_BLOCK_CASES = [((16, 16, 3), (2, 8)), ((8, 8, 5), (3, 4)), ((6, 6, 2), (1, 6))]


@grader("vgg_block")
def check_vgg_block(vgg_block_answer, report) -> None:
    """Grade ``vgg_block(x, num_convs, filters)``: num_convs 3x3 same ReLU convs, then a 2x2/2 max-pool."""
    check_block(vgg_block_answer, vgg_block, _VGG_BLOCK_CASES, report, shape_advice=_vgg_shape_advice)


def _vgg_shape_advice(got, want) -> str:
    if got[:2] != want[:2]:
        return "'same' convolutions keep n_H, n_W; the 2x2 pool with stride 2 halves them"
    return "every convolution of the block has `filters` filters"

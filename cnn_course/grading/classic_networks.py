"""Graders of notebook 01, the classic networks: a convolution's output size, LeNet-5 and VGG's block."""

from __future__ import annotations

import math

from cnn_course import blocks, costs
from cnn_course.grading.block import BlockExercise, block_grader
from cnn_course.grading.builder import BuilderExercise, builder_grader
from cnn_course.grading.formula import Formula, formula_grader
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
        ("adds the 1 before dividing by the stride: floor((n + 2p - f) / s) + 1, the + 1 after the floor",
         lambda n, f, p, s: (n + 2 * p - f + 1) // s),
        ("forgets the + 1 (the filter's first position)", lambda n, f, p, s: (n + 2 * p - f) // s),
        ("pads one side only: padding p adds 2p (both sides)", lambda n, f, p, s: (n + p - f) // s + 1),
        ("ignores the stride s", lambda n, f, p, s: n + 2 * p - f + 1),
        ("ignores the padding p", lambda n, f, p, s: (n - f) // s + 1),
    ],
    success="right on the lecture's cases, strides that need the floor and fresh random ones"),
    answer_key=["keras.src.ops.operation_utils.compute_conv_output_shape", "keras.ops.conv", "keras.ops.max_pool",
                "keras.src.ops.operation_utils.compute_pooling_output_shape", "keras.ops.average_pool"])

check_LeNet5 = builder_grader(BuilderExercise(
    exercise="LeNet5", reference=LeNet5,
    cases=[((32, 32, 1), 10), ((28, 32, 3), 5)],  # the lecture's, and a colour non-square image
    success="the lecture's LeNet-5: tanh convolutions, average pooling, two hidden Dense layers and a softmax"))

check_vgg_block = block_grader(BlockExercise(
    exercise="vgg_block", reference=blocks.vgg_block,
    # (input shape, (num_convs, filters)): more than one of each, to catch fixed numbers; an odd size the pool floors.
    cases=[((16, 16, 3), (2, 8)), ((8, 8, 5), (3, 4)), ((7, 7, 2), (1, 6))],
    setting_advice=lambda word, ordinal, setting, got, want, case: (
        "every convolution of the block has `filters` filters" if setting == "filters" else
        "'same' 3x3 convolutions keep n_H, n_W; the 2x2 max-pool with stride 2 halves them"),
    advice=lambda role, index, expected, found, case: f"{case[1][0]} 3x3 convolutions with ReLU, then a 2x2 max-pool",
    repeated="VGG-16 stacks five of these blocks in one model",
    success="num_convs 3x3 'same' convolutions with ReLU, then a 2x2 max-pool with stride 2"))

"""Graders of notebook 05, the Inception motivation: the cost of a convolution and the bottleneck layer."""

from __future__ import annotations

from cnn_course import blocks, costs
from cnn_course.grading.block import BlockExercise, block_grader
from cnn_course.grading.formula import IN_INT32, Formula, formula_grader, product_in

check_conv_multiplies = formula_grader(Formula(
    exercise="conv_multiplies", reference=costs.conv_multiplies, arguments=("n_H", "n_W", "n_C", "f", "n_C_prev"),
    # The lecture's 5x5 same convolution and both bottleneck layers, small shapes whose numbers all differ, an odd
    # count above 2**24, which float32 cannot hold (the lecture's are multiples of 2**15: exact in float32), and one
    # above 2**31, where int32 wraps round.
    cases=[(28, 28, 32, 5, 192), (28, 28, 16, 1, 192), (28, 28, 32, 5, 16), (6, 6, 5, 3, 1), (3, 7, 2, 3, 11),
           (27, 29, 31, 5, 191), (56, 56, 256, 5, 480)],
    draw=lambda rng: (*(int(v) for v in rng.integers(1, 40, size=3)), int(rng.choice([1, 3, 5, 7])),
                      int(rng.integers(1, 200))),
    mistakes=[
        ("counts f once: an f x f filter has f*f weights per input channel", lambda h, w, c, f, p: h * w * c * f * p),
        ("forgets n_C_prev: each filter spans all input channels", lambda h, w, c, f, p: h * w * c * f * f),
        ("forgets n_C: every output channel has its own filter", lambda h, w, c, f, p: h * w * f * f * p),
        ("counts parameters, not multiplications: each weight is used at every one of the n_H x n_W output "
         "positions", lambda h, w, c, f, p: (f * f * p + 1) * c),
        ("forgets the n_H x n_W output positions", lambda h, w, c, f, p: c * f * f * p),
        ("counts the additions too: count only the multiplications", lambda h, w, c, f, p: 2 * h * w * c * f * f * p),
        ("computed in float32, whose 24 bits lose the last digits of counts above 16,777,216: multiply Python ints",
         lambda h, w, c, f, p: product_in("float32", h, w, c, f, f, p)),
        (IN_INT32, lambda h, w, c, f, p: product_in("int32", h, w, c, f, f, p)),
    ],
    success="right on the lecture's cases (120,422,400 for the 5x5 convolution) and fresh random ones"))


check_bottleneck_layer = block_grader(BlockExercise(
    exercise="bottleneck_layer", reference=blocks.bottleneck_layer,
    # (input shape, (reduce, filters, f)): the lecture's 28x28x192 -> 16 -> 32 (5x5), and small ones.
    cases=[((28, 28, 192), (16, 32, 5)), ((7, 7, 6), (3, 5, 3)), ((6, 5, 4), (2, 7, 5))],
    setting_advice=lambda word, ordinal, setting, got, want, case: {
        "padding": "both convolutions keep n_H and n_W: padding='same' on the f x f one",
        "filters": "the 1x1 convolution has `reduce` filters, the f x f one `filters`",
        "kernel_size": "a 1x1 convolution first, then the f x f one"}.get(setting, ""),
    advice=lambda role, index, expected, found, case: "a 1x1 convolution to `reduce` channels with ReLU, then the "
                                                      "f x f 'same' convolution with ReLU",
    success="a 1x1 convolution to `reduce` channels, then the f x f 'same' convolution, both with ReLU"))

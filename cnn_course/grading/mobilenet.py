"""Graders of notebook 07, MobileNet: the cost of a depthwise-separable convolution, MobileNet v1's block and
MobileNetV2's inverted residual block; the depthwise convolution's padding is compared by the rows and columns it pads
(``padding="same"`` or a ``ZeroPadding2D``)."""

from __future__ import annotations

from cnn_course import blocks, costs
from cnn_course.grading import paths
from cnn_course.grading.block import BlockExercise, block_grader
from cnn_course.grading.formula import IN_INT32, Formula, formula_grader, product_in

check_separable_conv_multiplies = formula_grader(Formula(
    exercise="separable_conv_multiplies", reference=costs.separable_conv_multiplies,
    arguments=("n_out", "f", "n_c", "n_c_out"), parts=("depthwise", "pointwise"),
    # The lecture's 4x4x5 output from 3 channels, then cases whose four numbers all differ; f = 9 (MixNet's largest
    # kernel), so that f * f looked up for the usual 3, 5 and 7 fails on every grading, not only on a lucky draw
    cases=[(4, 3, 3, 5), (5, 3, 4, 7), (6, 5, 2, 9), (7, 3, 16, 8), (2, 5, 6, 3), (3, 9, 2, 4),
           (224, 3, 512, 1024)],  # a count past 2**32: 32-bit integers (np.prod's on Windows) wrap around
    draw=lambda rng: (int(rng.integers(1, 120)), int(rng.integers(1, 10)),
                      *(int(v) for v in rng.integers(1, 300, 2))),
    mistakes=[(IN_INT32, lambda n, f, c, o: (product_in("int32", n, n, f, f, c), product_in("int32", n, n, c, o)))],
    one_number=[("the cost of a normal convolution", lambda n, f, c, o: n * n * f * f * c * o),
                ("the sum of the two", lambda n, f, c, o: n * n * f * f * c + n * n * c * o)],
    part_mistakes={
        "depthwise": [
            ("counts f once: each depthwise filter is f x f", lambda n, f, c, o: n * n * f * c),
            ("multiplies by n_c_out: the depthwise step has one f x f filter per input channel, n_c of them, whatever "
             "n_c_out is", lambda n, f, c, o: n * n * f * f * c * o),
            ("counts n_c_out filters: the depthwise step has one f x f filter per input channel, n_c of them",
             lambda n, f, c, o: n * n * f * f * o),
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


_NO_SHORTCUT = "MobileNet v1's block has no shortcut: it is one chain of layers"


def _setting_advice(word, ordinal, setting, got, want, case) -> str:
    (input_shape, (filters, stride, *expansion)) = case
    if setting == "strides":
        return ("the stride belongs to the 3x3 depthwise convolution" + (f", which takes the block's stride, {stride}"
                if word == "DepthwiseConv2D" else "") + "; the 1x1 convolutions keep stride 1")
    if setting == "filters" and expansion and expansion[0] != 1 and ordinal == 1:
        return f"expansion x the input's channels = {expansion[0]} x {input_shape[-1]} = {want}"
    return {"use_bias": "MobileNet's convolutions have none (use_bias=False) -- the BatchNormalization after each adds "
                        "its own offset, beta",
            "filters": f"the 1x1 projection has `filters` = {filters} filters",
            "kernel_size": "the depthwise convolution is 3x3, the others 1x1"}.get(setting, "")


def _padding_advice(case) -> str:
    if case[1][1] == 1:
        return "padding='same' keeps n_H and n_W"
    if any(size % 2 for size in case[0][:2]):
        return ("use padding='same', as the text says: on an odd input it pads one row and column on each side "
                "(so does keras.applications' MobileNetV2); ZeroPadding2D(((0, 1), (0, 1))) is right on an even "
                "input only")
    return ("before a stride-2 depthwise convolution keras.applications pads one row at the bottom and one column at "
            "the right, ZeroPadding2D(((0, 1), (0, 1))), and convolves with padding='valid' (padding='same' pads the "
            "same on an even input)")


def _mobile_block(exercise, advice, added_advice, hints, **description) -> BlockExercise:
    """MobileNet's blocks: one chain from the input, perhaps with the input added at the end."""
    return BlockExercise(exercise=exercise, reference=getattr(blocks, exercise), advice=advice,
                         paths=lambda *read: paths.residual(*read, after=(), optional=True), added_advice=added_advice,
                         setting_advice=_setting_advice, padding_advice=_padding_advice, hints=hints, **description)


check_depthwise_separable_conv = block_grader(_mobile_block(
    "depthwise_separable_conv",
    lambda role, index, expected, found, case: "the pointwise convolution, too, is followed by BatchNormalization "
                                               "and ReLU6" if expected == "ReLU6" and found is None else "",
    (_NO_SHORTCUT, ""), [("incompatible shapes", _NO_SHORTCUT)],
    # (input shape, (filters, stride)); with stride 2 the sizes are even, as in MobileNet, where padding="same"
    # pads what keras.applications' ZeroPadding2D(((0, 1), (0, 1))) does.
    cases=[((8, 8, 3), (5, 1)), ((8, 6, 4), (6, 2)), ((7, 5, 2), (3, 1)), ((6, 10, 5), (8, 2))],
    repeated="MobileNet stacks 13 of these blocks in one model",
    success="depthwise 3x3 -> BN -> ReLU6 -> pointwise 1x1 -> BN -> ReLU6, as in MobileNet"))


def _inverted_advice(role, index, expected, found, case) -> str:
    if index == 0 and expected == "DepthwiseConv2D" and found == "Conv2D":
        return ("with expansion=1 there is nothing to expand: the block starts with the depthwise convolution (leave "
                "out the 1x1 expansion, as MobileNetV2's first block does)")
    if index == 0 and expected == "Conv2D" and found == "DepthwiseConv2D":
        return f"with expansion={case[1][2]} the block starts with a 1x1 Conv2D to expansion x the input's channels"
    if role == "main path" and expected is None and found in ("ReLU6", "ReLU"):
        return ("the projection is linear: no activation after the last BatchNormalization -- a ReLU on the narrow "
                "output would destroy information")
    return ""


check_inverted_residual_block = block_grader(_mobile_block(
    "inverted_residual_block", _inverted_advice,
    ("the input is added, but only blocks with stride 1 and filters equal to the input's channels have the shortcut, "
     "which is the input itself", "the input is not added -- with stride 1 and filters equal to the input's channels "
                                  "the block adds its input to the projection"),
    [(text, "add the block's input itself (x as it came in, not its expansion) only when the shapes match: stride 1 "
            "and filters equal to the input's channels; and at stride 1 the depthwise convolution keeps the size, "
            "padding='same'")
     for text in ("incompatible shapes", "Cannot broadcast")],
    # (input shape, (filters, stride, expansion)): with and without the addition, expansion 6, 3 and 1; stride 2 on
    # an odd input, and stride 1 with fewer filters than input channels.
    cases=[((6, 6, 4), (4, 1, 6)), ((8, 8, 3), (5, 2, 6)), ((7, 5, 4), (6, 1, 3)), ((6, 6, 5), (5, 1, 1)),
           ((8, 6, 4), (4, 2, 1)), ((7, 5, 3), (4, 2, 2)), ((6, 6, 8), (4, 1, 2))],
    repeated="MobileNetV2 stacks 17 of these blocks in one model",
    success="expansion -> depthwise -> linear projection, the input added when the shapes match"))

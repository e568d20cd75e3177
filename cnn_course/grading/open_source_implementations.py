"""Grader of notebook 09, open-source implementations: a PyTorch kernel in Keras' layout, on kernels whose four sizes
differ (so every axis mix-up and a reshape show in the shape), on a square one with as many inputs as outputs (so they
show in the values too), and on one-input-channel kernels, where only `depthwise` decides."""

from __future__ import annotations

import itertools

import numpy as np

from cnn_course.grading.array import ArrayExercise, array_grader, shaped


def keras_layout(weight, depthwise: bool):
    """The course's port of a PyTorch kernel: (out, in, kh, kw) -> (kh, kw, in, out); depthwise -> (kh, kw, c, 1)."""
    import keras

    from cnn_course.models.ported import to_keras_layout

    layer = keras.layers.DepthwiseConv2D(1) if depthwise else keras.layers.Conv2D(1, 1)
    return to_keras_layout(layer, "kernel", weight)


def _draw(rng) -> tuple:
    depthwise = bool(rng.integers(0, 2))
    out, inputs, kh, kw = (int(v) for v in rng.choice(np.arange(1, 8), size=4, replace=False))
    return (out, 1 if depthwise else inputs, kh, kw), depthwise


def _shape_advice(arguments, got, want) -> str:
    weight, depthwise = arguments
    if weight.shape[1] == 1 and tuple(got) == keras_layout(weight, not depthwise).shape:
        return "the depthwise flag is not followed: " + (
            "a depthwise kernel is (kh, kw, channels, 1)" if depthwise else
            "an ordinary kernel with one input channel is (kh, kw, 1, out) -- read the flag, not the shape")
    return _order_advice(arguments, lambda order: tuple(weight.shape[i] for i in order) == got)


def _order_advice(arguments, same) -> str:
    """The transpose the answer made, when one does (`same(order)`), and the one Keras wants."""
    weight, depthwise = arguments
    orders = [order for order in itertools.permutations(range(4)) if same(order)]
    wanted = "(kh, kw, channels, 1): transpose(2, 3, 0, 1)" if depthwise else "(kh, kw, in, out): transpose(2, 3, 1, 0)"
    return f"that is transpose{orders[0]}; Keras wants {wanted}" if orders else ""


check_to_keras_kernel = array_grader(ArrayExercise(
    exercise="to_keras_kernel", reference=keras_layout,
    # (out, in, kh, kw) of ordinary kernels (one with a single input channel); (channels, 1, kh, kw) of depthwise ones
    cases=[((5, 3, 4, 2), False), ((4, 6, 1, 1), False), ((2, 3, 5, 4), False), ((4, 1, 3, 2), False),
           ((6, 1, 3, 2), True), ((3, 1, 5, 3), True), ((5, 1, 3, 1), True),  # kw = 1: np.squeeze drops it
           ((3, 3, 4, 4), False)],  # in = out, kh = kw: an answer that swaps them only when the shape shows passes
    draw=_draw,
    arguments=lambda case, rng: (rng.normal(size=case[0]).astype("float32"), case[1]),
    describe=lambda case, args: f"to_keras_kernel(weight of shape {case[0]}{', depthwise=True' if case[1] else ''})",
    inputs=("the weight", "depthwise"), result="the kernel",
    as_array=shaped,
    shape_advice=_shape_advice,
    advise=lambda arguments, got: _order_advice(arguments, lambda order: np.array_equal(
        got, np.transpose(arguments[0], order))),
    mistakes=[("the shape is right but the numbers are in the wrong places: a reshape keeps the memory order -- move "
               "the axes with transpose", lambda w, d: w.reshape(keras_layout(w, d).shape)),
              ("the kernel is flipped: both libraries compute a cross-correlation, so keep (kh, kw) as they are",
               lambda w, d: keras_layout(w, d)[::-1, ::-1])],
    success="the Keras layout of 5 ordinary and 3 depthwise kernels, and of fresh ones"))

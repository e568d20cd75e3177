"""Grader of notebook 04, 1x1 convolutions: a 1x1 convolution with ReLU written in NumPy, against Keras'
``Conv2D(n_C, 1, activation="relu")`` with the same weights."""

from __future__ import annotations

import numpy as np

from cnn_course.grading.array import ArrayExercise, array_grader, numpy_only


def keras_one_by_one(volume, weights, bias):
    """Keras' 1x1 convolution with ReLU on `volume` with `weights` (n_C_prev, n_C) and `bias`."""
    import keras

    conv = keras.layers.Conv2D(weights.shape[1], 1, activation="relu")
    conv.build(volume.shape)
    conv.set_weights([weights.reshape(1, 1, *weights.shape), bias])
    return np.asarray(conv(volume))


check_one_by_one_as_dense = array_grader(ArrayExercise(
    exercise="one_by_one_as_dense", reference=keras_one_by_one,
    # (batch, n_H, n_W, n_C_prev, n_C): the lecture's 6x6x32 volume, and shapes whose numbers all differ.
    cases=[(1, 6, 6, 32, 4), (2, 5, 3, 7, 2), (3, 4, 4, 2, 9)],
    draw=lambda rng: tuple(int(v) for v in rng.integers(1, [4, 9, 9, 13, 13])),
    arguments=lambda case, rng: tuple(rng.normal(size=shape).astype("float32")  # the volume, weights and bias
                                      for shape in (case[:4], case[3:], case[4:])),
    describe=lambda case, args: f"one_by_one_as_dense(volume {args[0].shape}, weights {args[1].shape}, bias "
                                f"{args[2].shape})",
    inputs=("the volume", "the weights", "the bias"),
    as_array=numpy_only,
    mistakes=[("the bias is missing: add b to every pixel's weighted sum", lambda v, w, b: np.maximum(v @ w, 0)),
              ("the ReLU is missing: a 1x1 convolution layer applies its activation at every pixel",
               lambda v, w, b: v @ w + b),
              ("the bias is added after the ReLU: ReLU(volume @ weights + bias), the bias inside",
               lambda v, w, b: np.maximum(v @ w, 0) + b)],
    shape_advice=lambda args, got, want: "the output keeps (m, n_H, n_W) and has one channel per column of weights",
    hints=[("mismatch", "weights has shape (n_C_prev, n_C): each pixel's n_C_prev values times weights give its n_C "
                        "outputs (volume @ weights)"),
           ("scalar index", "np.max(0, z) reads z as an axis: the element-wise ReLU is np.maximum(z, 0)")],
    success="equals Keras's 1x1 Conv2D with ReLU on the lecture's volume and on fresh ones"),
    answer_key=["keras.layers.Layer.__call__", "keras.ops.conv", "tensorflow.nn.conv2d", "tensorflow.nn.convolution",
                "tensorflow.python.ops.gen_nn_ops.conv2d"])  # under tf.raw_ops.Conv2D and tf.compat.v1's too

"""Graders of notebook 04, 1x1 convolutions."""

from __future__ import annotations

import numpy as np

from cnn_course.grading.report import grader

# (batch, n_H, n_W, n_C_prev, n_C): the lecture's 6x6x32 volume, and shapes whose numbers all differ.
_DENSE_CASES = [(1, 6, 6, 32, 4), (2, 5, 3, 7, 2), (3, 4, 4, 2, 9)]


def _one_by_one_reference(volume, weights, bias):
    """A 1x1 convolution with ReLU, computed by Keras from the same weights."""
    import keras

    conv = keras.layers.Conv2D(weights.shape[1], 1, activation="relu")
    conv.build(volume.shape)
    conv.set_weights([weights.reshape(1, 1, *weights.shape), bias])
    return np.asarray(conv(volume))


# Plausible mistakes: what the learner's output equals, and what to say.
_MISTAKES = [
    (lambda v, w, b: np.maximum(v @ w, 0), "the bias is missing: add b to every pixel's weighted sum"),
    (lambda v, w, b: v @ w + b, "the ReLU is missing: a 1x1 convolution layer applies its activation at every pixel"),
]


@grader("one_by_one_as_dense", answer_key=["keras.layers.Layer.__call__", "keras.ops.conv", "tensorflow.nn.conv2d",
                                           "tensorflow.nn.convolution"])
def check_one_by_one_as_dense(one_by_one_as_dense, report) -> None:
    """Grade ``one_by_one_as_dense(volume, weights, bias)`` against Keras's Conv2D(n_C, 1, activation="relu")."""
    for case, (m, n_h, n_w, n_c_prev, n_c) in enumerate(_DENSE_CASES):
        rng = np.random.default_rng(case)
        volume = rng.normal(size=(m, n_h, n_w, n_c_prev)).astype("float32")
        weights = rng.normal(size=(n_c_prev, n_c)).astype("float32")
        bias = rng.normal(size=(n_c,)).astype("float32")
        what = f"one_by_one_as_dense(volume {volume.shape}, weights {weights.shape}, bias {bias.shape})"
        got = report.call(one_by_one_as_dense, volume.copy(), weights.copy(), bias.copy(), what=what,
                          hints=[("mismatch", "weights has shape (n_C_prev, n_C): each pixel's n_C_prev values times "
                                              "weights give its n_C outputs (volume @ weights)"),
                                 ("scalar index", "np.max(0, z) reads z as an axis: the element-wise ReLU is "
                                                  "np.maximum(z, 0)")])
        report.require(isinstance(got, np.ndarray), "returns a NumPy array",
                       f"{what} returned {type(got).__name__}: compute it with NumPy (volume @ weights ...) and "
                       f"return the np.ndarray")
        want = _one_by_one_reference(volume, weights, bias)
        report.require(got.shape == want.shape, f"{what} -> {want.shape}",
                       f"{what} has shape {got.shape}, expected {want.shape}: the output keeps (m, n_H, n_W) and "
                       f"has one channel per column of weights")
        if not np.allclose(got, want, atol=1e-4):
            hint = next((why for mistake, why in _MISTAKES if np.allclose(got, mistake(volume, weights, bias),
                                                                              atol=1e-4)), "")
            report.fail(f"{what} differs from a Keras 1x1 convolution with the same weights (max "
                        f"difference {np.abs(got - want).max():.3g})" + (f": {hint}" if hint else ""))
    report.success(f"equals Keras's 1x1 Conv2D with ReLU on {len(_DENSE_CASES)} volumes")

"""Gradients on the running backend."""

import keras
import numpy as np
from keras import layers

from cnn_course import autodiff


def test_gradients_match_the_hand_derived_gradient_of_a_softmax_layer():
    """For softmax regression, d(mean cross-entropy)/dW = x^T (p - onehot(y)) / m on any backend."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax", name="dense")])
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, size=32)
    dense = model.get_layer("dense")
    kernel_gradient, bias_gradient = autodiff.gradients(model, x, y, [dense.kernel, dense.bias])
    error = np.asarray(model(x)) - np.eye(3)[y]
    np.testing.assert_allclose(kernel_gradient, x.T @ error / len(x), atol=1e-6)
    np.testing.assert_allclose(bias_gradient, error.mean(axis=0), atol=1e-6)

"""What the transfer-learning graders share: a small base to grade on, and reading which variables moved."""

from __future__ import annotations

import numpy as np

from cnn_course.fixtures import randomize_weights


def grading_base(stages=(8, 12, 16), seed: int = 0):
    """A small pretrained-like base with random weights and batch-norm statistics: per stage a 3x3
    convolution (stride 2 in the first three), batch norm, ReLU and a 1x1 convolution, so that a layer
    with weights sits on each side of a stage's border (counting layers one off changes what trains)."""
    import keras
    from keras import layers

    inputs = keras.Input((32, 32, 3))
    x = inputs
    for i, filters in enumerate(stages):
        x = layers.Conv2D(filters, 3, strides=2 if i < 3 else 1, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
        x = layers.Conv2D(filters, 1, name=f"pointwise{i}")(x)
    base = keras.Model(inputs, x, name=f"grading_base_{seed}")
    randomize_weights(base, seed=seed)
    return base


def snapshot(model) -> dict:
    """Every variable's value by path: weights and batch-norm statistics."""
    return {variable.path: np.array(variable) for variable in model.weights}


def moved(before: dict, model) -> set:
    """Paths of `model`'s variables whose values differ from `before`."""
    return {variable.path for variable in model.weights if not np.array_equal(before[variable.path], variable)}


def pooled(base, images, scale=lambda x: x / 127.5 - 1) -> np.ndarray:
    """The frozen part computed directly: base on `scale`d pixels, averaged over positions."""
    return np.asarray(base(scale(np.asarray(images, "float32")), training=False)).mean(axis=(1, 2))


def softmax(logits):
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)

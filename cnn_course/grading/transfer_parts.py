"""What the transfer-learning graders share: a small base to grade on, and reading which variables moved."""

from __future__ import annotations

import numpy as np

from cnn_course.fixtures import randomize_weights
from cnn_course.graph import producer


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


def head_layers(model, base) -> list:
    """The model's layers from the base's output to the model's output, in order."""
    head, tensor = [], model.outputs[0]
    while True:
        layer, inputs = producer(tensor)
        if layer is None or layer is base or len(inputs) != 1:
            return head[::-1]
        head.append(layer)
        tensor = inputs[0]


def check_dropout(model, base, what, report) -> None:
    """One Dropout(0.2), on the pooled vector, before the softmax Dense -- as the exercise says."""
    import keras

    head = head_layers(model, base)
    dropouts = [layer for layer in head if isinstance(layer, keras.layers.Dropout)]
    report.precondition(len(dropouts) == 1, f"{what}: {len(dropouts) or 'no'} Dropout layers between the base and "
                        f"the output; the exercise asks for one, layers.Dropout(0.2), between the pooling and the "
                        f"softmax Dense")
    dropout = dropouts[0]
    dense = next((i for i, layer in enumerate(head) if isinstance(layer, keras.layers.Dense)), len(head))
    report.precondition(head.index(dropout) < dense, f"{what}: the Dropout comes after the softmax Dense, where it "
                        f"would drop probabilities: put it before the Dense, on the pooled features")
    report.precondition(len(dropout.input.shape) == 2, f"{what}: the Dropout is applied to the feature maps "
                        f"{tuple(dropout.input.shape)}; apply it to the pooled vector, after GlobalAveragePooling2D")
    report.require(abs(dropout.rate - 0.2) < 1e-9, "Dropout(0.2) on the pooled features, before the softmax",
                   f"{what}: Dropout({dropout.rate:g}); the exercise asks for Dropout(0.2)")

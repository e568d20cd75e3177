"""GoogLeNet (Inception v1): nine Inception modules, with the two auxiliary classifiers.

Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke & Rabinovich, "Going Deeper
with Convolutions", CVPR 2015 (arXiv:1409.4842). The name honours LeNet; the paper's
motto, "we need to go deeper", comes from the film *Inception*.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
from keras import layers

from cnn_course.blocks import inception_module
from cnn_course.models.heads import check_arguments, classifier_head, image_input, source_inputs
from cnn_course.models.weights import load_weights


class InceptionRow(NamedTuple):
    """One row of the paper's Table 1: an Inception module, perhaps after a 3x3/2 max-pool."""

    name: str
    filters: tuple  # (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj)
    pool_before: str = ""  # name of the 3x3 max-pool with stride 2 that halves the maps first


GOOGLENET_MODULES = (
    InceptionRow("3a", (64, 96, 128, 16, 32, 32)), InceptionRow("3b", (128, 128, 192, 32, 96, 64)),
    InceptionRow("4a", (192, 96, 208, 16, 48, 64), pool_before="pool3"),
    InceptionRow("4b", (160, 112, 224, 24, 64, 64)), InceptionRow("4c", (128, 128, 256, 24, 64, 64)),
    InceptionRow("4d", (112, 144, 288, 32, 64, 64)), InceptionRow("4e", (256, 160, 320, 32, 128, 128)),
    InceptionRow("5a", (256, 160, 320, 32, 128, 128), pool_before="pool4"),
    InceptionRow("5b", (384, 192, 384, 48, 128, 128)),
)
# The auxiliary classifiers sit on these modules' outputs; their losses count 0.3 each in training.
AUX_AFTER = ("4a", "4d")
AUX_LOSS_WEIGHT = 0.3


def GoogLeNet(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
              aux_classifiers=False, width=1.0, classifier_activation="softmax", name="googlenet"):
    """GoogLeNet: a convolutional stem, nine Inception modules, global average pooling,
    40% dropout and a softmax; 6,998,552 parameters at 224x224 with 1000 classes.

    With ``aux_classifiers=True`` the model has three outputs, ``[main, aux1, aux2]``: the two
    side branches of the paper (on modules 4a and 4d: 5x5 average pool with stride 3, 1x1
    convolution with 128 filters, a 1024-unit layer, 70% dropout, a softmax), 13,378,280
    parameters in all. Train with ``loss_weights=[1, AUX_LOSS_WEIGHT, AUX_LOSS_WEIGHT]`` and
    predict with the first output. A side branch pools its input to 4x4, as the paper's does
    on 14x14 maps; on maps smaller than 14x14 (small images) the window shrinks to n - 3 with
    stride 1. The paper's local response normalization is left out (later work found it does
    not help); every convolution has a bias and ReLU.

    Args:
        include_top: add the pooling, dropout and classifier (and the side branches).
        weights: None (random) or the path of a weights file (none are published for Keras).
        input_tensor: a Keras tensor to build the model on (e.g. the output of other layers), as in
            keras.applications; the model's inputs are then those it comes from.
        input_shape: defaults to (224, 224, 3).
        pooling: without the top, None, "avg" or "max".
        classes: outputs of the classifier(s).
        aux_classifiers: add the two auxiliary classifiers (only with the top).
        width: multiplies every layer's number of filters and units (at least 1 each); e.g.
            0.25 gives a narrow GoogLeNet that trains on a CPU.
        classifier_activation: activation of the classifier(s).
        name: model name.
    """
    def n(filters):
        return max(1, round(filters * width))

    check_arguments(weights, include_top, pooling, classes)
    inputs = image_input(input_tensor, input_shape or (224, 224, 3))
    x = layers.Conv2D(n(64), 7, strides=2, padding="same", activation="relu", name="conv1_7x7_s2")(inputs)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1_3x3_s2")(x)
    x = layers.Conv2D(n(64), 1, activation="relu", name="conv2_3x3_reduce")(x)
    x = layers.Conv2D(n(192), 3, padding="same", activation="relu", name="conv2_3x3")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool2_3x3_s2")(x)
    side_outputs = []
    for row in GOOGLENET_MODULES:
        if row.pool_before:
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"{row.pool_before}_3x3_s2")(x)
        x = inception_module(x, [n(f) for f in row.filters], name=f"inception_{row.name}")
        if include_top and aux_classifiers and row.name in AUX_AFTER:
            side_outputs.append(_auxiliary_classifier(x, classes, classifier_activation, n,
                                                      f"aux{len(side_outputs) + 1}"))
    x = classifier_head(x, include_top, pooling, classes, classifier_activation, dropout=0.4)
    model = keras.Model(source_inputs(input_tensor, inputs), [x, *side_outputs] if side_outputs else x, name=name)
    return load_weights(model, weights)


def _auxiliary_classifier(x, classes, activation, n, name):
    """A side branch that classifies from an intermediate module (the paper's Section 5)."""
    size = min(x.shape[1], x.shape[2])
    if size < 4:
        raise ValueError(f"the auxiliary classifiers need a 4x4 or larger map at module {AUX_AFTER[0]}, "
                         f"got {x.shape[1]}x{x.shape[2]}: use a larger input_shape (at least 49x49)")
    window, stride = (5, 3) if size >= 14 else (size - 3, 1)  # pool to 4x4 as the paper does on 14x14
    x = layers.AveragePooling2D(window, strides=stride, name=f"{name}_pool")(x)
    x = layers.Conv2D(n(128), 1, activation="relu", name=f"{name}_conv")(x)
    x = layers.Flatten(name=f"{name}_flatten")(x)
    x = layers.Dense(n(1024), activation="relu", name=f"{name}_fc")(x)
    x = layers.Dropout(0.7, name=f"{name}_dropout")(x)
    return layers.Dense(classes, activation=activation, name=f"{name}_predictions")(x)

"""EfficientNet B0-B7, layer for layer keras.applications', from one block table and the compound
scaling coefficients.

Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", ICML 2019
(arXiv:1905.11946).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import keras
from keras import layers

from cnn_course.blocks import mbconv_block
from cnn_course.models.heads import check_arguments, classifier_head
from cnn_course.models.mobilenet import make_divisible
from cnn_course.models.weights import load_weights


class Stage(NamedTuple):
    """A row of EfficientNet-B0's Table 1: `repeats` MBConv blocks (the first with `stride`)."""

    kernel_size: int
    repeats: int
    filters_in: int
    filters_out: int
    expansion: int
    stride: int


B0_STAGES = (Stage(3, 1, 32, 16, 1, 1), Stage(3, 2, 16, 24, 6, 2), Stage(5, 2, 24, 40, 6, 2),
             Stage(3, 3, 40, 80, 6, 2), Stage(5, 3, 80, 112, 6, 1), Stage(5, 4, 112, 192, 6, 2),
             Stage(3, 1, 192, 320, 6, 1))


class Scaling(NamedTuple):
    """How much wider, deeper and larger-input a variant is than B0, and its top dropout."""

    width: float
    depth: float
    resolution: int
    dropout: float


SCALING = {"b0": Scaling(1.0, 1.0, 224, 0.2), "b1": Scaling(1.0, 1.1, 240, 0.2), "b2": Scaling(1.1, 1.2, 260, 0.3),
           "b3": Scaling(1.2, 1.4, 300, 0.3), "b4": Scaling(1.4, 1.8, 380, 0.4), "b5": Scaling(1.6, 2.2, 456, 0.4),
           "b6": Scaling(1.8, 2.6, 528, 0.5), "b7": Scaling(2.0, 3.1, 600, 0.5)}


def round_filters(filters: int, width: float, divisor: int = 8) -> int:
    """B0's `filters` scaled by `width`, rounded as keras.applications does (`make_divisible`)."""
    return make_divisible(filters * width, divisor)


def round_repeats(repeats: int, depth: float) -> int:
    """B0's `repeats` scaled by `depth`, rounded up."""
    return int(math.ceil(depth * repeats))


def EfficientNet(scaling: Scaling, include_top=True, weights=None, input_shape=None, pooling=None, classes=1000,
                 classifier_activation="softmax", drop_connect_rate=0.2, name="efficientnet"):
    """B0's stem, MBConv stages and head, scaled in width and depth by `scaling`; the input size
    defaults to ``scaling.resolution``. Called by `EfficientNetB0` ... `EfficientNetB7`."""
    check_arguments(weights, include_top, pooling, classes)
    size = scaling.resolution
    inputs = keras.Input(input_shape or (size, size, 3))
    x = layers.Rescaling(1.0 / 255.0, name="rescaling")(inputs)
    x = layers.Normalization(axis=-1, name="normalization")(x)
    odd = x.shape[1] % 2, x.shape[2] % 2
    x = layers.ZeroPadding2D(((odd[0], 1), (odd[1], 1)), name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32, scaling.width), 3, strides=2, use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("swish", name="stem_activation")(x)
    total = sum(round_repeats(stage.repeats, scaling.depth) for stage in B0_STAGES)
    done = 0
    for number, stage in enumerate(B0_STAGES, start=1):
        for repeat in range(round_repeats(stage.repeats, scaling.depth)):
            x = mbconv_block(x, round_filters(stage.filters_out, scaling.width), stage.kernel_size,
                             stage.stride if repeat == 0 else 1, stage.expansion, se_ratio=0.25,
                             drop_rate=drop_connect_rate * done / total, name=f"block{number}{chr(97 + repeat)}_")
            done += 1
    x = layers.Conv2D(round_filters(1280, scaling.width), 1, padding="same", use_bias=False, name="top_conv")(x)
    x = layers.BatchNormalization(name="top_bn")(x)
    x = layers.Activation("swish", name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dropout(scaling.dropout, name="top_dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = classifier_head(x, include_top, pooling, classes)
    return load_weights(keras.Model(inputs, x, name=name), weights)


def _variant(key: str):
    def build(include_top=True, weights=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=f"efficientnet{key}"):
        return EfficientNet(SCALING[key], include_top, weights, input_shape, pooling, classes, classifier_activation,
                            name=name)

    build.__name__ = f"EfficientNet{key.upper()}"
    build.__doc__ = (f"EfficientNet-{key.upper()}: B0 with width x {SCALING[key].width}, depth x {SCALING[key].depth} "
                     f"and {SCALING[key].resolution}x{SCALING[key].resolution} inputs; arguments as in `ResNet50`.")
    return build


EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3 = (_variant(k) for k in ("b0", "b1", "b2", "b3"))
EfficientNetB4, EfficientNetB5, EfficientNetB6, EfficientNetB7 = (_variant(k) for k in ("b4", "b5", "b6", "b7"))

"""MobileNet v1 and v2, layer for layer keras.applications' MobileNet and MobileNetV2.

Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision
Applications", 2017 (arXiv:1704.04861); Sandler et al., "MobileNetV2: Inverted Residuals and
Linear Bottlenecks", CVPR 2018 (arXiv:1801.04381).
"""

from __future__ import annotations

from typing import NamedTuple

import keras
from keras import layers

from cnn_course.blocks import bn_relu6, depthwise_separable_conv, inverted_residual_block
from cnn_course.models.heads import check_arguments, classifier_head
from cnn_course.models.weights import load_weights

# MobileNet v1's 13 depthwise-separable blocks (the paper's Table 1): (filters, stride).
MOBILENET_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1),
                    (512, 1), (512, 1), (1024, 2), (1024, 1))


class Bottleneck(NamedTuple):
    """A row of MobileNetV2's Table 1: `repeats` inverted residual blocks with expansion factor
    `expansion` and `filters` outputs; the first has stride `stride`."""

    expansion: int
    filters: int
    repeats: int
    stride: int


MOBILENET_V2_BOTTLENECKS = (Bottleneck(1, 16, 1, 1), Bottleneck(6, 24, 2, 2), Bottleneck(6, 32, 3, 2),
                            Bottleneck(6, 64, 4, 2), Bottleneck(6, 96, 3, 1), Bottleneck(6, 160, 3, 2),
                            Bottleneck(6, 320, 1, 1))


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round a scaled channel count to the nearest multiple of `divisor` (at least `divisor`), never
    more than 10% below `value`: keras.applications' rule for MobileNetV2 and EfficientNet."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True, weights=None,
              pooling=None, classes=1000, classifier_activation="softmax", name=None):
    """MobileNet v1: a 3x3 convolution with stride 2, 13 `depthwise_separable_conv` blocks, global
    average pooling and a 1x1 convolution as the classifier; 4,253,864 parameters at 224x224 with
    the top.

    Args:
        input_shape: defaults to (224, 224, 3).
        alpha: the width multiplier: every layer has `alpha` times the filters.
        depth_multiplier: the depthwise convolutions' filters per input channel (the resolution
            multiplier of the paper is the input size).
        dropout: dropout rate before the classifier.
        include_top, weights, pooling, classes, classifier_activation: as in `ResNet50` (this
            course publishes no ImageNet file checksums for MobileNet yet: weights=None or a file).
        name: model name (default "mobilenet_{alpha}_{rows}", as keras.applications').
    """
    check_arguments(weights, include_top, pooling, classes)
    inputs = keras.Input(input_shape or (224, 224, 3))
    x = layers.Conv2D(int(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="conv1")(inputs)
    x = bn_relu6(x, "conv1", "bn", momentum=0.99)
    for block_id, (filters, stride) in enumerate(MOBILENET_BLOCKS, start=1):
        x = depthwise_separable_conv(x, int(filters * alpha), stride, depth_multiplier, block_id=block_id)
    if include_top:  # keras.applications' classifier: a 1x1 convolution on the pooled 1x1 map
        x = layers.GlobalAveragePooling2D(keepdims=True, name="avg_pool")(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, 1, padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    else:
        x = classifier_head(x, include_top, pooling, classes)
    model = keras.Model(inputs, x, name=name or f"mobilenet_{alpha:0.2f}_{inputs.shape[1]}")
    return load_weights(model, weights)


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights=None, pooling=None, classes=1000,
                classifier_activation="softmax", name=None):
    """MobileNetV2: a 3x3 convolution with stride 2, 17 `inverted_residual_block`s in the seven rows
    of `MOBILENET_V2_BOTTLENECKS`, a 1x1 convolution to 1,280 channels, global average pooling and a
    softmax; 3,538,984 parameters at 224x224 with the top.

    Args:
        input_shape: defaults to (224, 224, 3).
        alpha: the width multiplier (channel counts rounded by `make_divisible`).
        include_top, weights, pooling, classes, classifier_activation: as in `MobileNet`.
        name: model name (default "mobilenetv2_{alpha}_{rows}", as keras.applications').
    """
    check_arguments(weights, include_top, pooling, classes)
    inputs = keras.Input(input_shape or (224, 224, 3))
    x = layers.Conv2D(make_divisible(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="Conv1")(inputs)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    block_id = 0
    for row in MOBILENET_V2_BOTTLENECKS:
        for repeat in range(row.repeats):
            name_of_block = f"block_{block_id}" if block_id else "expanded_conv"
            x = inverted_residual_block(x, make_divisible(int(row.filters * alpha)), row.stride if repeat == 0 else 1,
                                        row.expansion, name=name_of_block)
            block_id += 1
    x = layers.Conv2D(make_divisible(1280 * alpha) if alpha > 1.0 else 1280, 1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    x = classifier_head(x, include_top, pooling, classes, classifier_activation)
    model = keras.Model(inputs, x, name=name or f"mobilenetv2_{alpha:0.2f}_{inputs.shape[1]}")
    return load_weights(model, weights)

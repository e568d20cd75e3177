"""MobileNet v1 and v2, layer for layer keras.applications' MobileNet and MobileNetV2.

Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision
Applications", 2017 (arXiv:1704.04861); Sandler et al., "MobileNetV2: Inverted Residuals and
Linear Bottlenecks", CVPR 2018 (arXiv:1801.04381). For their ImageNet weights, as keras.applications.mobilenet
and mobilenet_v2: `preprocess_input` (keras' own, "tf": pixels scaled to [-1, 1]) and `decode_predictions`
(keras', with the class index shipped in data/).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import keras
from keras import layers
from keras.applications.mobilenet import preprocess_input as preprocess_input

from cnn_course.blocks import bn_relu6, depthwise_separable_conv, inverted_residual_block
from cnn_course.models.heads import check_arguments, classifier_head, image_input, input_shape_of, source_inputs
from cnn_course.models.imagenet import decode_predictions as decode_predictions
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


# keras.applications' ImageNet files: where they are, and the width multipliers and square input
# sizes they exist for. keras.applications publishes NO hash for them, so their download is not
# verified (fetch's file_hash=None); we could not download them to compute one.
_MOBILENET_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_MOBILENET_V2_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
MOBILENET_IMAGENET = {"alphas": (0.25, 0.5, 0.75, 1.0), "sizes": (128, 160, 192, 224)}
MOBILENET_V2_IMAGENET = {"alphas": (0.35, 0.5, 0.75, 1.0, 1.3, 1.4), "sizes": (96, 128, 160, 192, 224)}


def _imagenet_files(what: str, alpha: float, input_shape, alphas, sizes, file_name) -> dict:
    """``{include_top: (file name, None)}`` for `load_weights`, after keras.applications' checks: `alpha`
    must be one of `alphas` (else a one-line ValueError); an input that is not square of one of `sizes`
    gets the 224x224 files, with a warning, as in keras.applications (only without the top: with it,
    `check_arguments` already refused such a size). `file_name(include_top, rows)` names a file."""
    if alpha not in alphas:
        raise ValueError(f"{what} ImageNet weights exist for alpha in {alphas}, got alpha={alpha}; "
                         "use weights=None for other widths")
    rows, cols = (input_shape or (224, 224))[:2]
    if rows != cols or rows not in sizes:
        warnings.warn(f"{what} ImageNet weights exist for square inputs of {sizes}: loading the 224x224 ones "
                      f"into a {rows}x{cols} input", stacklevel=3)
        rows = 224
    return {top: (file_name(top, rows), None) for top in (True, False)}  # None: no published hash


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round a scaled channel count to the nearest multiple of `divisor` (at least `divisor`), never
    more than 10% below `value`: keras.applications' rule for MobileNetV2 and EfficientNet."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True, weights=None,
              input_tensor=None, pooling=None, classes=1000, classifier_activation="softmax", name=None):
    """MobileNet v1: a 3x3 convolution with stride 2, 13 `depthwise_separable_conv` blocks, global
    average pooling and a 1x1 convolution as the classifier; 4,253,864 parameters at 224x224 with
    the top.

    Args:
        input_shape: defaults to (224, 224, 3).
        alpha: the width multiplier: every layer has `alpha` times the filters.
        depth_multiplier: the depthwise convolutions' filters per input channel (the resolution
            multiplier of the paper is the input size).
        dropout: dropout rate before the classifier.
        include_top, weights, input_tensor, pooling, classes, classifier_activation: as in `ResNet50`, but
            ``weights="imagenet"`` downloads keras.applications' file *without a checksum*:
            keras.applications publishes none for MobileNet. Those files exist for `alpha` 0.25,
            0.5, 0.75, 1.0, ``depth_multiplier=1`` and square inputs of 128, 160, 192, 224 pixels
            (another size without the top loads the 224 ones, with a warning). ImageNet inputs: `preprocess_input`.
        name: model name (default "mobilenet_{alpha}_{rows}", as keras.applications').
    """
    check_arguments(weights, include_top, pooling, classes, imagenet=True, input_shape=input_shape,
                    imagenet_sizes=MOBILENET_IMAGENET["sizes"], input_tensor=input_tensor)
    files = None
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError(f"MobileNet ImageNet weights need depth_multiplier=1, got {depth_multiplier}")
        text = {0.25: "2_5", 0.5: "5_0", 0.75: "7_5", 1.0: "1_0"}.get(alpha)
        files = _imagenet_files("MobileNet", alpha, input_shape_of(input_shape, input_tensor), **MOBILENET_IMAGENET,
                                file_name=lambda top, rows: f"mobilenet_{text}_{rows}_tf{'' if top else '_no_top'}.h5")
    inputs = image_input(input_tensor, input_shape or (224, 224, 3))
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
    model = keras.Model(source_inputs(input_tensor, inputs), x,
                        name=name or f"mobilenet_{alpha:0.2f}_{inputs.shape[1]}")
    return load_weights(model, weights, include_top, files, _MOBILENET_URL)


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights=None, input_tensor=None, pooling=None,
                classes=1000, classifier_activation="softmax", name=None, linear_bottleneck=True):
    """MobileNetV2: a 3x3 convolution with stride 2, 17 `inverted_residual_block`s in the seven rows
    of `MOBILENET_V2_BOTTLENECKS`, a 1x1 convolution to 1,280 channels, global average pooling and a
    softmax; 3,538,984 parameters at 224x224 with the top.

    Args:
        input_shape: defaults to (224, 224, 3).
        alpha: the width multiplier (channel counts rounded by `make_divisible`).
        include_top, weights, input_tensor, pooling, classes, classifier_activation: as in `MobileNet` (ImageNet
            files, downloaded *without a checksum* since keras.applications publishes none, exist
            for `alpha` 0.35, 0.5, 0.75, 1.0, 1.3, 1.4 and square inputs of 96, 128, 160, 192, 224).
        name: model name (default "mobilenetv2_{alpha}_{rows}", as keras.applications').
        linear_bottleneck: False adds a ReLU6 after every block's projection, for the ablation of
            Sandler et al. section 6.2 / Fig. 6 (see `inverted_residual_block`); the default builds
            keras.applications' layers exactly. ImageNet weights need the default.
    """
    check_arguments(weights, include_top, pooling, classes, imagenet=True, input_shape=input_shape,
                    imagenet_sizes=MOBILENET_V2_IMAGENET["sizes"], input_tensor=input_tensor)
    files = None
    if weights == "imagenet":
        if not linear_bottleneck:
            raise ValueError("MobileNetV2's ImageNet weights were trained with linear bottlenecks: "
                             "use linear_bottleneck=True, or weights=None for the ablation")
        files = _imagenet_files("MobileNetV2", alpha, input_shape_of(input_shape, input_tensor),
                                **MOBILENET_V2_IMAGENET,
                                file_name=lambda top, rows: "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_"
                                f"{float(alpha)}_{rows}{'' if top else '_no_top'}.h5")
    inputs = image_input(input_tensor, input_shape or (224, 224, 3))
    x = layers.Conv2D(make_divisible(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="Conv1")(inputs)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    block_id = 0
    for row in MOBILENET_V2_BOTTLENECKS:
        for repeat in range(row.repeats):
            name_of_block = f"block_{block_id}" if block_id else "expanded_conv"
            x = inverted_residual_block(x, make_divisible(int(row.filters * alpha)), row.stride if repeat == 0 else 1,
                                        row.expansion, name=name_of_block, linear=linear_bottleneck)
            block_id += 1
    x = layers.Conv2D(make_divisible(1280 * alpha) if alpha > 1.0 else 1280, 1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    x = classifier_head(x, include_top, pooling, classes, classifier_activation)
    model = keras.Model(source_inputs(input_tensor, inputs), x,
                        name=name or f"mobilenetv2_{alpha:0.2f}_{inputs.shape[1]}")
    return load_weights(model, weights, include_top, files, _MOBILENET_V2_URL)

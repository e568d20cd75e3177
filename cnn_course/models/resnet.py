"""Residual networks: ResNet-50 (layer for layer keras.applications.ResNet50), ResNet-18,
and the paper's small CIFAR networks, each with a `plain` twin without shortcuts.

He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", CVPR 2016
(arXiv:1512.03385). For ResNet50's ImageNet weights, as keras.applications.resnet: `preprocess_input`
(keras' own, "caffe": RGB to BGR, ImageNet's mean pixel subtracted, no scaling) and `decode_predictions`
(keras', with the class index shipped in data/).
"""

from __future__ import annotations

from typing import NamedTuple

import keras
from keras import layers
from keras.applications.resnet import preprocess_input as preprocess_input

from cnn_course.blocks import BN_EPSILON, convolutional_block, identity_block, residual_block
from cnn_course.models.heads import check_arguments, classifier_head, image_input, source_inputs
from cnn_course.models.imagenet import decode_predictions as decode_predictions
from cnn_course.models.weights import load_weights


class Stage(NamedTuple):
    """One stage of a ResNet: `blocks` residual blocks; the first has stride `stride`."""

    filters: int  # the bottleneck block's F1 (its filters are F1, F1, 4 F1), or the two-layer block's filters
    blocks: int
    stride: int


# The paper's Table 1 (conv2_x ... conv5_x).
RESNET50_STAGES = (Stage(filters=64, blocks=3, stride=1), Stage(filters=128, blocks=4, stride=2),
                   Stage(filters=256, blocks=6, stride=2), Stage(filters=512, blocks=3, stride=2))
RESNET18_STAGES = (Stage(filters=64, blocks=2, stride=1), Stage(filters=128, blocks=2, stride=2),
                   Stage(filters=256, blocks=2, stride=2), Stage(filters=512, blocks=2, stride=2))


def cifar_stages(depth: int) -> tuple[Stage, ...]:
    """The paper's CIFAR networks (Section 4.2): three stages of n = (depth - 2) / 6 blocks."""
    if (depth - 2) % 6 or depth < 8:
        raise ValueError(f"depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, ...), got {depth}")
    n = (depth - 2) // 6
    return (Stage(filters=16, blocks=n, stride=1), Stage(filters=32, blocks=n, stride=2),
            Stage(filters=64, blocks=n, stride=2))


_RESNET50_WEIGHTS = {  # keras.applications' files and hashes
    True: ("resnet50_weights_tf_dim_ordering_tf_kernels.h5", "2cb95161c43110f7111970584f804107"),
    False: ("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "4d473c1dd8becc155b73f8504c6f6626"),
}
_RESNET_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"


def _stem(inputs, filters: int = 64, use_bias: bool = True):
    """ImageNet ResNets' conv1: a 7x7 convolution with stride 2, BN, ReLU, then a 3x3 max-pool with
    stride 2 -- 224x224 becomes 56x56 (keras.applications' padding and names)."""
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(filters, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    return layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)


def ResNet50(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet50"):
    """ResNet-50: a 7x7 stem, then 3 + 4 + 6 + 3 bottleneck blocks, then average pooling
    and a softmax; 25,636,712 parameters at 224x224 with the top.

    Each stage starts with a `convolutional_block` (stride 1 in the first stage, 2 after)
    and continues with `identity_block`s. Layer names, order and weight shapes equal
    keras.applications.ResNet50's, so its weights (and ImageNet weight files) load into
    this model and give the same outputs.

    Args:
        include_top: add global average pooling and the classifier.
        weights: None (random), "imagenet" (downloaded once with its hash; offline this
            raises `OfflineError`), or the path of a weights file. ImageNet inputs: `preprocess_input`.
        input_tensor: a Keras tensor to build the model on (e.g. the output of other layers), as in
            keras.applications; the model's inputs are then those it comes from.
        input_shape: defaults to (224, 224, 3), which ImageNet weights with the top need; the course's
            fingers use (64, 64, 3).
        pooling: without the top, None, "avg" or "max".
        classes: outputs; 1000 with ImageNet weights and the top.
        classifier_activation: activation of the last layer.
        name: model name.
    """
    check_arguments(weights, include_top, pooling, classes, imagenet=True, input_shape=input_shape,
                    input_tensor=input_tensor)
    inputs = image_input(input_tensor, input_shape or (224, 224, 3))
    x = _stem(inputs)
    for number, stage in enumerate(RESNET50_STAGES, start=2):
        filters = (stage.filters, stage.filters, 4 * stage.filters)
        x = convolutional_block(x, 3, filters, s=stage.stride, name=f"conv{number}_block1")
        for block in range(2, stage.blocks + 1):
            x = identity_block(x, 3, filters, name=f"conv{number}_block{block}")
    x = classifier_head(x, include_top, pooling, classes, classifier_activation)
    model = keras.Model(source_inputs(input_tensor, inputs), x, name=name)
    return load_weights(model, weights, include_top, _RESNET50_WEIGHTS, _RESNET_URL)


def _residual_stages(x, stages, plain: bool, shortcut: str = "projection", width_scale: float = 1.0):
    """Stack two-layer `residual_block`s stage by stage, named ``conv{2..}_block{1..}``."""
    for number, stage in enumerate(stages, start=2):
        for block in range(1, stage.blocks + 1):
            x = residual_block(x, round(stage.filters * width_scale), s=stage.stride if block == 1 else 1,
                               name=f"conv{number}_block{block}", plain=plain, shortcut=shortcut)
    return x


def ResNet18(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000, width=64,
             plain=False, classifier_activation="softmax", name=None):
    """ResNet-18: a 7x7 stem, then four stages of two `residual_block`s (width x 1, 2, 4, 8
    filters; stride 1, 2, 2, 2), global average pooling and a softmax. With the default
    width it has the paper's 11.7 million trainable parameters (Table 1).

    Args:
        include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation: as in
            `ResNet50` (no ImageNet weights are published for this model).
        width: filters of the first stage; a small width (e.g. 16) trains quickly on a CPU.
        plain: the same network without shortcuts.
        name: model name (default "resnet18", or "plain18").
    """
    check_arguments(weights, include_top, pooling, classes)
    inputs = image_input(input_tensor, input_shape or (224, 224, 3))
    x = _stem(inputs, filters=width, use_bias=False)
    x = _residual_stages(x, RESNET18_STAGES, plain, width_scale=width / RESNET18_STAGES[0].filters)
    x = classifier_head(x, include_top, pooling, classes, classifier_activation)
    model = keras.Model(source_inputs(input_tensor, inputs), x, name=name or ("plain18" if plain else "resnet18"))
    return load_weights(model, weights)


def CifarResNet(depth=20, include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=10,
                plain=False, classifier_activation="softmax", name=None):
    """The paper's networks for small images (Section 4.2): a 3x3 convolution with 16 filters,
    then three stages of n two-layer blocks with 16, 32 and 64 filters (the last two halving
    height and width, with the parameter-free option-A shortcut), global average pooling
    and a softmax: depth = 6n + 2 layers with weights. Depth 20, 32, 44, 56 and 110 have
    the paper's 0.27, 0.46, 0.66, 0.85 and 1.7 million trainable parameters.

    With ``plain=True`` it is the paper's plain baseline of the same depth, which trains
    *worse* as it gets deeper (Fig. 6) -- the degradation problem residual learning solves.

    Args:
        depth: 6n + 2, e.g. 8, 20, 32, 44, 56, 110.
        include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation: as in
            `ResNet50`; `input_shape` defaults to (32, 32, 3).
        plain: the same network without shortcuts.
        name: model name (default "resnet{depth}" or "plain{depth}").
    """
    stages = cifar_stages(depth)
    check_arguments(weights, include_top, pooling, classes)
    inputs = image_input(input_tensor, input_shape or (32, 32, 3))
    x = layers.Conv2D(16, 3, padding="same", use_bias=False, name="conv1_conv")(inputs)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = _residual_stages(x, stages, plain, shortcut="zero_pad")
    x = classifier_head(x, include_top, pooling, classes, classifier_activation)
    default = f"{'plain' if plain else 'resnet'}{depth}"
    return load_weights(keras.Model(source_inputs(input_tensor, inputs), x, name=name or default), weights)

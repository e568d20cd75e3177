"""Residual networks: ResNet-50 (layer for layer keras.applications.ResNet50), ResNet-18,
and the paper's small CIFAR networks, each with a `plain` twin without shortcuts.

He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", CVPR 2016
(arXiv:1512.03385).
"""

from __future__ import annotations

import keras
from keras import layers

from cnn_course.blocks import BN_EPSILON, convolutional_block, identity_block, residual_block
from cnn_course.models.weights import load_weights

# (F1, blocks, stride) of ResNet-50's four stages; each block's filters are (F1, F1, 4 F1).
RESNET50_STAGES = [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]

_RESNET50_WEIGHTS = {  # keras.applications' files and hashes
    True: ("resnet50_weights_tf_dim_ordering_tf_kernels.h5", "2cb95161c43110f7111970584f804107"),
    False: ("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "4d473c1dd8becc155b73f8504c6f6626"),
}
_RESNET_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"


def ResNet50(include_top=True, weights=None, input_shape=None, pooling=None, classes=1000,
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
            raises `OfflineError`), or the path of a weights file.
        input_shape: defaults to (224, 224, 3); the course's fingers use (64, 64, 3).
        pooling: without the top, None, "avg" or "max".
        classes: outputs; 1000 with ImageNet weights and the top.
        classifier_activation: activation of the last layer.
        name: model name.
    """
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("ResNet50 with ImageNet weights and the top needs classes=1000")
    inputs = keras.Input(input_shape or (224, 224, 3))
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (f1, blocks, stride) in enumerate(RESNET50_STAGES, start=2):
        filters = (f1, f1, 4 * f1)
        x = convolutional_block(x, 3, filters, s=stride, name=f"conv{stage}_block1")
        for block in range(2, blocks + 1):
            x = identity_block(x, 3, filters, name=f"conv{stage}_block{block}")
    x = _head(x, include_top, pooling, classes, classifier_activation)
    return load_weights(keras.Model(inputs, x, name=name), weights, include_top, _RESNET50_WEIGHTS, _RESNET_URL)


def ResNet18(include_top=True, weights=None, input_shape=None, pooling=None, classes=1000, width=64, plain=False,
             classifier_activation="softmax", name=None):
    """ResNet-18: a 7x7 stem, then four stages of two `residual_block`s (width x 1, 2, 4, 8
    filters; stride 1, 2, 2, 2), global average pooling and a softmax. With the default
    width it has the paper's 11.7 million trainable parameters (Table 1).

    Args:
        include_top, weights, input_shape, pooling, classes, classifier_activation: as in
            `ResNet50` (no ImageNet weights are published for this model).
        width: filters of the first stage; a small width (e.g. 16) trains quickly on a CPU.
        plain: the same network without shortcuts.
        name: model name (default "resnet18", or "plain18").
    """
    inputs = keras.Input(input_shape or (224, 224, 3))
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(width, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (multiple, stride) in enumerate([(1, 1), (2, 2), (4, 2), (8, 2)], start=2):
        x = residual_block(x, width * multiple, s=stride, name=f"conv{stage}_block1", plain=plain)
        x = residual_block(x, width * multiple, name=f"conv{stage}_block2", plain=plain)
    x = _head(x, include_top, pooling, classes, classifier_activation)
    return load_weights(keras.Model(inputs, x, name=name or ("plain18" if plain else "resnet18")), weights)


def CifarResNet(depth=20, include_top=True, weights=None, input_shape=None, pooling=None, classes=10, plain=False,
                classifier_activation="softmax", name=None):
    """The paper's networks for small images (Section 4.2): a 3x3 convolution with 16 filters,
    then three stages of n two-layer blocks with 16, 32 and 64 filters (the last two halving
    height and width, with the parameter-free option-A shortcut), global average pooling
    and a softmax: depth = 6n + 2 layers with weights. Depth 20, 32, 44, 56 and 110 have
    the paper's 0.27, 0.46, 0.66, 0.85 and 1.7 million trainable parameters.

    With ``plain=True`` it is the paper's plain baseline of the same depth, which trains
    *worse* as it gets deeper (Fig. 6) -- the degradation problem residual learning solves.

    Args:
        depth: 6n + 2, e.g. 8, 20, 32, 44, 56, 110.
        include_top, weights, input_shape, pooling, classes, classifier_activation: as in
            `ResNet50`; `input_shape` defaults to (32, 32, 3).
        plain: the same network without shortcuts.
        name: model name (default "resnet{depth}" or "plain{depth}").
    """
    if (depth - 2) % 6 or depth < 8:
        raise ValueError(f"depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, ...), got {depth}")
    blocks = (depth - 2) // 6
    inputs = keras.Input(input_shape or (32, 32, 3))
    x = layers.Conv2D(16, 3, padding="same", use_bias=False, name="conv1_conv")(inputs)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    for stage, (filters, stride) in enumerate([(16, 1), (32, 2), (64, 2)], start=2):
        for block in range(1, blocks + 1):
            x = residual_block(x, filters, s=stride if block == 1 else 1, name=f"conv{stage}_block{block}",
                               plain=plain, shortcut="zero_pad")
    x = _head(x, include_top, pooling, classes, classifier_activation)
    default = f"{'plain' if plain else 'resnet'}{depth}"
    return load_weights(keras.Model(inputs, x, name=name or default), weights)


def zero_init_residuals(model):
    """Start every residual block with its main path switched off: set to 0 the scale gamma of
    the last batch norm on each block's main path, so the main path outputs zeros. An identity
    block then computes g(0 + a) = a on its (non-negative) input and a convolutional block
    just its shortcut, so a deep network starts nearly as shallow as its stem and head, and
    each block learns its residual from there (Goyal et al., "Accurate, Large Minibatch SGD",
    2017, Section 5.1). Works on any Functional model built from blocks that end in
    BatchNormalization -> Add; returns the number of blocks changed.
    """
    from cnn_course.grading.graph import chain_back, producer  # here: the grading package imports models

    changed = 0
    for add in (layer for layer in model.layers if isinstance(layer, layers.Add)):
        # back to the block's input, the main path passes more layers than the shortcut
        main_path_end = max(add._inbound_nodes[0].input_tensors, key=lambda tensor: len(chain_back(tensor)))
        last, _ = producer(main_path_end)
        if isinstance(last, layers.BatchNormalization):
            last.gamma.assign(keras.ops.zeros_like(last.gamma))
            changed += 1
    return changed


def _head(x, include_top, pooling, classes, classifier_activation):
    """Global average pooling and the classifier, or the chosen pooling without the top."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x

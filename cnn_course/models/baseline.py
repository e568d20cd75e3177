"""A small, ordinary CNN: the baseline the fingers data set is calibrated against."""

from __future__ import annotations

import keras
from keras import layers


def SmallCNN(input_shape=(64, 64, 3), classes=6, widths=(16, 32, 64, 128), depth=1, residual=False,
             separable=False, name="small_cnn"):
    """Conv-BN-ReLU stages (`depth` of them, then a max-pool, per entry of `widths`), then a softmax
    classifier (Sequential API; Functional when `residual`).

    The plain recipe of the course's first assignments: 3x3 "same" convolutions whose
    channels double while max-pooling halves height and width, so 64x64x3 becomes
    4x4x128 before the classifier. Pixels are rescaled to [0, 1] inside the model.

    Args:
        input_shape: image shape, height x width x channels.
        classes: number of softmax outputs.
        widths: filters of each stage.
        depth: conv-BN-ReLU layers per stage (notebook 08 scales it).
        residual: every layer of a stage after its first adds its input back before the ReLU,
            ``relu(x + BN(conv(x)))`` (He et al. 2016), so that a deeper network trains with the same
            recipe; the batch norm before each sum starts at zero, as `training.zero_init_residuals` sets it.
        separable: every convolution but the first is depthwise-separable, MobileNet's block: a 3x3
            DepthwiseConv2D -> BN -> ReLU, then a 1x1 Conv2D -> BN -> ReLU (Howard et al. 2017; notebook 07).
        name: model name.
    """
    if residual and separable:
        raise ValueError("SmallCNN is residual or separable, not both: the residual variant has full convolutions")
    if residual:
        return _residual_cnn(input_shape, classes, widths, depth, name)
    stages = []
    for i, width in enumerate(widths, start=1):
        for j in range(1, depth + 1):
            layer = f"{i}" if depth == 1 else f"{i}_{j}"
            split = separable and (i, j) != (1, 1)  # the first layer stays a full convolution, as in MobileNet
            if split:
                stages += [layers.DepthwiseConv2D(3, padding="same", use_bias=False, name=f"dw{layer}"),
                           layers.BatchNormalization(name=f"dw_bn{layer}"), layers.ReLU(name=f"dw_relu{layer}")]
            stages += [layers.Conv2D(width, 1 if split else 3, padding="same", use_bias=False, name=f"conv{layer}"),
                       layers.BatchNormalization(name=f"bn{layer}"),
                       layers.ReLU(name=f"relu{layer}")]
        stages.append(layers.MaxPooling2D(2, name=f"pool{i}"))
    return keras.Sequential(
        [keras.Input(input_shape), layers.Rescaling(1 / 255, name="rescale"), *stages,
         layers.Flatten(name="flatten"), layers.Dense(classes, activation="softmax", name="predictions")],
        name=name)


def _residual_cnn(input_shape, classes, widths, depth, name):
    """SmallCNN with identity shortcuts around every layer of a stage but its first (which changes the width)."""
    inputs = keras.Input(input_shape)
    x = layers.Rescaling(1 / 255, name="rescale")(inputs)
    for i, width in enumerate(widths, start=1):
        for j in range(1, depth + 1):
            z = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"conv{i}_{j}")(x)
            z = layers.BatchNormalization(gamma_initializer="ones" if j == 1 else "zeros", name=f"bn{i}_{j}")(z)
            x = layers.ReLU(name=f"relu{i}_{j}")(z if j == 1 else layers.Add(name=f"add{i}_{j}")([x, z]))
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(layers.Flatten(name="flatten")(x))
    return keras.Model(inputs, outputs, name=name)

"""MobileNet's blocks: the depthwise-separable convolution (v1) and the inverted residual block (v2)."""

from __future__ import annotations

import keras
from keras import layers

from cnn_course.blocks.naming import named


def bn_relu6(x, name: str | None, bn: str, momentum: float, relu: bool = True):
    """BN (MobileNet's epsilon 1e-3) named ``{name}_{bn}``, then, unless `relu` is False,
    ReLU6 = min(max(x, 0), 6) named ``{name}_relu``."""
    x = layers.BatchNormalization(epsilon=1e-3, momentum=momentum, name=named(name, bn))(x)
    return layers.ReLU(6.0, name=named(name, "relu"))(x) if relu else x


def depthwise_separable_conv(x, filters: int, stride: int = 1, depth_multiplier: int = 1, block_id: int | None = None):
    """MobileNet v1's block: a 3x3 depthwise convolution (one filter per input channel, with
    `stride`) -> BN -> ReLU6, then a 1x1 pointwise convolution to `filters` channels -> BN -> ReLU6;
    no biases (Howard et al. 2017, arXiv:1704.04861, Fig. 3).

    (n_H, n_W, n_C) -> (n_H / stride, n_W / stride, filters). A stride of 2 pads one row and column
    at the bottom and right, then convolves "valid", as keras.applications does; `block_id` gives
    its layer names (conv_dw_1, conv_pw_1, ...).
    """
    dw, pw = (None, None) if block_id is None else (f"conv_dw_{block_id}", f"conv_pw_{block_id}")
    if stride != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=None if block_id is None else f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D(3, strides=stride, padding="same" if stride == 1 else "valid",
                               depth_multiplier=depth_multiplier, use_bias=False, name=dw)(x)
    x = bn_relu6(x, dw, "bn", momentum=0.99)
    x = layers.Conv2D(filters, 1, use_bias=False, name=pw)(x)
    return bn_relu6(x, pw, "bn", momentum=0.99)


def inverted_residual_block(x, filters: int, stride: int = 1, expansion: int = 6, name: str | None = None,
                            linear: bool = True):
    """MobileNetV2's bottleneck (Sandler et al. 2018, arXiv:1801.04381, Table 1): a 1x1 *expansion*
    to `expansion` x the input channels -> BN -> ReLU6 (left out when `expansion` is 1), a 3x3
    depthwise convolution with `stride` -> BN -> ReLU6, and a 1x1 *linear projection* to `filters`
    -> BN, with no ReLU (a ReLU on the narrow output would destroy information). The block's input is
    added to its output when their shapes match (stride 1 and `filters` = input channels).

    ``linear=False`` exists for the paper's ablation (section 6.2, Fig. 6a): a ReLU6 named
    ``{name}_project_relu`` then follows the projection's BN, before the add -- same parameters, a
    non-linear bottleneck, which the paper finds trains to a lower accuracy.

    (n_H, n_W, n_C) -> (n_H / stride, n_W / stride, filters). Layer names follow keras.applications'
    (``{name}_expand``, ``{name}_depthwise``, ``{name}_project``, ``{name}_add``).
    """
    inputs, channels = x, x.shape[-1]
    if expansion != 1:
        x = layers.Conv2D(expansion * channels, 1, use_bias=False, name=named(name, "expand"))(x)
        x = bn_relu6(x, named(name, "expand"), "BN", momentum=0.999)
    if stride != 1:  # keras.applications' padding: one more row and column at the bottom and right of an even map
        odd = x.shape[1] % 2, x.shape[2] % 2
        x = layers.ZeroPadding2D(((odd[0], 1), (odd[1], 1)), name=named(name, "pad"))(x)
    x = layers.DepthwiseConv2D(3, strides=stride, padding="same" if stride == 1 else "valid", use_bias=False,
                               name=named(name, "depthwise"))(x)
    x = bn_relu6(x, named(name, "depthwise"), "BN", momentum=0.999)
    x = layers.Conv2D(filters, 1, use_bias=False, name=named(name, "project"))(x)
    x = bn_relu6(x, named(name, "project"), "BN", momentum=0.999, relu=not linear)
    if stride == 1 and filters == channels:
        x = layers.Add(name=named(name, "add"))([inputs, x])
    return x


def efficientnet_initializer(dense: bool = False):
    """EfficientNet's initial weights (Tan & Le's code, as keras.applications): variance scaled by the outputs
    (fan_out), 2.0 and truncated normal for a convolution, 1/3 and uniform for the classifier."""
    if dense:
        return keras.initializers.VarianceScaling(1 / 3, "fan_out", "uniform")
    return keras.initializers.VarianceScaling(2.0, "fan_out", "truncated_normal")


def mbconv_block(x, filters: int, kernel_size: int = 3, stride: int = 1, expansion: int = 6, se_ratio: float = 0.25,
                 drop_rate: float = 0.0, activation: str = "swish", name: str | None = None,
                 explicit_padding: bool = True):
    """EfficientNet's MBConv: MobileNetV2's inverted residual block with a `kernel_size` depthwise
    convolution, the swish activation, and *squeeze-and-excitation* (Hu et al. 2018,
    arXiv:1709.01507) before the projection: the depthwise output is averaged per channel, squeezed
    to ``se_ratio`` x the block's input channels, expanded back, and its sigmoid rescales each channel
    (Tan & Le 2019, arXiv:1905.11946). When shapes match, the input is added, after dropping the whole
    residual branch of an example with probability `drop_rate` in training ("stochastic depth").
    ``se_ratio=0`` leaves squeeze-and-excitation out and ``activation="relu6"`` gives EfficientNet-Lite's block.

    A stride-2 depthwise convolution is "same"-padded: by a ZeroPadding2D ``{name}dwconv_pad`` and a
    "valid" convolution (keras.applications' layers), or with ``explicit_padding=False`` by the
    convolution itself (TensorFlow's checkpoints' layers). Both pad the same rows and columns.

    Layer names follow keras.applications' EfficientNet (``{name}expand_conv``, ``{name}dwconv``,
    ``{name}se_squeeze``, ``{name}project_conv``, ``{name}add``; `name` ends with its separator), and so do the
    initial weights (`efficientnet_initializer`).
    """
    inputs, channels = x, x.shape[-1]
    prefix = name or ""
    label = (lambda part: f"{prefix}{part}") if name else (lambda part: None)
    width = channels * expansion
    if expansion != 1:
        x = layers.Conv2D(width, 1, padding="same", use_bias=False, kernel_initializer=efficientnet_initializer(),
                          name=label("expand_conv"))(x)
        x = layers.BatchNormalization(name=label("expand_bn"))(x)
        x = layers.Activation(activation, name=label("expand_activation"))(x)
    padding = "same"
    if stride != 1 and explicit_padding:  # keras.applications' padding, as in `inverted_residual_block`
        odd, half = (x.shape[1] % 2, x.shape[2] % 2), kernel_size // 2
        x = layers.ZeroPadding2D(((half - 1 + odd[0], half), (half - 1 + odd[1], half)), name=label("dwconv_pad"))(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(kernel_size, strides=stride, padding=padding, use_bias=False,
                               depthwise_initializer=efficientnet_initializer(), name=label("dwconv"))(x)
    x = layers.BatchNormalization(name=label("bn"))(x)
    x = layers.Activation(activation, name=label("activation"))(x)
    if se_ratio:
        se = layers.GlobalAveragePooling2D(name=label("se_squeeze"))(x)
        se = layers.Reshape((1, 1, width), name=label("se_reshape"))(se)
        se = layers.Conv2D(max(1, int(channels * se_ratio)), 1, activation=activation,
                           kernel_initializer=efficientnet_initializer(), name=label("se_reduce"))(se)
        se = layers.Conv2D(width, 1, activation="sigmoid", kernel_initializer=efficientnet_initializer(),
                           name=label("se_expand"))(se)
        x = layers.Multiply(name=label("se_excite"))([x, se])
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, kernel_initializer=efficientnet_initializer(),
                      name=label("project_conv"))(x)
    x = layers.BatchNormalization(name=label("project_bn"))(x)
    if stride == 1 and filters == channels:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=label("drop"))(x)
        x = layers.Add(name=label("add"))([x, inputs])
    return x

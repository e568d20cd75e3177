"""Residual blocks: ResNet-50's identity and convolutional blocks, and the two-layer block of ResNet-18
and the CIFAR networks (He et al. 2015, arXiv:1512.03385)."""

from __future__ import annotations

from keras import layers

from cnn_course.blocks.naming import named

# Batch-norm epsilon of keras.applications' ResNets, so that their weights give equal outputs here.
BN_EPSILON = 1.001e-5


def _conv_bn(x, filters, kernel, strides=1, padding="valid", name=None, step="1", relu=True, use_bias=True):
    """Conv2D -> BatchNormalization (-> ReLU), named ``{name}_{step}_conv/_bn/_relu``."""
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=use_bias,
                      name=named(name, f"{step}_conv"))(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=named(name, f"{step}_bn"))(x)
    return layers.Activation("relu", name=named(name, f"{step}_relu"))(x) if relu else x


def identity_block(x, f: int, filters, name: str | None = None):
    """ResNet's bottleneck block (1x1 reduce, f x f, 1x1 restore) whose shortcut is the identity:
    input and output shapes are equal.

    Main path: 1x1 conv (F1) -> BN -> ReLU -> f x f "same" conv (F2) -> BN -> ReLU -> 1x1 conv
    (F3) -> BN; then the input is added and a final ReLU applied: a[l+2] = g(z[l+2] + a[l]).
    He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", 2015 (arXiv:1512.03385).

    Args:
        x: input tensor (batch, n_H, n_W, n_C) with n_C == F3.
        f: size of the middle convolution's filter.
        filters: (F1, F2, F3), the filters of the three convolutions.
        name: block name; layers are named as in keras.applications.ResNet50
            (``{name}_1_conv`` ... ``{name}_add``, ``{name}_out``).

    Returns:
        Tensor of the same shape as `x`.
    """
    f1, f2, f3 = filters
    shortcut = x
    x = _conv_bn(x, f1, 1, name=name, step="1")
    x = _conv_bn(x, f2, f, padding="same", name=name, step="2")
    x = _conv_bn(x, f3, 1, name=name, step="3", relu=False)
    x = layers.Add(name=named(name, "add"))([shortcut, x])
    return layers.Activation("relu", name=named(name, "out"))(x)


def convolutional_block(x, f: int, filters, s: int = 2, name: str | None = None):
    """ResNet's bottleneck block with a 1x1 convolution on the shortcut, for when shapes change.

    Main path as in `identity_block`, but the first 1x1 convolution has stride `s`; the
    shortcut is a 1x1 convolution (F3 filters, stride s) followed by batch norm, so that it
    matches the main path's shape before the addition. He et al. 2015 (arXiv:1512.03385).

    Args:
        x: input tensor (batch, n_H, n_W, n_C).
        f: size of the middle convolution's filter.
        filters: (F1, F2, F3).
        s: stride of the first 1x1 convolution and of the shortcut convolution.
        name: block name (keras.applications' names; the shortcut is ``{name}_0_conv``/``_0_bn``).

    Returns:
        Tensor (batch, ceil(n_H / s), ceil(n_W / s), F3).
    """
    f1, f2, f3 = filters
    shortcut = _conv_bn(x, f3, 1, strides=s, name=name, step="0", relu=False)
    x = _conv_bn(x, f1, 1, strides=s, name=name, step="1")
    x = _conv_bn(x, f2, f, padding="same", name=name, step="2")
    x = _conv_bn(x, f3, 1, name=name, step="3", relu=False)
    x = layers.Add(name=named(name, "add"))([shortcut, x])
    return layers.Activation("relu", name=named(name, "out"))(x)


def residual_block(x, filters: int, s: int = 1, name: str | None = None, plain: bool = False,
                   shortcut: str = "projection"):
    """The two-layer residual block of ResNet-18/34 and of the paper's CIFAR networks:
    3x3 conv -> BN -> ReLU -> 3x3 conv -> BN, plus the shortcut, then ReLU.

    When `s` > 1 or the channels change, the shortcut must change shape too: a 1x1
    convolution with stride `s` and batch norm (``shortcut="projection"``, the paper's
    option B), or a parameter-free subsampling with the new channels filled with zeros
    (``shortcut="zero_pad"``, option A, used by the paper's CIFAR networks). Convolutions
    have no bias (batch norm's beta replaces it), as in the paper. He et al. 2015
    (arXiv:1512.03385).

    Args:
        x: input tensor (batch, n_H, n_W, n_C).
        filters: filters of both convolutions (and of the output).
        s: stride of the first convolution.
        name: block name (layers ``{name}_1_conv`` ... ``{name}_out``).
        plain: drop the shortcut: the same two layers as a "plain" network, for comparing
            plain and residual networks of equal depth.
        shortcut: "projection" (option B) or "zero_pad" (option A) when shapes change.
    """
    skip = x
    if not plain and (s != 1 or x.shape[-1] != filters):
        if shortcut == "zero_pad":
            skip = _zero_pad_shortcut(x, filters, s, name)
        else:
            skip = _conv_bn(x, filters, 1, strides=s, name=name, step="0", relu=False, use_bias=False)
    x = _conv_bn(x, filters, 3, strides=s, padding="same", name=name, step="1", use_bias=False)
    x = _conv_bn(x, filters, 3, padding="same", name=name, step="2", relu=False, use_bias=False)
    if not plain:
        x = layers.Add(name=named(name, "add"))([skip, x])
    return layers.Activation("relu", name=named(name, "out"))(x)


def _zero_pad_shortcut(x, filters: int, s: int, name: str | None):
    """Option A: keep every s-th pixel, then append zero channels up to `filters` (no weights)."""
    channels = x.shape[-1]
    x = layers.MaxPooling2D(1, strides=s, name=named(name, "0_subsample"))(x)  # a 1x1 pool just subsamples
    height, width = x.shape[1], x.shape[2]
    x = layers.Reshape((height, width, channels, 1), name=named(name, "0_split"))(x)
    x = layers.ZeroPadding3D(((0, 0), (0, 0), (0, filters - channels)), name=named(name, "0_pad"))(x)
    return layers.Reshape((height, width, filters), name=named(name, "0_merge"))(x)

"""Building blocks as plain functions on tensors: each adds layers to a Functional graph.

A block never wraps its layers in a nested model, so a network built from blocks is one flat
graph whose layer names and weight order can match keras.applications.
"""

from __future__ import annotations

from keras import layers


def vgg_block(x, num_convs: int, filters: int, name: str | None = None):
    """The unit VGG repeats: `num_convs` 3x3 "same" convolutions with ReLU, then a 2x2 max-pool.

    Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
    Recognition", 2014 (arXiv:1409.1556). Shapes: (n_H, n_W, n_C) -> (n_H/2, n_W/2, filters).

    Args:
        x: input tensor, (batch, n_H, n_W, n_C).
        num_convs: how many convolutions before the pool.
        filters: filters of every convolution of the block.
        name: block name; layers are named ``{name}_conv1``, ..., ``{name}_pool`` as in
            keras.applications.VGG16.
    """
    for i in range(1, num_convs + 1):
        x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                          name=f"{name}_conv{i}" if name else None)(x)
    return layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"{name}_pool" if name else None)(x)


# Batch-norm epsilon of keras.applications' ResNets, so that their weights give equal outputs here.
BN_EPSILON = 1.001e-5


def _named(name: str | None, suffix: str) -> str | None:
    return f"{name}_{suffix}" if name else None


def _conv_bn(x, filters, kernel, strides=1, padding="valid", name=None, step="1", relu=True, use_bias=True):
    """Conv2D -> BatchNormalization (-> ReLU), named ``{name}_{step}_conv/_bn/_relu``."""
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=use_bias,
                      name=_named(name, f"{step}_conv"))(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=_named(name, f"{step}_bn"))(x)
    return layers.Activation("relu", name=_named(name, f"{step}_relu"))(x) if relu else x


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
    x = layers.Add(name=_named(name, "add"))([shortcut, x])
    return layers.Activation("relu", name=_named(name, "out"))(x)


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
    x = layers.Add(name=_named(name, "add"))([shortcut, x])
    return layers.Activation("relu", name=_named(name, "out"))(x)


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
        x = layers.Add(name=_named(name, "add"))([skip, x])
    return layers.Activation("relu", name=_named(name, "out"))(x)


def _zero_pad_shortcut(x, filters: int, s: int, name: str | None):
    """Option A: keep every s-th pixel, then append zero channels up to `filters` (no weights)."""
    channels = x.shape[-1]
    x = layers.MaxPooling2D(1, strides=s, name=_named(name, "0_subsample"))(x)  # a 1x1 pool just subsamples
    height, width = x.shape[1], x.shape[2]
    x = layers.Reshape((height, width, channels, 1), name=_named(name, "0_split"))(x)
    x = layers.ZeroPadding3D(((0, 0), (0, 0), (0, filters - channels)), name=_named(name, "0_pad"))(x)
    return layers.Reshape((height, width, filters), name=_named(name, "0_merge"))(x)


def inception_module(x, filters, name: str | None = None):
    """GoogLeNet's Inception module: "do them all" -- 1x1, 3x3 and 5x5 convolutions and a 3x3
    max-pool side by side, the 3x3 and 5x5 behind 1x1 bottlenecks and the pool followed by a 1x1
    projection, all ReLU and "same", concatenated along the channels.

    Szegedy et al., "Going Deeper with Convolutions", CVPR 2015 (arXiv:1409.4842), Fig. 2b.
    Shapes: (n_H, n_W, n_C) -> (n_H, n_W, #1x1 + #3x3 + #5x5 + pool proj).

    Args:
        x: input tensor, (batch, n_H, n_W, n_C).
        filters: the paper's Table 1 columns, (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5,
            pool proj); e.g. module 3a is (64, 96, 128, 16, 32, 32).
        name: module name; layers are ``{name}_1x1``, ``{name}_3x3_reduce``, ``{name}_3x3``,
            ``{name}_5x5_reduce``, ``{name}_5x5``, ``{name}_pool``, ``{name}_pool_proj``,
            ``{name}_output``.
    """
    n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj = filters

    branch1 = layers.Conv2D(n1x1, 1, activation="relu", name=_named(name, "1x1"))(x)
    branch3 = bottleneck_layer(x, n3x3_reduce, n3x3, 3, name=_named(name, "3x3"))
    branch5 = bottleneck_layer(x, n5x5_reduce, n5x5, 5, name=_named(name, "5x5"))
    pooled = layers.MaxPooling2D(3, strides=1, padding="same", name=_named(name, "pool"))(x)
    branch_pool = layers.Conv2D(pool_proj, 1, activation="relu", name=_named(name, "pool_proj"))(pooled)
    return layers.Concatenate(name=_named(name, "output"))([branch1, branch3, branch5, branch_pool])


def bottleneck_layer(x, reduce: int, filters: int, f: int, name: str | None = None):
    """Inception's bottleneck layer: a 1x1 convolution that shrinks the channels to `reduce`,
    then the f x f "same" convolution, both with ReLU -- about ten times cheaper than the f x f
    convolution alone when `reduce` is small (Inception motivation: 12.4M instead of 120M
    multiplications for 5x5, 32 filters on 28x28x192 with reduce=16). Not to be confused with
    ResNet's bottleneck *block* (`identity_block`, `convolutional_block`).

    Lin, Chen & Yan, "Network In Network", 2013 (arXiv:1312.4400); Szegedy et al. 2014
    (arXiv:1409.4842). Shapes: (n_H, n_W, n_C) -> (n_H, n_W, filters).

    Args:
        x: input tensor, (batch, n_H, n_W, n_C).
        reduce: channels after the 1x1 convolution.
        filters: filters of the f x f convolution.
        f: window of the second convolution.
        name: layers are ``{name}_reduce`` and ``{name}``.
    """
    x = layers.Conv2D(reduce, 1, activation="relu", name=_named(name, "reduce"))(x)
    return layers.Conv2D(filters, f, padding="same", activation="relu", name=name)(x)


def mlpconv(x, filters: int, f: int, strides: int = 1, name: str | None = None):
    """Network in Network's "mlpconv" layer: an f x f convolution followed by two 1x1
    convolutions, all with ReLU -- a small multilayer perceptron slid over every position.

    Lin, Chen & Yan, "Network In Network", ICLR 2014 (arXiv:1312.4400).
    Shapes: (n_H, n_W, n_C) -> (n_H / strides, n_W / strides, filters) with "same" padding.

    Args:
        x: input tensor, (batch, n_H, n_W, n_C).
        filters: filters of all three convolutions.
        f: window of the first convolution.
        strides: stride of the first convolution.
        name: layers are ``{name}_conv``, ``{name}_mlp1`` and ``{name}_mlp2``.
    """
    x = layers.Conv2D(filters, f, strides=strides, padding="same", activation="relu", name=_named(name, "conv"))(x)
    x = layers.Conv2D(filters, 1, activation="relu", name=_named(name, "mlp1"))(x)
    return layers.Conv2D(filters, 1, activation="relu", name=_named(name, "mlp2"))(x)

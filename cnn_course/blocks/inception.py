"""Inception's blocks: the module, the 1x1 bottleneck layer and Network in Network's mlpconv."""

from __future__ import annotations

from keras import layers

from cnn_course.blocks.naming import named


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

    branch1 = layers.Conv2D(n1x1, 1, activation="relu", name=named(name, "1x1"))(x)
    branch3 = bottleneck_layer(x, n3x3_reduce, n3x3, 3, name=named(name, "3x3"))
    branch5 = bottleneck_layer(x, n5x5_reduce, n5x5, 5, name=named(name, "5x5"))
    pooled = layers.MaxPooling2D(3, strides=1, padding="same", name=named(name, "pool"))(x)
    branch_pool = layers.Conv2D(pool_proj, 1, activation="relu", name=named(name, "pool_proj"))(pooled)
    return layers.Concatenate(name=named(name, "output"))([branch1, branch3, branch5, branch_pool])


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
    x = layers.Conv2D(reduce, 1, activation="relu", name=named(name, "reduce"))(x)
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
    x = layers.Conv2D(filters, f, strides=strides, padding="same", activation="relu", name=named(name, "conv"))(x)
    x = layers.Conv2D(filters, 1, activation="relu", name=named(name, "mlp1"))(x)
    return layers.Conv2D(filters, 1, activation="relu", name=named(name, "mlp2"))(x)

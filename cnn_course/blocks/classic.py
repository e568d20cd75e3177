"""The classic networks' block: VGG's stack of 3x3 convolutions and a max-pool."""

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

"""What every builder shares, as in keras.applications: the argument checks, the image input (a new
``keras.Input`` or the caller's `input_tensor`), and the end -- the classifier when `include_top`, otherwise
the feature maps or a global pooling of them."""

from __future__ import annotations

import keras
from keras import layers

POOLINGS = (None, "avg", "max")


def check_arguments(weights, include_top: bool, pooling, classes: int, imagenet: bool = False, input_shape=None,
                    imagenet_sizes=(224,), input_tensor=None) -> None:
    """keras.applications' argument checks, before anything is built.

    Args:
        imagenet: whether ImageNet weights are published for this model. Then ``weights="imagenet"``
            needs 3 input channels and, with the top, ``classes=1000`` and a square input of one of
            `imagenet_sizes` (``input_shape=None`` builds the model's default, which is one of them).
        input_tensor: the builder's; its shape stands for `input_shape` when that is None (`input_shape_of`).

    Raises:
        ValueError: one line naming the argument and what it accepts.
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be None, 'avg' or 'max', got {pooling!r}")
    if weights != "imagenet":
        return
    input_shape = input_shape_of(input_shape, input_tensor)
    if not imagenet:
        raise ValueError("no ImageNet weights are published for this model: use weights=None or a weights file")
    if input_shape is not None and input_shape[-1] != 3:
        raise ValueError(f"ImageNet weights need 3 input channels, got input_shape={tuple(input_shape)}")
    shapes = [(size, size, 3) for size in imagenet_sizes]
    if include_top and (classes != 1000 or (input_shape is not None and tuple(input_shape) not in shapes)):
        raise ValueError(f"ImageNet weights with the top need classes=1000 and input_shape="
                         f"{' or '.join(map(str, shapes))}, got classes={classes}, input_shape={input_shape}; "
                         "without the top (include_top=False) other sizes work")


def input_shape_of(input_shape, input_tensor):
    """`input_shape`, else the shape of `input_tensor` without its batch axis (as keras.applications'
    MobileNet reads it), else None."""
    if input_shape is None and input_tensor is not None:
        return tuple(input_tensor.shape[1:])
    return input_shape


def image_input(input_tensor, shape):
    """The tensor a builder starts from, as in keras.applications: ``keras.Input(shape)``, or the caller's
    `input_tensor` (a Keras tensor: a ``keras.Input`` or the output of other layers) to build on. Anything
    else goes to ``keras.Input(tensor=...)``, which in Keras 3 refuses it with a ValueError, as there."""
    if input_tensor is None:
        return keras.Input(shape=shape)
    if not keras.backend.is_keras_tensor(input_tensor):
        return keras.Input(tensor=input_tensor, shape=shape)
    return input_tensor


def source_inputs(input_tensor, image):
    """The inputs of the built model: those `input_tensor` is computed from (``keras.utils.get_source_inputs``,
    so a tensor from other layers gives one model from their ``keras.Input`` on), else `image`. One input is
    given bare, not in a list as keras.applications does, so that calling the model on one array raises no
    warning about the structure of its inputs."""
    if input_tensor is None:
        return image
    inputs = keras.utils.get_source_inputs(input_tensor)
    return inputs[0] if len(inputs) == 1 else inputs


def classifier_head(x, include_top: bool, pooling, classes: int, classifier_activation="softmax", *,
                    flatten: bool = False, hidden=(), activation: str = "relu", dropout: float = 0.0):
    """The top of a classification network, or what replaces it.

    With the top: ``Flatten`` (``flatten=True``, as in LeNet-5, AlexNet and VGG) or global average
    pooling ("avg_pool", as in ResNet and GoogLeNet), then the fully connected `hidden` layers
    (``(units, name)`` pairs, with `activation`), ``Dropout(dropout)`` when `dropout` > 0, and the
    classifier "predictions". Without it: the feature maps (``pooling=None``) or their global
    average ("avg_pool") or maximum ("max_pool").
    """
    if not include_top:
        if pooling == "avg":
            return layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if pooling == "max":
            return layers.GlobalMaxPooling2D(name="max_pool")(x)
        return x
    x = layers.Flatten(name="flatten")(x) if flatten else layers.GlobalAveragePooling2D(name="avg_pool")(x)
    for units, name in hidden:
        x = layers.Dense(units, activation=activation, name=name)(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)

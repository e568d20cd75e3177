"""Data augmentation as Keras preprocessing layers: random at training time, the identity when
the model predicts (``training=False``)."""

from __future__ import annotations


def flip_rotate_translate(rotation: float = 0.05, translation: float = 0.1, flip: str = "horizontal",
                          name: str = "augment"):
    """Mirroring, a small rotation and a shift: the lecture's cheapest augmentations.

    Args:
        rotation: largest rotation, as a fraction of a full turn (0.05 is 18 degrees).
        translation: largest shift, as a fraction of height and width.
        flip: "horizontal", "vertical" or "horizontal_and_vertical".
        name: name of the returned ``keras.Sequential``.
    """
    import keras
    from keras import layers

    return keras.Sequential([layers.RandomFlip(flip), layers.RandomRotation(rotation),
                             layers.RandomTranslation(translation, translation)], name=name)

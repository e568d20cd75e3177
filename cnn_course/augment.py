"""Data augmentation as Keras preprocessing layers: random at training time, the identity when
the model predicts (``training=False``)."""

from __future__ import annotations


def flip_rotate_translate(rotation: float = 0.05, translation: float = 0.1, flip: str | None = "horizontal",
                          name: str = "augment"):
    """Mirroring, a small rotation and a shift: the lecture's cheapest augmentations.

    Args:
        rotation: largest rotation, as a fraction of a full turn (0.05 is 18 degrees).
        translation: largest shift, as a fraction of height and width.
        flip: "horizontal", "vertical" or "horizontal_and_vertical"; None for no mirroring (a
            mirrored hand is still a hand, a mirrored digit is no digit).
        name: name of the returned ``keras.Sequential``.
    """
    import keras
    from keras import layers

    mirror = [layers.RandomFlip(flip)] if flip else []
    turn_and_shift = [layers.RandomRotation(rotation), layers.RandomTranslation(translation, translation)]
    return keras.Sequential([*mirror, *turn_and_shift], name=name)

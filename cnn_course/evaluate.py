"""Doing well on benchmarks, from the lecture "The state of computer vision": ensembling and multi-crop.

Two tricks add a point or two of accuracy on a benchmark or in a competition:

- **Ensembling**: train several networks independently (3 to 15, from different random initialisations)
  and average their outputs -- the predicted probabilities -- so that their independent mistakes
  partly cancel (`ensemble_predict`).
- **Multi-crop at test time**: classify several crops of each test image and average the predictions.
  The 10-crop takes the centre and the four corners, and the same five crops mirrored left-right
  (`ten_crop`, `multi_crop_predict`; `pad` first, to keep the whole object in every view; Krizhevsky
  et al., "ImageNet Classification with Deep Convolutional Neural Networks", 2012, Section 4.1;
  Simonyan & Zisserman, "Very Deep Convolutional Networks", 2014, arXiv:1409.1556, Section 3.2;
  Szegedy et al., "Going Deeper with Convolutions", 2015, arXiv:1409.4842, Section 7).

Both multiply the cost of a prediction -- by the number of networks, or of crops -- and ensembling
the memory too, which is why they are rarely used in production, where one network sees one image.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

# What view k of `ten_crop` holds, for labelling figures.
TEN_CROP_VIEWS = ("centre", "top-left", "top-right", "bottom-left", "bottom-right",
                  "centre mirrored", "top-left mirrored", "top-right mirrored", "bottom-left mirrored",
                  "bottom-right mirrored")


def ensemble_predict(models: Sequence[keras.Model], x, batch_size: int = 64) -> np.ndarray:
    """The ensemble's prediction: the average of the models' predicted probabilities.

    Args:
        models: trained models with the same inputs and a softmax over the same classes.
        x: the inputs, as each model's ``predict`` takes them.
        batch_size: the batch size of each ``predict``.

    Returns:
        A NumPy array (n, classes): each row the mean of the models' probabilities, so it sums to 1.

    Raises:
        ValueError: when `models` is empty.
    """
    models = list(models)
    if not models:
        raise ValueError("ensemble_predict needs at least one model")
    return np.mean([np.asarray(model.predict(x, batch_size=batch_size, verbose=0)) for model in models], axis=0)


def crop_corners(height: int, width: int, crop_size: int) -> list[tuple[int, int]]:
    """The top-left corners (row, column) of the five crops of `ten_crop`: centre (rounded down) and corners."""
    c = crop_size
    return [((height - c) // 2, (width - c) // 2), (0, 0), (0, width - c), (height - c, 0), (height - c, width - c)]


def ten_crop(images, crop_size: int) -> np.ndarray:
    """The 10 views of the 10-crop: the centre and four corner crops, and the same five mirrored left-right.

    View k holds `TEN_CROP_VIEWS` [k]: 0 centre, 1 top-left, 2 top-right, 3 bottom-left, 4 bottom-right;
    view k + 5 is view k flipped along the width axis. The centre crop's top-left corner is at
    ``((H - crop_size) // 2, (W - crop_size) // 2)``, rounded down.

    Args:
        images: a batch (N, H, W, C); H and W may differ.
        crop_size: the side c of the square crops, at most min(H, W).

    Returns:
        A NumPy array (10, N, c, c, C) of the images' dtype; the images themselves are not changed.

    Raises:
        ValueError: when `images` is not a batch (N, H, W, C), or the crops do not fit in the images.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"ten_crop expects a batch of images (N, H, W, C), got an array of shape {images.shape}")
    height, width, c = images.shape[1], images.shape[2], int(crop_size)
    if not 0 < c <= min(height, width):
        raise ValueError(f"crop_size {crop_size} does not fit in images of {height}x{width} pixels: it must be "
                         f"between 1 and {min(height, width)}")
    crops = [images[:, top:top + c, left:left + c] for top, left in crop_corners(height, width, c)]
    return np.stack(crops + [crop[:, :, ::-1] for crop in crops])


def pad(images, pixels: int) -> np.ndarray:
    """A batch (N, H, W, C) with `pixels` added on every side, mirrored from the image's edge (as Keras' random
    shifts fill what they uncover): the 10-crop of the padded batch at the images' own size then shifts each view
    by at most `pixels` and cuts nothing of the middle away -- what a network trained on random shifts expects."""
    return np.pad(np.asarray(images), ((0, 0), (pixels, pixels), (pixels, pixels), (0, 0)), mode="reflect")


def multi_crop_predict(model: keras.Model, images, crop_size: int, batch_size: int = 64) -> np.ndarray:
    """The model's probabilities averaged over the 10 views of `ten_crop`.

    Args:
        model: a classifier taking crops (crop_size, crop_size, C).
        images: a batch (N, H, W, C).
        crop_size: the side of the crops.
        batch_size: the batch size of ``predict``, which sees the 10 N crops at once.

    Returns:
        A NumPy array (N, classes).
    """
    views = ten_crop(images, crop_size)
    probabilities = np.asarray(model.predict(views.reshape(-1, *views.shape[2:]), batch_size=batch_size, verbose=0))
    return probabilities.reshape(len(views), -1, probabilities.shape[-1]).mean(axis=0)

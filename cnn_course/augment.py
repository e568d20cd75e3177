"""Data augmentation: the lecture's distortions of a training image, which keep its label.

Keras has most of them as preprocessing layers -- random when called with ``training=True``, the
identity when a model predicts. What it lacks is written here once, in NumPy: the lecture's colour
shift (a value added to each channel) and AlexNet's PCA colour augmentation. `parallel_batches` runs
either kind on CPU threads while the model trains, `distorted_copies` ahead of time (Krizhevsky et al. 2012,
§4.1; Shorten & Khoshgoftaar, "A survey on image data augmentation for deep learning", 2019).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import keras
import numpy as np
from keras import layers


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
    mirror = [layers.RandomFlip(flip)] if flip else []
    turn_and_shift = [layers.RandomRotation(rotation), layers.RandomTranslation(translation, translation)]
    return keras.Sequential([*mirror, *turn_and_shift], name=name)


def color_shift(image: np.ndarray, shifts) -> np.ndarray:
    """The lecture's colour shifting: add ``shifts[c]`` to every pixel of channel c (e.g. (20, -20, 20):
    more red and blue, less green), clipped to 0-255, in the image's dtype. Works on one image or a batch
    (channels last). The sum is taken in float: uint8 arithmetic would wrap 250 + 20 round to 14."""
    image = np.asarray(image)
    shifted = image.astype("float32") + np.asarray(shifts, "float32")
    return np.clip(shifted, 0, 255).astype(image.dtype)


def random_color_shift(images: np.ndarray, max_shift: float = 20, seed=None) -> np.ndarray:
    """`color_shift` with shifts drawn for each image and channel, uniformly in [-max_shift, max_shift].

    Args:
        images: a batch (n, height, width, channels) of 0-255 pixels.
        seed: an int, a ``np.random.Generator`` or None.
    """
    images = np.asarray(images)
    rng = np.random.default_rng(seed)
    shifts = rng.uniform(-max_shift, max_shift, size=(len(images), 1, 1, images.shape[-1]))
    return color_shift(images, shifts)


def principal_colors(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and eigenvectors (columns) of the 3 x 3 covariance of the RGB values of all
    pixels of `images` (in [0, 1]): the directions in colour space along which the pictures vary most."""
    pixels = np.asarray(images, "float64").reshape(-1, 3)
    return np.linalg.eigh(np.cov(pixels, rowvar=False))


def pca_color_augmentation(images: np.ndarray, alpha_std: float = 0.1, seed=None, axes=None) -> np.ndarray:
    """AlexNet's colour augmentation (Krizhevsky et al. 2012, §4.1): add to every pixel of an image
    ``sum_i alpha_i lambda_i p_i``, where p_i and lambda_i are the eigenvectors and eigenvalues of the
    RGB covariance (`principal_colors`) and alpha_i ~ N(0, alpha_std) is drawn once per image -- a shift
    of the whole image's colour along the directions natural images vary in (the paper: the identity of an
    object does not change with the intensity and colour of the illumination).

    Args:
        images: a batch (n, height, width, 3) scaled to [0, 1].
        alpha_std: standard deviation of the alphas (0.1 in the paper).
        seed: an int, a ``np.random.Generator`` or None.
        axes: ``(eigenvalues, eigenvectors)`` computed once over the whole training set
            (`principal_colors`), as AlexNet did; None for those of `images` themselves.

    Returns:
        The shifted images, clipped to [0, 1], as float32.
    """
    images = np.asarray(images, "float32")
    eigenvalues, eigenvectors = principal_colors(images) if axes is None else axes
    alphas = np.random.default_rng(seed).normal(0, alpha_std, size=(len(images), 3))
    shifts = (alphas * eigenvalues) @ eigenvectors.T  # one RGB shift per image
    return np.clip(images + shifts[:, None, None, :].astype("float32"), 0, 1)


def pca_color_augmentation_255(images: np.ndarray, alpha_std: float = 0.1, seed=None, axes=None) -> np.ndarray:
    """`pca_color_augmentation` of 0-255 images, scaled to [0, 1] and back (`axes` of images in [0, 1])."""
    return 255 * pca_color_augmentation(np.asarray(images) / 255, alpha_std, seed, axes)


def random_crop(size: int, fraction: float = 0.8, seed: int | None = None):
    """Random cropping: a random square of `fraction` of the side, resized back to `size` x `size`."""
    crop = round(fraction * size)
    return keras.Sequential([layers.RandomCrop(crop, crop, seed=seed), layers.Resizing(size, size)],
                            name="crop_and_resize")


def lecture_augmentations(size: int, seed: int | None = None, colour_axes=None) -> dict[str, object]:
    """The lecture's distortions of `size` x `size` images of 0-255 pixels, by name: Keras layers where
    Keras has them, NumPy functions of a batch for the two colour ones (`apply` runs either kind,
    `describe` prints its parameters). Local warping is an elastic deformation (Simard et al. 2003).
    `colour_axes`: the training set's `principal_colors` for the PCA colour augmentation (None: each batch's)."""
    rng = np.random.default_rng(seed)
    return {
        "mirroring": layers.RandomFlip("horizontal", seed=seed),
        "random cropping": random_crop(size, 0.8, seed=seed),
        "rotation": layers.RandomRotation(0.08, seed=seed),
        "shearing": layers.RandomShear(x_factor=0.3, y_factor=0.3, seed=seed),
        "local warping": layers.RandomElasticTransform(factor=(1.0, 1.0), scale=(1.0, 1.0), seed=seed),
        "colour shifting": functools.partial(random_color_shift, max_shift=20, seed=rng),
        "PCA colour augmentation": functools.partial(pca_color_augmentation_255, alpha_std=0.1, seed=rng,
                                                     axes=colour_axes),
    }


_GENERIC = {"name", "trainable", "dtype", "seed", "data_format", "autocast", "batch_input_shape", "fill_value",
            "value_range", "bounding_box_format"}


def describe(distortion) -> str:
    """A distortion and its parameters in one line, e.g. "RandomRotation(factor=(-0.08, 0.08), ...)"."""
    if isinstance(distortion, keras.Sequential):
        return " -> ".join(describe(layer) for layer in distortion.layers)
    if isinstance(distortion, layers.Layer):
        config = {key: value for key, value in distortion.get_config().items() if key not in _GENERIC}
        return f"{type(distortion).__name__}({', '.join(f'{k}={v!r}' for k, v in config.items())})"
    if isinstance(distortion, functools.partial):
        keywords = {key: value for key, value in distortion.keywords.items() if key not in ("seed", "axes")}
        if distortion.keywords.get("axes") is not None:
            keywords["axes"] = "the training set's"
        return f"{distortion.func.__name__}({', '.join(f'{k}={v!r}' for k, v in keywords.items())})"
    return getattr(distortion, "__name__", repr(distortion))


def apply(distortion, images: np.ndarray) -> np.ndarray:
    """One random draw of `distortion` (a Keras layer, called with ``training=True``, or a function on a
    batch) on a batch of images, as float32 NumPy."""
    if isinstance(distortion, layers.Layer):
        return keras.ops.convert_to_numpy(distortion(np.asarray(images, "float32"), training=True))
    return np.asarray(distortion(np.asarray(images, "float32")), "float32")


def compiled(distortion):
    """`distortion` as one compiled function of a batch where the backend can trace it (TensorFlow's
    ``tf.function``), else itself. Keras runs a preprocessing layer called on arrays op by op; traced once,
    its ops run as one graph -- for `lecture_augmentations`' local warping about 15 times faster on a CPU."""
    if not isinstance(distortion, layers.Layer) or keras.backend.backend() != "tensorflow":
        return distortion
    import tensorflow as tf

    return tf.function(lambda images: distortion(images, training=True), reduce_retracing=True)


def distorted_copies(distortion, images: np.ndarray, copies: int, batch_size: int = 32) -> np.ndarray:
    """`copies` independent draws of `distortion` on every image, copy after copy: ``copies * len(images)``
    images, float32. Distorted ahead of time, the same distorted images can train every arm of an
    experiment: through the whole network, or through activations computed from them once and saved
    (notebook 10) -- each copy plays the part of one epoch's fresh distortion. Distorted `batch_size` images at
    a time, as training draws them (some of Keras's layers, the elastic transform among them, slow down on
    larger batches)."""
    batches = np.array_split(np.asarray(images), max(1, -(-len(images) // batch_size)))
    return np.concatenate([apply(distortion, batch) for _ in range(copies) for batch in batches])


def parallel_batches(x: np.ndarray, y: np.ndarray, batch_size: int, distortion: Callable | None = None,
                     seed: int = 0, threads: int | None = None):
    """Training batches as a ``tf.data`` pipeline that distorts each batch on CPU threads while the model
    trains on the previous ones: shuffle, batch, ``map(..., num_parallel_calls)``, ``prefetch``.

    The lecture's "distortions computed in parallel with training". Keras's preprocessing layers run in
    the pipeline as TensorFlow ops (safe on any Keras backend); a NumPy function runs through
    ``tf.numpy_function``. Use it for the training data only: validation images are not distorted.

    Args:
        x, y: the training images (0-255) and labels.
        distortion: a Keras layer or a function on a batch; None for plain batches.
        seed: the shuffling order's seed (reshuffled each epoch).
        threads: batches distorted at once; None lets tf.data tune it (``AUTOTUNE``).
    """
    import tensorflow as tf

    parallel = threads or tf.data.AUTOTUNE
    batches = (tf.data.Dataset.from_tensor_slices((np.asarray(x, "float32"), y))
               .shuffle(len(x), seed=seed, reshuffle_each_iteration=True).batch(batch_size))
    if isinstance(distortion, layers.Layer):
        batches = batches.map(lambda images, labels: (distortion(images, training=True), labels),
                              num_parallel_calls=parallel)
    elif distortion is not None:
        def distort(images, labels):
            out = tf.numpy_function(lambda batch: apply(distortion, batch), [images], tf.float32)
            return tf.ensure_shape(out, images.shape), labels

        batches = batches.map(distort, num_parallel_calls=parallel)
    return batches.prefetch(tf.data.AUTOTUNE)

"""Every data set of the course behind one call, offline first.

``load(name, **options)`` returns ``(x_train, y_train), (x_test, y_test)`` as NumPy
arrays -- uint8 images of shape (N, height, width, channels) and int64 labels -- exactly
like ``keras.datasets``. ``class_names(name)`` gives the label names.

| name | source | needs the network |
| --- | --- | --- |
| ``fingers`` | generated here (see `cnn_course.fingers`), 64x64x3, 6 classes | no |
| ``digits`` | scikit-learn's 1,797 real handwritten 8x8 digits, resized to 32x32x1 | no |
| ``photos`` | six real photographs shipped with scikit-image and scikit-learn | no |
| ``signs`` | the original course's SIGNS ``.h5`` files, if you have them (``path=``) | no |
| ``folder`` | your own images, one sub-folder per class (``path=``; `save_folder` writes one) | no |
| ``cifar10`` | ``keras.datasets.cifar10``: opt-in download | yes |
"""

from __future__ import annotations

import hashlib
import inspect
import os
from pathlib import Path

import numpy as np
from PIL import Image

from cnn_course import config, fingers
from cnn_course.download import OfflineError

Split = tuple[np.ndarray, np.ndarray]


def load(name: str, **options) -> tuple[Split, Split]:
    """Load a course data set as ``(x_train, y_train), (x_test, y_test)``.

    Args:
        name: one of ``known()``.
        **options: passed to the data set's loader (e.g. ``n_train=``, ``seed=``, ``path=``).

    Raises:
        ValueError: for an unknown name; the message lists the known ones.
        OfflineError: when an online data set cannot be downloaded.
    """
    if name not in _LOADERS:
        raise ValueError(f"unknown data set {name!r}; known data sets: {', '.join(known())}")
    return _LOADERS[name](**options)


def known() -> list[str]:
    """Names ``load`` accepts."""
    return sorted(_LOADERS)


def class_names(name: str) -> list[str]:
    """The label names of a data set: ``class_names(name)[y]`` names label ``y``."""
    names = {
        "fingers": fingers.CLASS_NAMES,
        "signs": fingers.CLASS_NAMES,
        "digits": [str(d) for d in range(10)],
        "photos": [label for _, label in _PHOTOS],
        "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
    }
    if name not in names:
        raise ValueError(f"unknown data set {name!r}; known data sets: {', '.join(known())}")
    return list(names[name])


def load_fingers(n_train: int = 1080, n_test: int = 120, seed: int = 0, cache: bool = True,
                 varied_pose: bool = True) -> tuple[Split, Split]:
    """The course's stand-in for SIGNS: hands holding up 0-5 fingers, 64x64x3, balanced.

    Generated in a few seconds the first time and cached (keyed by the sizes, the seed and
    the generator's source code, so a changed generator never serves stale images).

    Args:
        n_train: training images, a multiple of 6.
        n_test: test images, a multiple of 6.
        seed: the same seed gives the same images.
        cache: read and write the cache in ``config.cache_dir()``.
        varied_pose: False for hands all upright, right, at one scale and place (`fingers.render`).
    """
    if n_train % 6 or n_test % 6:
        raise ValueError(f"n_train and n_test must be multiples of 6 (balanced classes), got {n_train}, {n_test}")
    version = hashlib.sha256(inspect.getsource(fingers).encode()).hexdigest()[:10]
    pose = "" if varied_pose else "-fixed-pose"
    path = config.cache_dir() / f"fingers-{n_train}-{n_test}-seed{seed}{pose}-{version}.npz"
    if cache and path.exists():
        with np.load(path) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    from skimage import data as textures_
    from tqdm.auto import tqdm

    textures = [textures_.brick(), textures_.grass(), textures_.gravel()]
    bar = lambda desc: lambda labels: tqdm(labels, desc=desc, leave=False)  # noqa: E731
    x_train, y_train = fingers.generate(n_train // 6, [seed, 0], textures, bar("fingers: train"), varied_pose)
    x_test, y_test = fingers.generate(n_test // 6, [seed, 1], textures, bar("fingers: test"), varied_pose)
    if cache:
        tmp = path.with_name(f".{os.getpid()}-{path.name}")  # one per process: pytest-xdist workers may race
        np.savez_compressed(tmp, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
        tmp.replace(path)
    return (x_train, y_train), (x_test, y_test)


def load_digits(size: int = 32, test_fraction: float = 0.2, seed: int = 0) -> tuple[Split, Split]:
    """Real handwritten digits (scikit-learn's 1,797 8x8 images) resized for LeNet-5.

    The 0-16 grey levels are scaled to 0-255 and each image is resized to
    ``size x size x 1`` with bilinear interpolation. The split is stratified (every digit
    in the same proportion in both parts) and fixed by `seed`.
    """
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    digits = sklearn_digits()
    small = (digits.images * (255.0 / 16.0)).astype(np.uint8)
    images = np.stack([np.asarray(Image.fromarray(im).resize((size, size), Image.BILINEAR)) for im in small])
    x_train, x_test, y_train, y_test = train_test_split(
        images[..., None], digits.target.astype(np.int64), test_size=test_fraction, stratify=digits.target,
        random_state=seed)
    return (x_train, y_train), (x_test, y_test)


# (loader, label) of the photographs shipped inside scikit-image and scikit-learn.
_PHOTOS = [("skimage:astronaut", "astronaut"), ("skimage:chelsea", "cat"), ("skimage:coffee", "coffee cup"),
           ("skimage:rocket", "rocket"), ("sklearn:china.jpg", "temple"), ("sklearn:flower.jpg", "flower")]


def load_photos(size: int = 224) -> tuple[Split, Split]:
    """Six real photographs, centre-cropped to a square and resized to ``size x size x 3``.

    For augmentation and pretrained-model demos. Label ``i`` is photo ``i``
    (``class_names("photos")``). All six are in the first split; the test split is empty.
    """
    from skimage import data as skimage_data
    from sklearn.datasets import load_sample_image

    photos = []
    for source, _ in _PHOTOS:
        library, item = source.split(":")
        photo = getattr(skimage_data, item)() if library == "skimage" else load_sample_image(item)
        photos.append(_square(photo, size))
    x = np.stack(photos)
    y = np.arange(len(x), dtype=np.int64)
    return (x, y), (x[:0], y[:0])


def _square(image: np.ndarray, size: int) -> np.ndarray:
    """Centre-crop an image to a square and resize it to size x size."""
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    crop = Image.fromarray(image[top : top + side, left : left + side])
    return np.asarray(crop.resize((size, size), Image.BICUBIC))


def load_cifar10() -> tuple[Split, Split]:
    """CIFAR-10 through ``keras.datasets`` (opt-in: downloads 163 MB once, then cached by Keras).

    Raises:
        OfflineError: with a one-line message naming the offline data sets when the
            download fails.
    """
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    except Exception as error:  # Keras wraps network failures in several exception types
        raise OfflineError(
            f"cifar10 must be downloaded and the download failed ({type(error).__name__}); "
            f"offline data sets: {', '.join(n for n in known() if n != 'cifar10')}") from None
    return (x_train, y_train.ravel().astype(np.int64)), (x_test, y_test.ravel().astype(np.int64))


def load_signs(path: str | Path) -> tuple[Split, Split]:
    """The original course's SIGNS data set from ``train_signs.h5`` and ``test_signs.h5`` in `path`.

    Args:
        path: the folder holding both files (datasets ``train_set_x``/``train_set_y`` and
            ``test_set_x``/``test_set_y``).
    """
    import h5py

    folder = Path(path)
    splits = []
    for split in ("train", "test"):
        file = folder / f"{split}_signs.h5"
        if not file.exists():
            raise FileNotFoundError(f"{file} not found: `signs` needs the course's train_signs.h5 and "
                                    f"test_signs.h5; `load('fingers')` is the offline stand-in")
        with h5py.File(file, "r") as f:
            x = np.asarray(f[f"{split}_set_x"], dtype=np.uint8)
            y = np.asarray(f[f"{split}_set_y"]).ravel().astype(np.int64)
        splits.append((x, y))
    return splits[0], splits[1]


def load_folder(path: str | Path, size: int = 64, test_fraction: float = 0.2, seed: int = 0) -> tuple[Split, Split]:
    """Your own images: `path` holds one sub-folder per class (the class names, sorted, give labels 0, 1,
    ...), read by ``keras.utils.image_dataset_from_directory`` and resized to ``size x size x 3``; a
    stratified `test_fraction` of them, chosen by `seed`, is the test split.
    """
    import keras
    from sklearn.model_selection import train_test_split

    if not Path(path).is_dir():
        raise FileNotFoundError(f"{path} is not a folder: it should hold one sub-folder of images per class")
    dataset = keras.utils.image_dataset_from_directory(path, image_size=(size, size), batch_size=None,
                                                       shuffle=False, verbose=False)
    pairs = list(dataset.as_numpy_iterator())
    x = np.stack([image for image, _ in pairs]).round().clip(0, 255).astype(np.uint8)
    y = np.array([label for _, label in pairs], dtype=np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_fraction, stratify=y, random_state=seed)
    return (x_train, y_train), (x_test, y_test)


def save_folder(x: np.ndarray, y: np.ndarray, class_names, path: str | Path) -> Path:
    """Write images as PNG files into `path`/<class name>/, the layout `load_folder` reads."""
    path = Path(path)
    for index, (image, label) in enumerate(zip(x, y)):
        (path / class_names[label]).mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.asarray(image, np.uint8).squeeze()).save(path / class_names[label] / f"{index:05d}.png")
    return path


def resize(images: np.ndarray, size: int) -> np.ndarray:
    """A batch of images at ``size x size`` (bilinear, as ``keras.layers.Resizing``), as float32 pixels in
    the input's range."""
    import keras

    return keras.ops.convert_to_numpy(keras.ops.image.resize(np.asarray(images, "float32"), (size, size)))


_LOADERS = {"fingers": load_fingers, "digits": load_digits, "photos": load_photos,
            "signs": load_signs, "cifar10": load_cifar10, "folder": load_folder}

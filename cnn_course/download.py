"""Opt-in downloads: checksummed (where the publisher gives a hash), cached by Keras, and one clear line when
offline."""

from __future__ import annotations


class OfflineError(RuntimeError):
    """A download was needed and failed. Notebooks show its one-line message, not a traceback."""

    def _render_traceback_(self):  # IPython calls this instead of printing a traceback
        return [f"{type(self).__name__}: {self}"]


def fetch(file_name: str, url: str, file_hash: str | None, what: str, offline_alternative: str) -> str:
    """Download `url` once into Keras' cache (``~/.keras/models``), checking its hash.

    Args:
        file_name: name of the cached file.
        url: where to download it from.
        file_hash: its known md5 or sha256, verified by ``keras.utils.get_file``. None only for a
            file whose publisher gives no hash -- keras.applications' MobileNet and MobileNetV2
            ImageNet files: that download is *not* verified (as in keras.applications); the
            caller's docstring says so.
        what: what the file is, for the error message (e.g. "VGG16 ImageNet weights").
        offline_alternative: what to do instead without a network.

    Returns:
        The local path of the file.

    Raises:
        OfflineError: when the download (or the hash check) fails.
    """
    import keras

    try:
        return keras.utils.get_file(file_name, url, cache_subdir="models", file_hash=file_hash)
    except Exception as error:  # get_file raises several types for network and hash failures
        raise OfflineError(f"{what} must be downloaded and the download failed ({type(error).__name__}); "
                           f"offline: {offline_alternative}") from None

"""Loading weights into a built model: none, a file, or keras.applications' ImageNet files."""

from __future__ import annotations

from cnn_course.download import fetch


def load_weights(model, weights, include_top: bool = True, imagenet_files=None, base_url: str = ""):
    """Load `weights` into `model` and return it.

    Args:
        model: a built Keras model.
        weights: None (keep the random initialisation), the path of a weights file, or
            "imagenet" for a model that keras.applications publishes weights for.
        include_top: whether the model has its classifier (picks the file).
        imagenet_files: ``{include_top: (file name, hash)}`` of keras.applications' files; the hash is
            None where keras.applications publishes none (MobileNet, MobileNetV2: not verified).
        base_url: where those files are published.

    Raises:
        OfflineError: "imagenet" weights could not be downloaded.
    """
    if weights == "imagenet":  # the builder's check_arguments made sure imagenet_files exist
        file_name, file_hash = imagenet_files[include_top]
        weights = fetch(file_name, base_url + file_name, file_hash, f"{model.name} ImageNet weights",
                        "use weights=None, or copy the file into ~/.keras/models/ by hand")
    if weights is not None:
        model.load_weights(weights)
    return model

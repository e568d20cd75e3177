"""Pretrained-weight paths of the builders that mirror keras.applications: their weight files
load into ours, and without a network `weights="imagenet"` fails with one line."""

import urllib.error

import h5py
import keras
import numpy as np
import pytest

from cnn_course.download import OfflineError
from cnn_course.fixtures import fixed_inputs, randomize_weights
from cnn_course.models import VGG16, ResNet50

# (our builder, keras.applications' builder, largest allowed output difference given the outputs):
# VGG16 absolute; ResNet50, whose outputs grow through 16 blocks on random weights, relative.
MIRRORED = {"vgg16": (VGG16, keras.applications.VGG16, lambda want: 1e-5),
            "resnet50": (ResNet50, keras.applications.ResNet50, lambda want: 1e-4 * max(1.0, np.abs(want).max()))}


@pytest.mark.parametrize("name", MIRRORED)
def test_loads_a_keras_applications_weight_file_without_top(name, tmp_path):
    """The ImageNet files are legacy HDF5 weight files keyed by layer name: write one from
    keras.applications' model and load it into ours (the format of the real download)."""
    from keras.src.legacy.saving import legacy_h5_format

    ours_builder, keras_builder, tolerance = MIRRORED[name]
    theirs = keras_builder(weights=None, include_top=False, input_shape=(32, 32, 3))
    randomize_weights(theirs, seed=2)
    path = tmp_path / f"{name}_notop.h5"
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, theirs)
    ours = ours_builder(include_top=False, weights=str(path), input_shape=(32, 32, 3))
    images = fixed_inputs((2, 32, 32, 3), low=-1, high=1)
    want = np.asarray(theirs(images))
    assert np.abs(np.asarray(ours(images)) - want).max() <= tolerance(want)


@pytest.mark.parametrize("name", MIRRORED)
def test_imagenet_weights_offline_fail_with_one_line(name, monkeypatch):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    with pytest.raises(OfflineError) as caught:
        MIRRORED[name][0](weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    message = str(caught.value)
    assert "\n" not in message and name in message and "weights=None" in message

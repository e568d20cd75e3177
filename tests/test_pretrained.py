"""Pretrained-weight paths of the builders that mirror keras.applications: their weight files
load into ours, `weights="imagenet"` asks for keras.applications' file (name, address, hash), and
without a network it fails with one line."""

import urllib.error
import warnings

import h5py
import keras
import numpy as np
import pytest

from cnn_course.download import OfflineError
from cnn_course.fixtures import fixed_inputs, randomize_weights
from cnn_course.models import VGG16, EfficientNetB0, MobileNet, MobileNetV2, ResNet50


def _relative(want):
    return 1e-4 * max(1.0, np.abs(want).max())


# (our builder, keras.applications' builder, largest allowed output difference given the outputs):
# VGG16 absolute; the deeper networks, whose outputs grow through their blocks on random weights, relative.
MIRRORED = {"vgg16": (VGG16, keras.applications.VGG16, lambda want: 1e-5),
            "resnet50": (ResNet50, keras.applications.ResNet50, _relative),
            "mobilenet": (MobileNet, keras.applications.MobileNet, _relative),
            "mobilenetv2": (MobileNetV2, keras.applications.MobileNetV2, _relative),
            "efficientnetb0": (EfficientNetB0, keras.applications.EfficientNetB0, _relative)}
SHAPE = (32, 32, 3)  # the smallest input keras.applications accepts, for every model here
# With the top as well where that is cheap (VGG16's top is 22 million more parameters at 32x32).
CASES = [(name, False) for name in MIRRORED] + [(name, True) for name in ("mobilenet", "mobilenetv2", "efficientnetb0")]


@pytest.fixture(scope="module")
def keras_files(tmp_path_factory):
    """keras.applications' model with random weights and a legacy HDF5 weight file written from it (the
    format of the real ImageNet downloads), per (name, include_top), written once per module."""
    from keras.src.legacy.saving import legacy_h5_format

    cache = {}

    def get(name, include_top):
        if (name, include_top) not in cache:
            theirs = MIRRORED[name][1](weights=None, include_top=include_top, input_shape=SHAPE)
            randomize_weights(theirs, seed=2)
            for layer in theirs.layers:  # after set_weights a Normalization layer still computes with its old
                if isinstance(layer, keras.layers.Normalization):  # mean and variance; loading a file updates them
                    layer.finalize_state()
            path = tmp_path_factory.mktemp("weights") / f"{name}_{include_top}.h5"
            with h5py.File(path, "w") as f:
                legacy_h5_format.save_weights_to_hdf5_group(f, theirs)
            cache[name, include_top] = theirs, path
        return cache[name, include_top]

    return get


def _assert_same(ours, theirs, name, images):
    """Every weight in the same place, the same outputs, and the same output of the first convolution:
    on random weights EfficientNet's outputs hardly depend on its input (its influence falls below 1e-6
    by block 5), so the end alone would not show a difference in the preprocessing or the first blocks."""
    assert all(np.array_equal(a, b) for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True))
    first = next(layer.name for layer in ours.layers if isinstance(layer, keras.layers.Conv2D))
    for model_output in (lambda model: model.output, lambda model: model.get_layer(first).output):
        got, want = (np.asarray(keras.Model(model.input, model_output(model))(images)) for model in (ours, theirs))
        assert np.abs(got - want).max() <= MIRRORED[name][2](want)


@pytest.mark.parametrize("name, include_top", CASES)
def test_loads_a_keras_applications_weight_file(name, include_top, keras_files):
    theirs, path = keras_files(name, include_top)
    ours = MIRRORED[name][0](include_top=include_top, weights=str(path), input_shape=SHAPE)
    _assert_same(ours, theirs, name, fixed_inputs((2, *SHAPE), low=-1, high=1))


@pytest.mark.parametrize("name", MIRRORED)
def test_imagenet_asks_for_keras_applications_file_and_computes_like_it(name, keras_files, monkeypatch):
    """Both builders, with `get_file` answering from disk: the same file name, address and hash
    (None where keras.applications publishes none), and the same outputs from it -- EfficientNet's
    included, whose ImageNet path adds a rescaling layer."""
    _, path = keras_files(name, False)
    asked = []

    def get_file(fname=None, origin=None, cache_subdir="datasets", file_hash=None, **kwargs):
        asked.append((fname, origin, file_hash))
        return str(path)

    monkeypatch.setattr(keras.utils, "get_file", get_file)  # ours, through cnn_course.download.fetch
    monkeypatch.setattr("keras.src.utils.file_utils.get_file", get_file)  # keras.applications'
    with warnings.catch_warnings():  # the MobileNets warn that 32x32 gets the 224x224 file
        warnings.simplefilter("ignore")
        theirs = MIRRORED[name][1](weights="imagenet", include_top=False, input_shape=SHAPE)
        ours = MIRRORED[name][0](weights="imagenet", include_top=False, input_shape=SHAPE)
    assert len(asked) == 2 and asked[0] == asked[1]
    assert (asked[1][2] is None) == name.startswith("mobilenet")
    _assert_same(ours, theirs, name, fixed_inputs((2, *SHAPE), low=0, high=255))


@pytest.mark.parametrize("name", MIRRORED)
def test_imagenet_weights_offline_fail_with_one_line(name, monkeypatch):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    with pytest.raises(OfflineError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MIRRORED[name][0](weights="imagenet", include_top=False, input_shape=SHAPE)
    message = str(caught.value)
    assert "\n" not in message and name in message and "weights=None" in message


@pytest.mark.parametrize("name", MIRRORED)
def test_imagenet_top_needs_1000_classes_its_input_size_and_three_channels(name):
    build = MIRRORED[name][0]
    for kwargs in ({"classes": 10}, {"input_shape": (64, 64, 3)}, {"include_top": False, "input_shape": (64, 64, 1)}):
        with pytest.raises(ValueError, match="classes=1000 and input_shape|3 input channels") as caught:
            build(weights="imagenet", **kwargs)
        assert "\n" not in str(caught.value)


@pytest.mark.parametrize("build, kwargs, match", [
    (MobileNet, {"alpha": 0.6}, "alpha in"),
    (MobileNet, {"depth_multiplier": 2}, "depth_multiplier=1"),
    (MobileNetV2, {"alpha": 1.2}, "alpha in"),
    (MobileNetV2, {"linear_bottleneck": False}, "linear_bottleneck=True"),
])
def test_mobilenet_imagenet_files_exist_only_for_some_widths(build, kwargs, match):
    with pytest.raises(ValueError, match=match) as caught:
        build(weights="imagenet", include_top=False, **kwargs)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("build, input_shape, file_name", [
    (MobileNet, (160, 160, 3), "mobilenet_5_0_160_tf_no_top.h5"),
    (MobileNet, (100, 100, 3), "mobilenet_5_0_224_tf_no_top.h5"),
    (MobileNetV2, (96, 96, 3), "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_96_no_top.h5"),
    (MobileNetV2, (96, 128, 3), "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5"),
])
def test_mobilenet_file_follows_input_size_else_224_with_a_warning(build, input_shape, file_name, monkeypatch):
    """keras.applications' rule: a square input of a published size gets its own file, any other input
    (without the top) the 224x224 one, with a warning."""
    asked = []

    def refuse(fname=None, origin=None, **kwargs):
        asked.append(origin)
        raise OSError("offline")

    monkeypatch.setattr(keras.utils, "get_file", refuse)
    with warnings.catch_warnings(record=True) as caught, pytest.raises(OfflineError):
        warnings.simplefilter("always")
        build(weights="imagenet", include_top=False, alpha=0.5, input_shape=input_shape)
    assert [origin.rsplit("/", 1)[1] for origin in asked] == [file_name]
    assert any("224x224" in str(warning.message) for warning in caught) == (input_shape[:2] in ((100, 100), (96, 128)))

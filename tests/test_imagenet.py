"""keras.applications' ImageNet conventions where the course claims them: each family with ImageNet weights
has keras' `preprocess_input` and `decode_predictions`, and the class index behind the latter is keras' file,
shipped in data/ and read with no network."""

import hashlib
import importlib
import inspect
import json
import re
import socket

import keras
import numpy as np
import pytest
from keras.applications import imagenet_utils

from cnn_course import config, models
from cnn_course.models import imagenet

# builder -> (our module holding its preprocessing, keras.applications' module or None, keras' mode or None for
# a pass-through). EfficientNet-Lite0 is not in keras.applications: its checkpoint wants [-1, 1], keras' "tf".
PREPROCESSING = {
    "VGG16": ("classic", "vgg16", "caffe"),
    "ResNet50": ("resnet", "resnet", "caffe"),
    "MobileNet": ("mobilenet", "mobilenet", "tf"),
    "MobileNetV2": ("mobilenet", "mobilenet_v2", "tf"),
    **{f"EfficientNetB{i}": ("efficientnet", "efficientnet", None) for i in range(8)},
    "EfficientNetLite0": ("ported", None, "tf"),
}
FAMILIES = sorted({module for module, *_ in PREPROCESSING.values()})


def _ours(module: str):
    return importlib.import_module(f"cnn_course.models.{module}")


def _has_imagenet_weights(name: str) -> bool:
    """Read from the builder: its argument check refuses weights="imagenet" with 7 classes for "1000" when
    it has ImageNet weights, else with "no ImageNet weights" (before building anything)."""
    with pytest.raises(ValueError) as error:
        getattr(models, name)(weights="imagenet", classes=7)
    return "no ImageNet weights" not in str(error.value)


def _images(seed=0, shape=(4, 8, 8, 3)):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype("float32")


def _no_network(*args, **kwargs):
    raise AssertionError("tried to use the network")


def test_every_builder_with_imagenet_weights_has_its_preprocessing():
    assert sorted(name for name in models.__all__ if _has_imagenet_weights(name)) == sorted(PREPROCESSING)
    for name, (module, *_) in PREPROCESSING.items():  # the builder's own module, but for the ported Lite0
        home = "efficientnet" if module == "ported" else module
        assert getattr(models, name).__module__ == f"cnn_course.models.{home}"


@pytest.mark.parametrize("name", PREPROCESSING)
def test_preprocess_input_is_keras_applications(name):
    """On a random batch of 0-255 pixels, as an array and as a tensor: keras' mode ("caffe": RGB to BGR minus
    ImageNet's mean pixel; "tf": [-1, 1]) or the pass-through, and keras.applications' own function where
    it has the model."""
    module, keras_module, mode = PREPROCESSING[name]
    preprocess = _ours(module).preprocess_input
    images = _images()
    want = images if mode is None else imagenet_utils.preprocess_input(images.copy(), mode=mode)
    np.testing.assert_allclose(preprocess(images.copy()), want, rtol=0, atol=1e-6)
    tensor = keras.ops.convert_to_numpy(preprocess(keras.ops.convert_to_tensor(images)))
    np.testing.assert_allclose(tensor, want, rtol=0, atol=1e-5)
    if keras_module:
        theirs = getattr(keras.applications, keras_module).preprocess_input
        np.testing.assert_allclose(preprocess(images.copy()), theirs(images.copy()), rtol=0, atol=0)
    if mode == "caffe":
        np.testing.assert_allclose(want[..., 0], images[..., 2] - 103.939, atol=1e-4)
    if mode == "tf":
        assert want.min() >= -1 and want.max() <= 1


def test_the_shipped_class_index_is_keras_applications_file():
    """Byte for byte: its md5 is the hash keras checks when it downloads imagenet_class_index.json."""
    keras_md5 = re.search(r'file_hash="([0-9a-f]{32})"', inspect.getsource(imagenet_utils.decode_predictions))[1]
    data = (config.REPO_ROOT / "data" / imagenet.INDEX_FILE).read_bytes()
    assert hashlib.md5(data).hexdigest() == keras_md5
    index = imagenet.class_index()
    assert len(index) == 1000 and index["285"] == ("n02124075", "Egyptian_cat") and index["967"][1] == "espresso"
    assert index["134"][1] == index["517"][1] == "crane" and index["134"][0] != index["517"][0]  # bird, machine
    names = imagenet.class_names()  # the first synonyms, with spaces
    assert all(index[str(i)][1] == name.replace(" ", "_") for i, name in enumerate(names))


@pytest.mark.parametrize("module", FAMILIES)
def test_every_family_decodes_with_the_one_offline_decode_predictions(module):
    assert _ours(module).decode_predictions is imagenet.decode_predictions


@pytest.mark.parametrize("top", [1, 3, 5, 1000])
def test_decode_predictions_equals_keras_own_given_the_same_index(top, monkeypatch):
    """keras' own function, its class index set from our file so it needs no download, against ours with the
    network refused: the same tuples, in the same order, ties included (rows of equal scores)."""
    from keras.src.applications import imagenet_utils as keras_imagenet_utils  # holds keras' CLASS_INDEX

    monkeypatch.setattr(keras_imagenet_utils, "CLASS_INDEX",
                        json.loads((config.REPO_ROOT / "data" / imagenet.INDEX_FILE).read_text()))
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setattr(keras.utils, "get_file", _no_network)
    logits = np.random.default_rng(top).normal(size=(3, 1000)).astype("float32")
    preds = np.concatenate([keras.ops.convert_to_numpy(keras.ops.softmax(logits)), np.eye(1000, dtype="float32")[[285]],
                            np.full((1, 1000), 0.001, "float32")])
    ours = imagenet.decode_predictions(preds, top=top)
    assert ours == imagenet_utils.decode_predictions(preds, top=top)
    assert [len(row) for row in ours] == [top] * len(preds)
    for row, scores in zip(ours, preds):
        assert row[0][2] == scores.max() and all(a[2] >= b[2] for a, b in zip(row, row[1:]))
    assert ours[3][0] == ("n02124075", "Egyptian_cat", 1.0)
    assert imagenet.decode_predictions(keras.ops.convert_to_tensor(preds), top=top) == ours  # a tensor as well


@pytest.mark.parametrize("shape", [(2, 10), (1000,), (2, 1000, 1)])
def test_decode_predictions_refuses_other_shapes_as_keras_does(shape):
    preds = np.zeros(shape, "float32")
    with pytest.raises(ValueError) as theirs:  # keras checks the shape before it would download anything
        imagenet_utils.decode_predictions(preds)
    with pytest.raises(ValueError) as ours:
        imagenet.decode_predictions(preds)
    assert str(ours.value) == str(theirs.value) and "(samples, 1000)" in str(ours.value)

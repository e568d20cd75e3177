"""Every builder answers the keras.applications arguments the same way (the idea of Keras's
``applications_test.py`` MODEL_LIST): include_top, pooling, classes, input_tensor, input_shape, weights, name.
The builders are those the package exports (``cnn_course.models.__all__``); `FACTS` holds only what cannot
be read from them."""

import inspect
from typing import NamedTuple

import keras
import numpy as np
import pytest

from cnn_course import models
from cnn_course.fixtures import fixed_inputs, randomize_weights
from cnn_course.models import weights as weights_module


class Facts(NamedTuple):
    shape: tuple  # a small input shape the builder builds on
    channels: int  # channels of its last feature map
    imagenet: bool  # ImageNet weights are published for it (weights="imagenet")
    same_code_as: str = ""  # a builder running the same code with other numbers: the tests that build a model run
    # on that one only (B1-B7 have 300-800 layers, slow to build); the argument tests (refusals) on both


FACTS = {
    "LeNet5": Facts((32, 32, 1), 16, False),
    "AlexNet": Facts((67, 67, 3), 256, False),
    "VGG16": Facts((32, 32, 3), 512, True),
    "ResNet50": Facts((32, 32, 3), 2048, True),
    "ResNet18": Facts((32, 32, 3), 512, False),
    "CifarResNet": Facts((32, 32, 3), 64, False),
    "GoogLeNet": Facts((32, 32, 3), 1024, False),
    "MobileNet": Facts((32, 32, 3), 1024, True),
    "MobileNetV2": Facts((32, 32, 3), 1280, True),
    "EfficientNetB0": Facts((32, 32, 3), 1280, True),
    **{f"EfficientNetB{i}": Facts((32, 32, 3), channels, True, same_code_as="EfficientNetB0")
       for i, channels in enumerate((1280, 1408, 1536, 1792, 2048, 2304, 2560), start=1)},
    "EfficientNetLite0": Facts((32, 32, 3), 1280, True),
}
# (builder, shape, channels, imagenet) for every exported builder with facts (one without fails the next test)
MODEL_LIST = [(getattr(models, name), *FACTS[name][:3]) for name in models.__all__ if name in FACTS]
IDS = [build.__name__ for build, *_ in MODEL_LIST]
# the same for one builder per code path: the tests that build a model
OUTPUT_LIST = [row for row in MODEL_LIST if not FACTS[row[0].__name__].same_code_as]
OUTPUT_IDS = [build.__name__ for build, *_ in OUTPUT_LIST]


def _no_download(*args, **kwargs):
    raise AssertionError("a builder tried to download ImageNet weights")


def test_every_exported_builder_has_its_facts():
    assert [name for name in models.__all__ if name not in FACTS] == []
    assert [name for name in FACTS if name not in models.__all__] == []
    assert all(getattr(models, name).__name__ == name for name in models.__all__)
    assert all(FACTS[facts.same_code_as].same_code_as == "" for facts in FACTS.values() if facts.same_code_as)


@pytest.mark.parametrize("build, shape, channels, imagenet", OUTPUT_LIST, ids=OUTPUT_IDS)
def test_top_maps_input_shape_to_classes(build, shape, channels, imagenet):
    model = build(input_shape=shape, classes=7, name="custom")
    assert model.name == "custom"
    assert tuple(model.input_shape) == (None, *shape) and tuple(model.output_shape) == (None, 7)
    predictions = model.get_layer("predictions")
    assert model.layers[-1] is predictions and predictions.activation.__name__ == "softmax"
    probabilities = np.asarray(model(fixed_inputs((2, *shape), low=0, high=1)))
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


@pytest.mark.one_backend
@pytest.mark.parametrize("build, shape, channels, imagenet", OUTPUT_LIST, ids=OUTPUT_IDS)
def test_classifier_activation_none_gives_logits(build, shape, channels, imagenet):
    model = build(input_shape=shape, classes=3, classifier_activation=None)
    assert model.get_layer("predictions").activation.__name__ == "linear"


@pytest.mark.one_backend
@pytest.mark.parametrize("build, shape, channels, imagenet", OUTPUT_LIST, ids=OUTPUT_IDS)
@pytest.mark.parametrize("pooling, layer_name", [(None, None), ("avg", "avg_pool"), ("max", "max_pool")])
def test_without_top_gives_feature_maps_or_their_pooling(build, shape, channels, imagenet, pooling, layer_name):
    model = build(include_top=False, pooling=pooling, input_shape=shape)
    assert all(layer.name != "predictions" for layer in model.layers)
    if pooling is None:
        assert len(model.output_shape) == 4 and model.output_shape[-1] == channels
    else:
        assert tuple(model.output_shape) == (None, channels) and model.layers[-1].name == layer_name


@pytest.mark.parametrize("build, shape, channels, imagenet", OUTPUT_LIST, ids=OUTPUT_IDS)
def test_weights_none_is_random_and_a_weights_file_loads(build, shape, channels, imagenet, tmp_path):
    trained = build(include_top=False, input_shape=shape, weights=None)
    randomize_weights(trained, seed=1)
    path = tmp_path / "trained.weights.h5"
    trained.save_weights(path)
    reloaded = build(include_top=False, input_shape=shape, weights=str(path))
    images = fixed_inputs((2, *shape), low=-1, high=1)
    # equal up to float rounding (EfficientNet-B0's reloaded copy differs by about 1e-7)
    np.testing.assert_allclose(np.asarray(reloaded(images)), np.asarray(trained(images)), rtol=0, atol=1e-6)


@pytest.mark.parametrize("build, shape, channels, imagenet", MODEL_LIST, ids=IDS)
def test_rejects_arguments_it_cannot_honour_before_building(build, shape, channels, imagenet):
    with pytest.raises(ValueError, match="pooling"):
        build(include_top=False, pooling="mean", input_shape=shape)
    if imagenet:
        with pytest.raises(ValueError, match="1000"):
            build(weights="imagenet", classes=7)
    else:
        with pytest.raises(ValueError, match="no ImageNet weights"):
            build(weights="imagenet", input_shape=shape)


@pytest.mark.one_backend
@pytest.mark.parametrize("build, shape, channels, imagenet", OUTPUT_LIST, ids=OUTPUT_IDS)
def test_flat_functional_graph(build, shape, channels, imagenet):
    """Blocks add layers to one graph, never nested models, so weight files match layer names."""
    model = build(input_shape=shape, classes=4)
    assert isinstance(model, keras.Model) and not isinstance(model, keras.Sequential)
    assert not any(isinstance(layer, keras.Model) for layer in model.layers)


@pytest.mark.parametrize("build", [build for build, *_ in MODEL_LIST], ids=IDS)
def test_called_like_keras_applications(build):
    """Where keras.applications has the builder, ours takes its parameters in its order (then ours, if any);
    every builder takes the common ones."""
    ours = list(inspect.signature(build).parameters)
    theirs = getattr(keras.applications, build.__name__, None)
    if theirs is not None:
        names = [p.name for p in inspect.signature(theirs).parameters.values() if p.kind is not p.VAR_KEYWORD]
        assert ours[:len(names)] == names
    common = {"include_top", "weights", "input_tensor", "input_shape", "pooling", "classes", "classifier_activation",
              "name"}
    assert common <= set(ours)


@pytest.mark.one_backend
@pytest.mark.parametrize("build, shape, channels, imagenet", OUTPUT_LIST, ids=OUTPUT_IDS)
def test_input_tensor_is_the_models_input(build, shape, channels, imagenet, monkeypatch):
    """As keras.applications: ``input_tensor=keras.Input(...)`` builds the model on that very tensor, and
    its shape stands for `input_shape` in the ImageNet checks (the default shape would pass them)."""
    tensor = keras.Input(shape, name="given")
    model = build(input_tensor=tensor, classes=5)
    assert len(model.inputs) == 1 and model.inputs[0] is tensor
    assert tuple(model.input_shape) == (None, *shape) and tuple(model.output_shape) == (None, 5)
    if imagenet:
        monkeypatch.setattr(weights_module, "fetch", _no_download)
        with pytest.raises(ValueError, match="1000 and input_shape"):
            build(weights="imagenet", input_tensor=keras.Input(shape))


@pytest.mark.parametrize("build, shape, channels, imagenet", OUTPUT_LIST, ids=OUTPUT_IDS)
def test_input_tensor_from_other_layers_extends_their_graph(build, shape, channels, imagenet):
    """A tensor computed by other layers (as keras.applications' tests feed one): the model starts at
    the ``keras.Input`` it comes from (``keras.utils.get_source_inputs``), with those layers inside."""
    pixels = keras.Input(shape, name="pixels")
    scaled = keras.layers.Rescaling(1 / 255, name="scale_pixels")(pixels)
    model = build(input_tensor=scaled, include_top=False, pooling="avg")
    assert len(model.inputs) == 1 and model.inputs[0] is pixels
    assert "scale_pixels" in [layer.name for layer in model.layers]
    features = keras.ops.convert_to_numpy(model(fixed_inputs((2, *shape), low=0, high=255)))
    assert features.shape == (2, channels) and np.isfinite(features).all()


def test_input_tensor_must_be_a_keras_tensor_as_in_keras_applications():
    with pytest.raises(ValueError, match="KerasTensor"):
        models.LeNet5(input_tensor=np.zeros((1, 32, 32, 1), "float32"))
    with pytest.raises(ValueError, match="KerasTensor"):
        keras.applications.ResNet50(weights=None, input_tensor=np.zeros((1, 32, 32, 3), "float32"))

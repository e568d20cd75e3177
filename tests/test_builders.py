"""Every builder answers the keras.applications arguments the same way (the idea of Keras's
``applications_test.py`` MODEL_LIST): include_top, pooling, classes, input_shape, weights, name."""

import keras
import numpy as np
import pytest

from cnn_course.fixtures import fixed_inputs, randomize_weights
from cnn_course.models import (
    VGG16,
    AlexNet,
    CifarResNet,
    EfficientNetB0,
    EfficientNetLite0,
    GoogLeNet,
    LeNet5,
    MobileNet,
    MobileNetV2,
    ResNet18,
    ResNet50,
)

# (builder, a small input shape it builds on, channels of its last feature map, publishes ImageNet weights)
MODEL_LIST = [
    (LeNet5, (32, 32, 1), 16, False),
    (AlexNet, (67, 67, 3), 256, False),
    (VGG16, (32, 32, 3), 512, True),
    (ResNet50, (32, 32, 3), 2048, True),
    (ResNet18, (32, 32, 3), 512, False),
    (CifarResNet, (32, 32, 3), 64, False),
    (GoogLeNet, (32, 32, 3), 1024, False),
    (MobileNet, (32, 32, 3), 1024, True),
    (MobileNetV2, (32, 32, 3), 1280, True),
    (EfficientNetB0, (32, 32, 3), 1280, True),
    (EfficientNetLite0, (32, 32, 3), 1280, True),
]
IDS = [build.__name__ for build, *_ in MODEL_LIST]


@pytest.mark.parametrize("build, shape, channels, imagenet", MODEL_LIST, ids=IDS)
def test_top_maps_input_shape_to_classes(build, shape, channels, imagenet):
    model = build(input_shape=shape, classes=7, name="custom")
    assert model.name == "custom"
    assert tuple(model.input_shape) == (None, *shape) and tuple(model.output_shape) == (None, 7)
    predictions = model.get_layer("predictions")
    assert model.layers[-1] is predictions and predictions.activation.__name__ == "softmax"
    probabilities = np.asarray(model(fixed_inputs((2, *shape), low=0, high=1)))
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


@pytest.mark.parametrize("build, shape, channels, imagenet", MODEL_LIST, ids=IDS)
def test_classifier_activation_none_gives_logits(build, shape, channels, imagenet):
    model = build(input_shape=shape, classes=3, classifier_activation=None)
    assert model.get_layer("predictions").activation.__name__ == "linear"


@pytest.mark.parametrize("build, shape, channels, imagenet", MODEL_LIST, ids=IDS)
@pytest.mark.parametrize("pooling, layer_name", [(None, None), ("avg", "avg_pool"), ("max", "max_pool")])
def test_without_top_gives_feature_maps_or_their_pooling(build, shape, channels, imagenet, pooling, layer_name):
    model = build(include_top=False, pooling=pooling, input_shape=shape)
    assert all(layer.name != "predictions" for layer in model.layers)
    if pooling is None:
        assert len(model.output_shape) == 4 and model.output_shape[-1] == channels
    else:
        assert tuple(model.output_shape) == (None, channels) and model.layers[-1].name == layer_name


@pytest.mark.parametrize("build, shape, channels, imagenet", MODEL_LIST, ids=IDS)
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


@pytest.mark.parametrize("build, shape, channels, imagenet", MODEL_LIST, ids=IDS)
def test_flat_functional_graph(build, shape, channels, imagenet):
    """Blocks add layers to one graph, never nested models, so weight files match layer names."""
    model = build(input_shape=shape, classes=4)
    assert isinstance(model, keras.Model) and not isinstance(model, keras.Sequential)
    assert not any(isinstance(layer, keras.Model) for layer in model.layers)

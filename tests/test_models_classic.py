"""LeNet-5, AlexNet and VGG-16: the papers' parameter counts, shapes, and keras.applications equivalence."""


import keras
import numpy as np
import pytest

from cnn_course.fixtures import fixed_inputs, randomize_weights
from cnn_course.models import VGG16, AlexNet, LeNet5


def output_shapes(model):
    return {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}


@pytest.mark.parametrize("build, params", [
    (LeNet5, 61_706),
    (lambda: LeNet5(modern=True), 61_706),
    (AlexNet, 62_378_344),
    (lambda: AlexNet(two_gpu=True), 60_965_224),
    (VGG16, 138_357_544),
])
@pytest.mark.one_backend
def test_parameter_counts(build, params):
    assert build().count_params() == params


def test_lenet5_shrinks_32_to_5x5x16():
    shapes = output_shapes(LeNet5())
    assert shapes["conv1"] == (28, 28, 6) and shapes["pool1"] == (14, 14, 6)
    assert shapes["conv2"] == (10, 10, 16) and shapes["pool2"] == (5, 5, 16)
    assert shapes["fc1"] == (120,) and shapes["fc2"] == (84,) and shapes["predictions"] == (10,)


def test_lenet5_classic_and_modern_choices():
    classic, modern = LeNet5(), LeNet5(modern=True)
    assert isinstance(classic.get_layer("pool1"), keras.layers.AveragePooling2D)
    assert classic.get_layer("conv1").activation.__name__ == "tanh"
    assert isinstance(modern.get_layer("pool1"), keras.layers.MaxPooling2D)
    assert modern.get_layer("conv1").activation.__name__ == "relu"


def test_alexnet_volume_walk():
    shapes = output_shapes(AlexNet())
    assert shapes["conv1"] == (55, 55, 96) and shapes["pool1"] == (27, 27, 96)
    assert shapes["conv2"] == (27, 27, 256) and shapes["pool2"] == (13, 13, 256)
    assert shapes["conv5"] == (13, 13, 256) and shapes["pool5"] == (6, 6, 256) and shapes["flatten"] == (9216,)


@pytest.mark.parametrize("pooling, shape", [(None, (7, 7, 16)), ("avg", (16,)), ("max", (16,))])
def test_headless_pooling_options(pooling, shape):
    model = LeNet5(include_top=False, pooling=pooling, input_shape=(40, 40, 1))
    assert tuple(model.output_shape[1:]) == shape


def test_vgg16_layers_match_keras_applications_and_outputs_agree():
    ours, theirs = VGG16(), keras.applications.VGG16(weights=None)
    assert [layer.name for layer in ours.layers[1:]] == [layer.name for layer in theirs.layers[1:]]  # inputs auto-named
    assert [w.shape for w in ours.weights] == [w.shape for w in theirs.weights]
    randomize_weights(theirs, seed=1)
    ours.set_weights(theirs.get_weights())
    images = fixed_inputs((1, 224, 224, 3), low=-1, high=1)
    difference = np.abs(np.asarray(ours(images)) - np.asarray(theirs(images))).max()
    assert difference <= 1e-5


def test_vgg16_imagenet_top_needs_its_shape():
    with pytest.raises(ValueError, match="224"):
        VGG16(weights="imagenet", classes=10)

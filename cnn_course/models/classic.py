"""The classic networks of the lecture: LeNet-5, AlexNet and VGG-16.

Builders are called like keras.applications':
``VGG16(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000)``.
For VGG16's ImageNet weights, as keras.applications.vgg16: `preprocess_input` (keras' own, "caffe": RGB to
BGR, ImageNet's mean pixel subtracted, no scaling) and `decode_predictions` (keras', with the class index
shipped in data/).
"""

from __future__ import annotations

from typing import NamedTuple

import keras
from keras import layers
from keras.applications.vgg16 import preprocess_input as preprocess_input

from cnn_course.blocks import vgg_block
from cnn_course.models.heads import check_arguments, classifier_head, image_input, source_inputs
from cnn_course.models.imagenet import decode_predictions as decode_predictions
from cnn_course.models.weights import load_weights


class VGGBlock(NamedTuple):
    """One block of VGG: `convs` 3x3 "same" convolutions with `filters` filters, then a 2x2 max-pool."""

    convs: int
    filters: int


# VGG-16's five blocks: configuration "D" of the paper's Table 1.
VGG16_BLOCKS = (VGGBlock(convs=2, filters=64), VGGBlock(convs=2, filters=128), VGGBlock(convs=3, filters=256),
                VGGBlock(convs=3, filters=512), VGGBlock(convs=3, filters=512))

_VGG16_WEIGHTS = {  # keras.applications' files and hashes
    True: ("vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b"),
    False: ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc"),
}
_VGG16_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"


def LeNet5(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=10, modern=False,
           classifier_activation="softmax", name="lenet5"):
    """LeNet-5 as in the lecture: 32x32x1 -> conv 5x5 (6) -> avg-pool -> conv 5x5 (16) -> avg-pool
    -> 120 -> 84 -> 10, with 61,706 parameters.

    LeCun, Bottou, Bengio & Haffner, "Gradient-Based Learning Applied to Document
    Recognition", 1998. The lecture simplifies the paper: there, C3 connects each of its
    16 maps to only some of S2's 6 maps (to save computation and break symmetry), the
    subsampling layers have a trainable weight and bias and a sigmoid, and the output
    layer is made of Euclidean RBF units rather than a softmax. Here every map is
    connected, pooling is plain averaging, hidden units use tanh, and the output is a softmax.

    Args:
        include_top: add the 120-84-classes classifier after the second pooling.
        weights: None (random) or the path of a weights file.
        input_tensor: a Keras tensor to build the model on (e.g. the output of other layers), as in
            keras.applications; the model's inputs are then those it comes from.
        input_shape: defaults to (32, 32, 1).
        pooling: without the top, None (4-D output), "avg" or "max" (global pooling).
        classes: softmax outputs.
        modern: use today's choices instead -- ReLU and max-pooling.
        classifier_activation: activation of the last layer.
        name: model name.
    """
    check_arguments(weights, include_top, pooling, classes)
    activation, pool = ("relu", layers.MaxPooling2D) if modern else ("tanh", layers.AveragePooling2D)
    inputs = image_input(input_tensor, input_shape or (32, 32, 1))
    x = layers.Conv2D(6, 5, activation=activation, name="conv1")(inputs)
    x = pool(2, name="pool1")(x)
    x = layers.Conv2D(16, 5, activation=activation, name="conv2")(x)
    x = pool(2, name="pool2")(x)
    x = classifier_head(x, include_top, pooling, classes, classifier_activation, flatten=True,
                        hidden=[(120, "fc1"), (84, "fc2")], activation=activation)
    return load_weights(keras.Model(source_inputs(input_tensor, inputs), x, name=name), weights)


def AlexNet(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
            two_gpu=False, classifier_activation="softmax", name="alexnet"):
    """AlexNet as in the lecture: 227x227x3, five convolutions, three max-pools and three
    fully connected layers; 62,378,344 parameters.

    Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep Convolutional
    Neural Networks", NeurIPS 2012. The paper splits the network over two GPUs, so conv2,
    conv4 and conv5 see only the half of the previous maps on their own GPU
    (``two_gpu=True`` builds that with ``groups=2``: 60,965,224 parameters, the paper's
    "60 million"). The paper's local response normalization (no parameters, later found
    unnecessary) and dropout in fc6/fc7 are left out, as in the lecture.

    Args:
        include_top: add fc6 (4096) -> fc7 (4096) -> predictions after the last pool.
        weights: None (random) or the path of a weights file.
        input_tensor: as in `LeNet5`.
        input_shape: defaults to (227, 227, 3).
        pooling: without the top, None, "avg" or "max".
        classes: softmax outputs.
        two_gpu: group conv2, conv4 and conv5 in two halves, as the paper does.
        classifier_activation: activation of the last layer.
        name: model name.
    """
    check_arguments(weights, include_top, pooling, classes)
    groups = 2 if two_gpu else 1
    inputs = image_input(input_tensor, input_shape or (227, 227, 3))
    x = layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(256, 5, padding="same", groups=groups, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2D(384, 3, padding="same", groups=groups, activation="relu", name="conv4")(x)
    x = layers.Conv2D(256, 3, padding="same", groups=groups, activation="relu", name="conv5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    x = classifier_head(x, include_top, pooling, classes, classifier_activation, flatten=True,
                        hidden=[(4096, "fc6"), (4096, "fc7")])
    return load_weights(keras.Model(source_inputs(input_tensor, inputs), x, name=name), weights)


def VGG16(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg16"):
    """VGG-16, layer for layer ``keras.applications.VGG16``: 138,357,544 parameters.

    Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
    Recognition", 2014 (arXiv:1409.1556), configuration D: five `vgg_block`s of 3x3
    "same" convolutions (64, 128, 256, 512, 512 filters) each halving height and width,
    then fc1 (4096) -> fc2 (4096) -> predictions. Layer names, order and weight shapes
    equal keras.applications', so its weights (and its ImageNet weight files) load into
    this model and give the same outputs.

    Args:
        include_top: add flatten -> fc1 -> fc2 -> predictions.
        weights: None (random), "imagenet" (downloaded once with its hash; offline this
            raises `OfflineError`), or the path of a weights file. ImageNet inputs: `preprocess_input`.
        input_tensor: as in `LeNet5`.
        input_shape: defaults to (224, 224, 3); with the top and ImageNet weights it must be that.
        pooling: without the top, None, "avg" or "max".
        classes: outputs; 1000 with ImageNet weights and the top.
        classifier_activation: activation of the last layer.
        name: model name.
    """
    check_arguments(weights, include_top, pooling, classes, imagenet=True, input_shape=input_shape,
                    input_tensor=input_tensor)
    inputs = image_input(input_tensor, input_shape or (224, 224, 3))
    x = inputs
    for number, block in enumerate(VGG16_BLOCKS, start=1):
        x = vgg_block(x, block.convs, block.filters, name=f"block{number}")
    x = classifier_head(x, include_top, pooling, classes, classifier_activation, flatten=True,
                        hidden=[(4096, "fc1"), (4096, "fc2")])
    model = keras.Model(source_inputs(input_tensor, inputs), x, name=name)
    return load_weights(model, weights, include_top, _VGG16_WEIGHTS, _VGG16_URL)

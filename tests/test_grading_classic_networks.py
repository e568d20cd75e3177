"""Wrong-answer catalogue of notebook 01's graders."""

import math
import numbers

import keras
from catalogue import catalogue, stub
from keras import layers

from cnn_course import blocks, costs
from cnn_course.grading.classic_networks import (
    check_conv_output_shape,
    check_LeNet5,
    check_vgg_block,
)
from cnn_course.models import LeNet5

TABLE = {case: (case[0] + 2 * case[2] - case[1]) // case[3] + 1 for case in check_conv_output_shape.spec.cases}


def endless():
    while True:
        pass


class NotAFloat:
    """Registered as a real number, but with no value Python can read."""


numbers.Real.register(NotAFloat)


WRONG_SHAPE = {
    "answer key: a Conv2D's compute_output_shape": lambda n, f, p, s: layers.Conv2D(
        1, f, strides=s).compute_output_shape((1, n + 2 * p, n + 2 * p, 1))[1],
    "answer key: a MaxPooling2D's compute_output_shape": lambda n, f, p, s: layers.MaxPooling2D(
        f, strides=s).compute_output_shape((1, n + 2 * p, n + 2 * p, 1))[1],
    "answer key: the shape a MaxPooling2D gives zeros": lambda n, f, p, s: layers.MaxPooling2D(f, strides=s)(
        keras.ops.zeros((1, n + 2 * p, n + 2 * p, 1))).shape[1],
    "answer key: the shape keras.ops.average_pool gives zeros": lambda n, f, p, s: keras.ops.average_pool(
        keras.ops.zeros((1, n + 2 * p, n + 2 * p, 1)), f, strides=s).shape[1],
    "a number type Python cannot read": (lambda n, f, p, s: NotAFloat(), "returned <"),
    "answer key: the shape of keras.ops.conv on zeros": lambda n, f, p, s: keras.ops.conv(
        keras.ops.zeros((1, n + 2 * p, n + 2 * p, 1)), keras.ops.zeros((f, f, 1, 1)), strides=s).shape[1],
    "round": (lambda n, f, p, s: round((n + 2 * p - f) / s) + 1, "nearest"),
    "answer key: the course's conv_output_size": lambda n, f, p, s: costs.conv_output_size(n, f, p, s),
    "stub": stub,
    "ceil": (lambda n, f, p, s: math.ceil((n + 2 * p - f) / s) + 1, "floor"),
    "true division": lambda n, f, p, s: (n + 2 * p - f) / s + 1,
    "float result": (lambda n, f, p, s: float((n + 2 * p - f) // s + 1), "int"),
    "no + 1": (lambda n, f, p, s: (n + 2 * p - f) // s, "+ 1"),
    "the + 1 inside the floor": (lambda n, f, p, s: (n + 2 * p - f + 1) // s, "before dividing"),
    "one-sided padding": lambda n, f, p, s: (n + p - f) // s + 1,
    "ignores stride": (lambda n, f, p, s: n + 2 * p - f + 1, "stride"),
    "returns nothing": lambda n, f, p, s: None,
    "a table of the grader's fixed cases": (lambda n, f, p, s: TABLE[(n, f, p, s)] if (n, f, p, s) in TABLE else 1,
                                            "expected"),
    "arguments read as (n, p, f, s)": (lambda n, p, f, s: (n + 2 * p - f) // s + 1, "another order"),
    "an endless loop": (lambda n, f, p, s: endless(), "did not finish"),
}
RIGHT_SHAPE = {
    "floor division": lambda n, f, p, s: (n + 2 * p - f) // s + 1,
    "math.floor": lambda n, f, p, s: math.floor((n + 2 * p - f) / s) + 1,
    "int() of a positive number": lambda n, f, p, s: int((n + 2 * p - f) / s) + 1,
}


test_conv_output_shape_rejects, test_conv_output_shape_accepts = catalogue(
    check_conv_output_shape, WRONG_SHAPE, RIGHT_SHAPE)



def lenet(input_shape=(32, 32, 1), classes=10, activation="tanh", pool=layers.AveragePooling2D, padding="valid",
          hidden=(120, 84), final="softmax", separate_activations=False):
    def act():
        return [layers.Activation(activation)] if separate_activations else []
    conv_activation = None if separate_activations else activation
    stack = [keras.Input(input_shape),
             layers.Conv2D(6, 5, padding=padding, activation=conv_activation), *act(), pool(2),
             layers.Conv2D(16, 5, padding=padding, activation=conv_activation), *act(), pool(2),
             layers.Flatten()]
    for units in hidden:
        stack += [layers.Dense(units, activation=conv_activation), *act()]
    return keras.Sequential([*stack, layers.Dense(classes, activation=final)])


def functional_lenet(input_shape, classes):
    inputs = keras.Input(input_shape)
    x = layers.AveragePooling2D(2)(layers.Conv2D(6, 5, activation="tanh")(inputs))
    x = layers.AveragePooling2D(2)(layers.Conv2D(16, 5, activation="tanh")(x))
    x = layers.Dense(84, activation="tanh")(layers.Dense(120, activation="tanh")(layers.Flatten()(x)))
    return keras.Model(inputs, layers.Dense(classes, activation="softmax")(x))


def lenet_with_ops(input_shape, classes):
    inputs = keras.Input(input_shape)
    x = layers.AveragePooling2D(2)(keras.activations.tanh(layers.Conv2D(6, 5)(inputs)))
    x = layers.AveragePooling2D(2)(keras.activations.tanh(layers.Conv2D(16, 5)(x)))
    x = keras.activations.tanh(layers.Dense(120)(layers.Flatten()(x)))
    x = keras.activations.tanh(layers.Dense(84)(x))
    return keras.Model(inputs, layers.Dense(classes, activation="softmax")(x))


WRONG_LENET = {
    "answer key: the course's LeNet5": lambda input_shape, classes: LeNet5(input_shape=input_shape, classes=classes),
    "stub": stub,
    "max pooling": lambda input_shape, classes: lenet(input_shape, classes, pool=layers.MaxPooling2D),
    "relu": lambda input_shape, classes: lenet(input_shape, classes, activation="relu"),
    "same padding": lambda input_shape, classes: lenet(input_shape, classes, padding="same"),
    "missing the 84 layer": lambda input_shape, classes: lenet(input_shape, classes, hidden=(120,)),
    "no softmax": lambda input_shape, classes: lenet(input_shape, classes, final=None),
    "hard-coded": lambda input_shape, classes: lenet(),
    "one input channel whatever input_shape says": (lambda input_shape, classes: lenet(
        (*input_shape[:2], 1), classes), "from the input_shape argument"),
    "the height read for the width too": (lambda input_shape, classes: lenet(
        (input_shape[0], input_shape[0], input_shape[2]), classes), "from the input_shape argument"),
    "every kernel starting at zero": (lambda input_shape, classes: keras.Sequential([keras.Input(input_shape), *(
        type(layer).from_config({**layer.get_config(), "kernel_initializer": "zeros"}) if layer.weights else layer
        for layer in lenet(input_shape, classes).layers)]), "kernel_initializer"),
}
RIGHT_LENET = {
    "Functional API, as the package writes it": lambda input_shape, classes: functional_lenet(input_shape, classes),
    "Sequential with fused activations": lambda input_shape, classes: lenet(input_shape, classes),
    "separate Activation layers": lambda input_shape, classes: lenet(input_shape, classes, separate_activations=True),
    "keras.activations.tanh as a function": lambda input_shape, classes: lenet_with_ops(input_shape, classes),
}


test_lenet5_rejects, test_lenet5_accepts = catalogue(check_LeNet5, WRONG_LENET, RIGHT_LENET)


def block(num_convs_used=None, filters_used=None, padding="same", activation="relu", pool=layers.MaxPooling2D,
          pool_strides=2, pool_first=False, separate_relu=False, kernel_initializer="glorot_uniform"):
    def vgg_block(x, num_convs, filters):
        if pool_first:
            x = pool(2, strides=pool_strides)(x)
        for _ in range(num_convs if num_convs_used is None else num_convs_used):
            x = layers.Conv2D(filters if filters_used is None else filters_used, 3, padding=padding,
                              activation=None if separate_relu else activation,
                              kernel_initializer=kernel_initializer)(x)
            if separate_relu:
                x = layers.ReLU()(x)
        return x if pool_first else pool(2, strides=pool_strides)(x)
    return vgg_block


def named_vgg_block(x, num_convs, filters):
    for i in range(num_convs):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i + 1}")(x)
    return layers.MaxPooling2D(2, strides=2, name="pool")(x)


def shape_named_vgg_block(x, num_convs, filters):
    size = "x".join(map(str, x.shape[1:]))
    for i in range(num_convs):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i + 1}_{size}")(x)
    return layers.MaxPooling2D(2, strides=2, name=f"pool_{size}")(x)


def vgg_with_ops(x, num_convs, filters):
    for _ in range(num_convs):
        x = keras.activations.relu(layers.Conv2D(filters, 3, padding="same")(x))
    return layers.MaxPooling2D(2, strides=2)(x)


def counter_never_moves(x, num_convs, filters):
    i = 0
    while i < num_convs:  # i += 1 forgotten: layers are built until the time limit
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return layers.MaxPooling2D(2, strides=2)(x)


WRONG_VGG_BLOCK = {
    "answer key: the course's vgg_block": lambda x, num_convs, filters: blocks.vgg_block(x, num_convs, filters),
    "stub": stub,
    "valid padding": block(padding="valid"),
    "no relu": block(activation=None),
    "average pooling": block(pool=layers.AveragePooling2D),
    "pool with stride 1": block(pool_strides=1),
    "pool before the convolutions": block(pool_first=True),
    "always two convolutions": block(num_convs_used=2),
    "fixed 64 filters": block(filters_used=64),
    "returns a model": lambda x, num_convs, filters: keras.Model(x, block()(x, num_convs, filters)),
    "layers with fixed names (VGG-16 calls the block five times)": (named_vgg_block, "clash"),
    "a while loop whose counter never moves": (counter_never_moves, "did not finish"),
    "convolutions starting at zero": (block(kernel_initializer="zeros"), "kernel_initializer"),
    "keras.ops.max_pool with padding='same' (odd sizes round up)": (lambda x, num_convs, filters: keras.ops.max_pool(
        block(pool=lambda *args, **kwargs: lambda t: t)(x, num_convs, filters), 2, 2, padding="same"),
        "padding='same', expected 'valid'"),
}
RIGHT_VGG_BLOCK = {
    "fused relu": block(),
    "separate ReLU layers": block(separate_relu=True),
    "keras.activations.relu": lambda x, num_convs, filters: vgg_with_ops(x, num_convs, filters),
    "layers named after the block's input shape (each block of VGG-16 has its own)": shape_named_vgg_block,
}


test_vgg_block_rejects, test_vgg_block_accepts = catalogue(
    check_vgg_block, WRONG_VGG_BLOCK, RIGHT_VGG_BLOCK)

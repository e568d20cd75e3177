"""Wrong-answer catalogue of notebook 07's graders: the depthwise-separable cost, MobileNet v1's block
and MobileNetV2's inverted residual block."""

import decimal
import importlib
import math
import time
import types
from fractions import Fraction

import keras
import numpy as np
from catalogue import ANSWER_KEY, BROKEN_MESSAGE, LazyNumber, catalogue, raises_a_broken_message, stub
from keras import layers

from cnn_course import blocks, costs
from cnn_course.grading.mobilenet import (
    check_depthwise_separable_conv,
    check_inverted_residual_block,
    check_separable_conv_multiplies,
)

TABLE = {case: costs.separable_conv_multiplies(*case) for case in check_separable_conv_multiplies.spec.cases}

def clone(function):
    """A copy of a function made before grading (the wires are set on the original only)."""
    return types.FunctionType(function.__code__, function.__globals__, "copy", function.__defaults__)


def retry_forever(n, f, c, o):
    while True:
        try:
            time.sleep(0.5)
            raise ValueError("again")
        except:  # noqa: E722 -- the learner's bare except, which must not swallow the time limit
            continue


def exits(*args):
    raise SystemExit(0)


def shared_norm(x, filters, stride=1):
    norm = layers.BatchNormalization()  # one layer object called twice: its weights are shared
    x = layers.ReLU(6.0)(norm(layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)))
    x = layers.Conv2D(x.shape[-1], 1, use_bias=False)(x)
    return layers.ReLU(6.0)(norm(x))


class EqualToAll(int):
    """An int that says it equals every number."""

    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class Subclassed(keras.Model):
    """The block as a subclassed model, called on x: no graph to read inside."""

    def __init__(self, filters, stride):
        super().__init__()
        self.block = [layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False),
                      layers.BatchNormalization(), layers.ReLU(6.0), layers.Conv2D(filters, 1, use_bias=False),
                      layers.BatchNormalization(), layers.ReLU(6.0)]

    def call(self, x):
        for layer in self.block:
            x = layer(x)
        return x


WRONG_COST = {
    "answer key: a copy of costs.separable_conv_multiplies made beforehand": clone(costs.separable_conv_multiplies),
    "answer key: the module reloaded": lambda *case: importlib.reload(costs).separable_conv_multiplies(*case),
    "an enormous count": (lambda n, f, c, o: (10 ** 400, n * n * c * o), "about 400 digits"),
    "a count of 5000 digits": (lambda n, f, c, o: (10 ** 5000, n * n * c * o), "about 5000 digits"),
    "ints that say they equal everything": lambda n, f, c, o: (EqualToAll(1), EqualToAll(1)),
    "a loop whose bare except swallows every error": (retry_forever, "did not finish"),
    "exits the interpreter": (exits, "SystemExit"),
    "f*f looked up for 3, 5 and 7 only": lambda n, f, c, o: (n * n * {3: 9, 5: 25, 7: 49}.get(f, f) * c, n * n * c * o),
    "answer key: costs.count_multiplies": lambda n, f, c, o: (
        costs.count_multiplies(layers.DepthwiseConv2D(f, padding="same"), input_shape=(n, n, c)),
        costs.count_multiplies(layers.Conv2D(o, 1), input_shape=(n, n, c))),
    "not implemented": stub,
    "normal convolution": (lambda n, f, c, o: n * n * f * f * c * o, "normal convolution"),
    "the sum": lambda n, f, c, o: n * n * f * f * c + n * n * c * o,
    "swapped": (lambda n, f, c, o: (n * n * c * o, n * n * f * f * c), "swapped"),
    "f once in the depthwise count": lambda n, f, c, o: (n * n * f * c, n * n * c * o),
    "n_c forgotten in the depthwise count": (lambda n, f, c, o: (n * n * f * f, n * n * c * o), "forgets n_c"),
    "an enormous Fraction": (lambda n, f, c, o: (Fraction(10 ** 400), n * n * c * o), "returned a Fraction"),
    "depthwise times n_c_out": lambda n, f, c, o: (n * n * f * f * c * o, n * n * c * o),
    "n_c_out filters in the depthwise count": (lambda n, f, c, o: (n * n * f * f * o, n * n * c * o), "counts n_c_out"),
    "pointwise times f*f": (lambda n, f, c, o: (n * n * f * f * c, n * n * f * f * c * o), "1x1"),
    "no output positions": lambda n, f, c, o: (f * f * c, c * o),
    "n_out once": lambda n, f, c, o: (n * f * f * c, n * c * o),
    "f and n_c swapped": (lambda n, c, f, o: (n * n * f * f * c, n * n * c * o), "another order"),
    "answer key: costs.separable_conv_multiplies": lambda *case: costs.separable_conv_multiplies(*case),
    "a table of the grader's fixed cases": lambda *case: TABLE.get(case, (1, 1)),
    "n_out and f swapped": lambda f, n, c, o: (n * n * f * f * c, n * n * c * o),
    "floats": (lambda n, f, c, o: (math.pow(n, 2) * f * f * c, math.pow(n, 2) * c * o), "ints"),
    "a dict": lambda n, f, c, o: {"depthwise": n * n * f * f * c, "pointwise": n * n * c * o},
    "one count in an array": (lambda n, f, c, o: np.array([n * n * f * f * c]), "returned a ndarray"),
    "None (printed instead of returned)": lambda n, f, c, o: print(n * n * f * f * c, n * n * c * o),
    ANSWER_KEY + "costs.separable_conv_multiplies, called when the grader reads the ints": lambda *case: tuple(
        LazyNumber(lambda i=i: costs.separable_conv_multiplies(*case)[i]) for i in range(2)),
    "right only while n_out < 30": lambda n, f, c, o: (n * n * f * f * c, n * n * c * o) if n < 30 else (1, 1),
    "products in int32 (np.prod's on Windows): past 2**31 they wrap round": (lambda n, f, c, o: (
        int(np.prod([n, n, f, f, c], dtype=np.int32)), int(np.prod([n, n, c, o], dtype=np.int32))), "int32"),
}
RIGHT_COST = {
    "products": lambda n, f, c, o: (n * n * f * f * c, n * n * c * o),
    "output positions first": lambda n, f, c, o: ((n ** 2) * (f ** 2 * c), (n ** 2) * (c * o)),
    "numpy ints": lambda n, f, c, o: (np.prod([n, n, f, f, c]), np.int64(n * n) * c * o),
    # the text asks for a tuple; notebook 07 unpacks the answer, which a list or an array serves as well
    "a list": lambda n, f, c, o: [n * n * f * f * c, n * n * c * o],
    "a NumPy array of int64": lambda n, f, c, o: np.array([f * f * c, c * o], dtype=np.int64) * n * n,
    "decimal.Decimal counts": lambda n, f, c, o: (decimal.Decimal(n * n * f * f * c), decimal.Decimal(n * n * c * o)),
}

test_separable_conv_multiplies_rejects, test_separable_conv_multiplies_accepts = catalogue(
    check_separable_conv_multiplies, WRONG_COST, RIGHT_COST)


def separable(kind="depthwise", padding="explicit", relu=lambda: layers.ReLU(6.0), bn=(True, True), last_relu=True,
              use_bias=False, stride_on=("depthwise",), kernel=3, relu_before_bn=False, pointwise_first=False,
              same_filters=False, fused=None, bn_options=None, depthwise_options=None, pointwise_options=None,
              between=lambda t: t):
    """A learner's depthwise_separable_conv with one knob per plausible mistake (defaults: a right answer)."""

    def depthwise_separable_conv(x, filters, stride=1):
        s_dw = stride if "depthwise" in stride_on else 1
        s_pw = stride if "pointwise" in stride_on else 1
        pad = "same" if padding == "same" or s_dw == 1 else "valid"  # "keras.ops.pad": valid after the pad
        if padding == "valid":
            pad = "valid"
        n_out = x.shape[-1] if same_filters else filters
        pointwise = layers.Conv2D(n_out, 1, strides=s_pw, use_bias=use_bias, activation=fused) \
            if pointwise_first else None
        if kind == "depthwise":
            first = layers.DepthwiseConv2D(kernel, strides=s_dw, padding=pad, use_bias=use_bias, activation=fused,
                                           **(depthwise_options or {}))
        elif kind in ("conv", "grouped"):
            first = layers.Conv2D(x.shape[-1], kernel, strides=s_dw, padding=pad, use_bias=use_bias,
                                  groups=x.shape[-1] if kind == "grouped" else 1)
        else:
            return layers.SeparableConv2D(filters, kernel, strides=stride, padding="same", use_bias=use_bias)(x)
        if s_dw != 1 and padding in ("explicit", "symmetric"):
            x = layers.ZeroPadding2D(((0, 1), (0, 1)) if padding == "explicit" else 1)(x)
        if s_dw != 1 and padding.startswith("keras.ops.pad"):
            x = keras.ops.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]] if padding.endswith("both") else
                              [[0, 0], [0, 1], [0, 1], [0, 0]])
        x = unit(between(first(x)), bn[0], relu, True, relu_before_bn, bn_options)
        pointwise = pointwise or layers.Conv2D(n_out, 1, strides=s_pw, use_bias=use_bias, activation=fused,
                                               **(pointwise_options or {}))
        return unit(pointwise(x), bn[1], relu, last_relu, relu_before_bn, bn_options)

    return depthwise_separable_conv


def unit(x, bn, relu, with_relu, relu_before_bn=False, bn_options=None):
    """BN then the activation (or the other way round)."""
    norm = (lambda t: layers.BatchNormalization(**(bn_options or {}))(t)) if bn else (lambda t: t)
    act = (lambda t: relu()(t)) if with_relu else (lambda t: t)
    return norm(act(x)) if relu_before_bn else act(norm(x))


def using_bn_relu6(x, filters, stride=1):
    if stride != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)))(x)
    x = layers.DepthwiseConv2D(3, strides=stride, padding="same" if stride == 1 else "valid", use_bias=False)(x)
    x = blocks.bn_relu6(x, None, "bn", momentum=0.99)
    return blocks.bn_relu6(layers.Conv2D(filters, 1, use_bias=False)(x), None, "bn", momentum=0.99)


def keras_depthwise_block(x, filters, stride=1):
    from keras.src.applications.mobilenet import _depthwise_conv_block

    return _depthwise_conv_block(x, filters, 1.0, strides=(stride, stride))


def separable_mixed(x, filters, stride=1):
    x = layers.DepthwiseConv2D(3, padding="same", strides=stride, use_bias=False)(x)
    x = keras.ops.clip(layers.BatchNormalization()(x), 0, 6)
    return layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=False)(x)))


def nested_separable(x, filters, stride=1):
    """Each unit a small Sequential model used as a layer."""
    depthwise = keras.Sequential([layers.DepthwiseConv2D(3, padding="same", strides=stride, use_bias=False),
                                  layers.BatchNormalization(), layers.ReLU(6.0)])
    pointwise = keras.Sequential([layers.Conv2D(filters, 1, use_bias=False), layers.BatchNormalization(),
                                  layers.Activation("relu6")])
    return pointwise(depthwise(x))


class ReLU6WhilePredicting(layers.Layer):
    """ReLU6 when predicting, plain ReLU while training."""

    def call(self, x, training=None):
        return keras.ops.relu(x) if training else keras.ops.clip(x, 0.0, 6.0)


def two_outputs(block):
    """The block as a model with two outputs, the wrong one (ReLU instead of the block's ending) taken."""

    def answer(x, filters, stride=1, *expansion):
        inner = keras.Input(x.shape[1:])
        out = block(inner, filters, stride, *expansion)
        return keras.Model(inner, [out, layers.ReLU()(out.__neg__())])(x)[1]

    return answer


def any_size(block):
    """The block built as a model for images of any size, then called on x."""

    def answer(x, filters, stride=1, *expansion):
        inner = keras.Input((None, None, x.shape[-1]))
        return keras.Model(inner, block(inner, filters, stride, *expansion))(x)

    return answer


def one_relu6_object(x, filters, stride=1):
    """A right block with one weightless ReLU6 layer object called after both batch norms."""
    relu6 = layers.ReLU(6.0)
    x = relu6(layers.BatchNormalization()(layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)))
    return relu6(layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=False)(x)))


class TutorialReLU6(layers.Layer):
    """A weightless ReLU6 whose call has a `training=False` default, which Keras records in each call."""

    def call(self, inputs, training=False):
        return keras.ops.clip(inputs, 0.0, 6.0)


def any_size_units(x, filters, stride=1):
    """A right block of two units, each a Sequential built for images of any size."""
    channels = x.shape[-1]
    depthwise = keras.Sequential([keras.Input((None, None, channels)), layers.DepthwiseConv2D(
        3, strides=stride, padding="same", use_bias=False), layers.BatchNormalization(), layers.ReLU(6.0)])
    pointwise = keras.Sequential([keras.Input((None, None, channels)), layers.Conv2D(filters, 1, use_bias=False),
                                  layers.BatchNormalization(), layers.ReLU(6.0)])
    return pointwise(depthwise(x))


def where_relu6(t):
    return keras.ops.where(t > 6, 6.0, keras.ops.relu(t))


def unit_model(x, conv):
    """conv -> BN -> ReLU6 (spelt with keras.ops.where, several operations) as a functional model called on x."""
    inner = keras.Input(x.shape[1:])
    return keras.Model(inner, where_relu6(layers.BatchNormalization()(conv(inner))))(x)


def where_units(x, filters, stride=1):
    """A right block of two units, each a functional model whose ReLU6 is keras.ops.where."""
    x = unit_model(x, layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False))
    return unit_model(x, layers.Conv2D(filters, 1, use_bias=False))


def nested_main_path(x, filters, stride=1, expansion=6):
    """A right block whose main path is a functional model (ReLU6 as keras.ops.where), the Add outside it."""
    inner = keras.Input(x.shape[1:])
    y = unit_model(inner, layers.Conv2D(expansion * x.shape[-1], 1, use_bias=False)) if expansion != 1 else inner
    y = unit_model(y, layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False))
    y = keras.Model(inner, layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=False)(y)))(x)
    return layers.Add()([x, y]) if stride == 1 and filters == x.shape[-1] else y


def named_alike(x, filters, stride=1):
    """Both batch norms (and ReLUs) given one explicit name."""
    x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)
    x = layers.ReLU(6.0, name="relu")(layers.BatchNormalization(name="bn")(x))
    x = layers.Conv2D(filters, 1, use_bias=False)(x)
    return layers.ReLU(6.0, name="relu")(layers.BatchNormalization(name="bn")(x))


def frozen_depthwise_kernel(x, filters, stride=1):
    depthwise = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)
    x = layers.ReLU(6.0)(layers.BatchNormalization()(depthwise(x)))
    depthwise.kernel.trainable = False
    return layers.ReLU(6.0)(layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=False)(x)))


def batch_norm_in_training_mode(x, filters, stride=1):
    x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)
    x = layers.ReLU(6.0)(layers.BatchNormalization()(x, training=True))
    return layers.ReLU(6.0)(layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=False)(x)))


WRONG_SEPARABLE = {
    "a frozen depthwise kernel (the variable, not the layer)": (frozen_depthwise_kernel, "frozen"),
    "batch norm called with training=True": (batch_norm_in_training_mode, "training=True"),
    "batch-norm momentum 1.0 (the statistics never move)": (separable(bn_options={"momentum": 1.0}), "momentum"),
    "answer key: the course's depthwise_separable_conv": lambda x, filters, stride=1: blocks.depthwise_separable_conv(
        x, filters, stride),
    "answer key: the course's bn_relu6 helper": using_bn_relu6,
    "answer key: keras.applications' private block": keras_depthwise_block,
    "not implemented": stub,
    "an ordinary Conv2D instead of the depthwise one": separable(kind="conv"),
    "SeparableConv2D": separable(kind="separable"),
    "ReLU instead of ReLU6": separable(relu=layers.ReLU),
    "no batch norm after the depthwise convolution": separable(bn=(False, True)),
    "no batch norm after the pointwise convolution": separable(bn=(True, False)),
    "no ReLU6 after the pointwise convolution": separable(last_relu=False),
    "ReLU6 before batch norm": separable(relu_before_bn=True),
    "convolutions with biases": separable(use_bias=True),
    "stride on the pointwise convolution": separable(stride_on=("pointwise",)),
    "stride on both convolutions": separable(stride_on=("depthwise", "pointwise")),
    "ignores the stride": lambda x, filters, stride=1: separable()(x, filters),
    "symmetric padding before the stride-2 convolution": separable(padding="symmetric"),
    "valid padding": separable(padding="valid"),
    "a 5x5 depthwise convolution": separable(kernel=5),
    "pointwise keeps the input's channels": separable(same_filters=True),
    "ReLU6 fused into the convolutions": separable(fused="relu6", relu=lambda: (lambda t: t)),
    "returns a model": lambda x, filters, stride=1: keras.Model(x, separable()(x, filters, stride)),
    "adds the input": lambda x, filters, stride=1: layers.Add()([x, separable()(x, filters, stride)]),
    "answer key: the course's mbconv_block (with a ReLU6)": lambda x, filters, stride=1: blocks.mbconv_block(
        x, filters, 3, stride, expansion=1, se_ratio=0.0, activation="relu6"),
    "batch-norm epsilon 0.99": separable(bn_options={"epsilon": 0.99}),
    "a frozen batch norm": separable(bn_options={"trainable": False}),
    "ReLU6 as clip(x, 0, 6) after the depthwise, ReLU after the pointwise": separable_mixed,
    "capped at 5 with keras.ops.where": (
        separable(relu=lambda: lambda t: keras.ops.where(t > 5, 5.0, keras.ops.relu(t))), "found ReLU capped at 5"),
    "one BatchNormalization for both units": (shared_norm, "used in several places"),
    "a subclassed model": (lambda x, filters, stride=1: Subclassed(filters, stride)(x), "found Subclassed"),
    "Conv2D(groups=channels) for the depthwise step": (separable(kind="grouped"), "DepthwiseConv2D, as the text"),
    "keras.ops.pad of one row and column on both sides": (separable(padding="keras.ops.pad both"),
                                                          "ZeroPadding2D(((0, 1), (0, 1)))"),
    "keras.ops.stop_gradient after the depthwise convolution": (separable(between=keras.ops.stop_gradient),
                                                                "cuts the gradient"),
    "keras.ops.stop_gradient on the block's input": (
        lambda x, filters, stride=1: separable()(keras.ops.stop_gradient(x), filters, stride), "reaching the input"),
    "a frozen depthwise layer named moving_dw": (separable(depthwise_options={"name": "moving_dw", "trainable": False}),
                                                 "frozen"),
    "ReLU6 while predicting, ReLU while training": (separable(relu=ReLU6WhilePredicting), "while training"),
    "ReLU6 up to 10, the identity above": (separable(
        relu=lambda: lambda t: keras.ops.where(t > 10.0, t, keras.ops.clip(t, 0.0, 6.0))), "none of ReLU, ReLU6"),
    "a depthwise kernel constrained to be non-negative": (separable(depthwise_options={
        "depthwise_constraint": keras.constraints.NonNeg()}), "constraint"),
    "an L2 regularizer on the pointwise kernel": (separable(pointwise_options={
        "kernel_regularizer": keras.regularizers.L2(1e3)}), "regularizer"),
    "ActivityRegularization after the block": (
        lambda x, filters, stride=1: layers.ActivityRegularization(l1=10.0)(separable()(x, filters, stride)),
        "regularizer"),
    "batch-norm epsilon -1e-3": (separable(bn_options={"epsilon": -1e-3}), "epsilon"),
    "batch-norm momentum 0 (the statistics are the last batch's)": (separable(bn_options={"momentum": 0.0}),
                                                                    "between 0 and 1"),
    "a model of two outputs, the wrong one taken": (two_outputs(separable()), "found ReLU"),
    "two layers of one explicit name": (named_alike, "two layers of one name"),
    "a depthwise layer with a fixed name (MobileNet stacks 13 blocks)": (separable(depthwise_options={"name": "dw"}),
                                                                         "clash"),
    "raises an error whose message raises": (raises_a_broken_message, BROKEN_MESSAGE),
}
RIGHT_SEPARABLE = {
    "explicit ZeroPadding2D(((0, 1), (0, 1))) before the stride 2": separable(),
    "padding='same' for stride 2 as well": separable(padding="same"),
    "Activation(keras.activations.relu6)": separable(relu=lambda: layers.Activation(keras.activations.relu6)),
    "Activation('relu6')": separable(relu=lambda: layers.Activation("relu6")),
    "ReLU(max_value=6)": separable(relu=lambda: layers.ReLU(max_value=6)),
    "keras.ops.relu6": separable(relu=lambda: keras.ops.relu6),
    "keras.activations.relu(max_value=6)": separable(relu=lambda: lambda t: keras.activations.relu(t, max_value=6.0)),
    "pointwise layer created first": separable(pointwise_first=True),
    "batch-norm epsilon 1e-5": separable(bn_options={"epsilon": 1e-5, "momentum": 0.9}),
    "an L2 regularizer of 0 on the pointwise kernel (it adds no loss)": separable(pointwise_options={
        "kernel_regularizer": keras.regularizers.L2(0.0)}),
    "one ReLU(6.0) object after both batch norms (it has no weights to share)": one_relu6_object,
    "a ReLU6 layer of its own with call(x, training=False)": separable(relu=TutorialReLU6),
    "each unit a Sequential for images of any size": any_size_units,
    "each unit a functional model with ReLU6 as keras.ops.where": where_units,
    "keras.ops.minimum(keras.ops.relu(x), 6)": separable(
        relu=lambda: lambda t: keras.ops.minimum(keras.ops.relu(t), 6)),
    "keras.ops.clip(x, 0, 6)": separable(relu=lambda: lambda t: keras.ops.clip(t, 0, 6)),
    "a Lambda layer": separable(relu=lambda: layers.Lambda(lambda t: keras.ops.clip(t, 0.0, 6.0))),
    "ReLU then ReLU(6.0) in a row": separable(relu=lambda: lambda t: layers.ReLU(6.0)(layers.ReLU()(t))),
    "a nested Sequential per unit": nested_separable,
    "keras.ops.where(x > 6, 6, keras.ops.relu(x))": separable(
        relu=lambda: lambda t: keras.ops.where(t > 6, 6.0, keras.ops.relu(t))),
    "relu(x) - relu(x - 6)": separable(relu=lambda: lambda t: keras.ops.relu(t) - keras.ops.relu(t - 6)),
    "keras.ops.pad before the stride 2": separable(padding="keras.ops.pad"),
    "the block as a model for images of any size, called on x": any_size(separable()),
}

SEPARABLE_HINTS = {
    "an ordinary Conv2D instead of the depthwise one": "DepthwiseConv2D(3",
    "SeparableConv2D": "SeparableConv2D fuses",
    "ReLU instead of ReLU6": "ReLU(6.0)",
    "convolutions with biases": "use_bias=False",
    "stride on the pointwise convolution": "the stride belongs to the 3x3 depthwise",
    "symmetric padding before the stride-2 convolution": "ZeroPadding2D(((0, 1), (0, 1)))",
    "no ReLU6 after the pointwise convolution": "pointwise convolution, too",
    "ReLU6 fused into the convolutions": "leave the convolution linear",
    "batch-norm epsilon 0.99": "epsilon",
    "a frozen batch norm": "trainable=False",
    "ReLU6 as clip(x, 0, 6) after the depthwise, ReLU after the pointwise": "ReLU(6.0)",
}

test_depthwise_separable_conv_rejects, test_depthwise_separable_conv_accepts = catalogue(
    check_depthwise_separable_conv, WRONG_SEPARABLE, RIGHT_SEPARABLE, SEPARABLE_HINTS)


def inverted(expand="times channels", project_relu=None, residual="when shapes match", relu=lambda: layers.ReLU(6.0),
             stride_on="depthwise", use_bias=False, bn=(True, True, True), join=lambda a, b: layers.Add()([a, b]),
             swap_add=False, relu_after_add=False, padding="explicit", kernel=3, depthwise=True, create_late=False,
             shortcut=lambda t: t, project_options=None, pad_before_relu=False):
    """A learner's inverted_residual_block with one knob per plausible mistake (defaults: a right answer)."""

    def inverted_residual_block(x, filters, stride=1, expansion=6):
        inputs, channels = x, x.shape[-1]
        width = {"times channels": expansion * channels, "expansion": expansion}.get(expand, expansion * channels)
        project = None if create_late else layers.Conv2D(filters, 1, use_bias=use_bias, **(project_options or {}))
        if expansion != 1 or expand == "always":
            x = layers.Conv2D(width, 1, strides=stride if stride_on == "expand" else 1, use_bias=use_bias)(x)
            x = unit(x, bn[0], relu, not pad_before_relu)
        s = stride if stride_on == "depthwise" else 1
        if s != 1 and padding != "same":
            odd = [size % 2 for size in x.shape[1:3]]  # keras.applications' correct_pad: what padding="same" pads
            x = layers.ZeroPadding2D({"explicit": ((odd[0], 1), (odd[1], 1)), "even only": ((0, 1), (0, 1))}.get(
                padding, 1))(x)
        x = relu()(x) if pad_before_relu and (expansion != 1 or expand == "always") else x
        conv = layers.DepthwiseConv2D if depthwise else (lambda *a, **k: layers.Conv2D(x.shape[-1], *a, **k))
        x = conv(kernel, strides=s, padding="same" if s == 1 or padding == "same" else "valid", use_bias=use_bias)(x)
        x = unit(x, bn[1], relu, True)
        x = (project or layers.Conv2D(filters, 1, use_bias=use_bias, **(project_options or {})))(x)
        x = unit(x, bn[2], project_relu or relu, project_relu is not None)
        add = {"when shapes match": stride == 1 and filters == channels, "never": False, "stride only": stride == 1,
               "channels only": filters == channels, "at most as many": stride == 1 and filters <= channels}[residual]
        if add:
            inputs = shortcut(inputs)
            x = join(x, inputs) if swap_add else join(inputs, x)
            x = layers.ReLU(6.0)(x) if relu_after_add else x
        return x

    return inverted_residual_block


def valid_at_stride_1(x, filters, stride=1, expansion=6):
    """The depthwise convolution left at Keras' default padding='valid' at stride 1 (the shortcut's rule right)."""
    inputs, channels = x, x.shape[-1]
    if expansion != 1:
        x = layers.ReLU(6.0)(layers.BatchNormalization()(layers.Conv2D(expansion * channels, 1, use_bias=False)(x)))
    if stride != 1:
        x = layers.ZeroPadding2D(((x.shape[1] % 2, 1), (x.shape[2] % 2, 1)))(x)
    x = layers.ReLU(6.0)(layers.BatchNormalization()(layers.DepthwiseConv2D(3, strides=stride, use_bias=False)(x)))
    x = layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=False)(x))
    return layers.Add()([inputs, x]) if stride == 1 and filters == channels else x


def shortcut_after_the_expansion(x, filters, stride=1, expansion=6):
    """The input kept for the shortcut only after the 1x1 expansion (the addition's rule right)."""
    channels = x.shape[-1]
    if expansion != 1:
        x = layers.ReLU(6.0)(layers.BatchNormalization()(layers.Conv2D(expansion * channels, 1, use_bias=False)(x)))
    kept = x
    x = layers.ReLU(6.0)(layers.BatchNormalization()(layers.DepthwiseConv2D(3, strides=stride, padding="same",
                                                                            use_bias=False)(x)))
    x = layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=False)(x))
    return layers.Add()([kept, x]) if stride == 1 and filters == channels else x


def keras_inverted_block(x, filters, stride=1, expansion=6):
    from keras.src.applications.mobilenet_v2 import _inverted_res_block

    return _inverted_res_block(x, expansion, stride, 1.0, filters, block_id=1)


def projection_shortcut(x, filters, stride=1, expansion=6):
    out = inverted()(x, filters, stride, expansion)
    if stride == 1 and filters == x.shape[-1]:
        return out
    return layers.Add()([layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x), out])


def keras_efficientnet_block(x, filters, stride=1, expansion=6):
    from keras.src.applications.efficientnet import block

    return block(x, activation="relu6", drop_rate=0.0, filters_in=x.shape[-1], filters_out=filters,
                 kernel_size=3, strides=stride, expand_ratio=expansion, se_ratio=0.0, id_skip=True)


WRONG_INVERTED = {
    "answer key: the course's inverted_residual_block":
        lambda x, filters, stride=1, expansion=6: blocks.inverted_residual_block(x, filters, stride, expansion),
    "answer key: keras.applications' private block": keras_inverted_block,
    "not implemented": stub,
    "ReLU6 after the projection": inverted(project_relu=lambda: layers.ReLU(6.0)),
    "ReLU after the projection": inverted(project_relu=layers.ReLU),
    "adds the input whenever the stride is 1": inverted(residual="stride only"),
    "adds the input whenever the channels match": inverted(residual="channels only"),
    "never adds the input": inverted(residual="never"),
    "a projection shortcut where the shapes differ": projection_shortcut,
    "expands to `expansion` channels": inverted(expand="expansion"),
    "an expansion layer when expansion is 1": inverted(expand="always"),
    "ReLU instead of ReLU6": inverted(relu=layers.ReLU),
    "stride on the expansion convolution": inverted(stride_on="expand"),
    "ignores the stride": inverted(stride_on="none"),
    "convolutions with biases": inverted(use_bias=True),
    "no batch norm after the depthwise convolution": inverted(bn=(True, False, True)),
    "no batch norm after the projection": inverted(bn=(True, True, False)),
    "ReLU6 after the addition": inverted(relu_after_add=True),
    "an ordinary Conv2D instead of the depthwise one": inverted(depthwise=False),
    "a 5x5 depthwise convolution": inverted(kernel=5),
    "symmetric padding before the stride-2 convolution": inverted(padding="symmetric"),
    "concatenates instead of adding": inverted(join=lambda a, b: layers.Concatenate()([a, b])),
    "returns the input": lambda x, filters, stride=1, expansion=6: x,
    "answer key: the course's mbconv_block": lambda x, filters, stride=1, expansion=6: blocks.mbconv_block(
        x, filters, 3, stride, expansion=expansion, se_ratio=0.0, activation="relu6"),
    "answer key: keras.applications' EfficientNet block": keras_efficientnet_block,
    "a three-input Add": (inverted(join=lambda a, b: layers.Add()([a, b, keras.ops.zeros_like(b)])), "3 inputs"),
    "ZeroPadding2D(((0, 1), (0, 1))) whatever the input's size": (inverted(padding="even only"), "on an odd input"),
    "adds the input whenever the stride is 1 and filters <= channels": (inverted(residual="at most as many"),
                                                                        "only when the shapes match"),
    "keras.ops.stop_gradient on the shortcut": (inverted(shortcut=keras.ops.stop_gradient), "reaching the input"),
    "a frozen projection named moving_project": (inverted(project_options={"name": "moving_project",
                                                                           "trainable": False}), "frozen"),
    "an L2 regularizer on the projection": (inverted(project_options={
        "kernel_regularizer": keras.regularizers.L2(1e3)}), "regularizer"),
    "a model of two outputs, the wrong one taken": (two_outputs(inverted()), "after the addition"),
    "the depthwise convolution at padding='valid' for stride 1": (valid_at_stride_1, "padding='same'"),
    "the main path a subclassed model, Add()([inputs, x])": (lambda x, filters, stride=1, expansion=6: layers.Add()(
        [x, Subclassed(filters, stride)(x)]), "found Subclassed"),
    "a projection with a fixed name (MobileNetV2 stacks 17 blocks)": (inverted(project_options={"name": "project"}),
                                                                      "clash"),
    "the shortcut kept after the expansion": (shortcut_after_the_expansion, "not its expansion"),
}

INVERTED_HINTS = {
    "ReLU6 after the projection": "linear",
    "adds the input whenever the stride is 1": "only when the shapes match",
    "adds the input whenever the channels match": "only when the shapes match",
    "never adds the input": "the input is not added",
    "expands to `expansion` channels": "expansion x the input's channels = 6 x 4 = 24",
    "an expansion layer when expansion is 1": "nothing to expand",
    "stride on the expansion convolution": "the stride belongs to the 3x3 depthwise",
    "ReLU6 after the addition": "after the addition",
    "a projection shortcut where the shapes differ": "input itself",
}
def as_a_model(x, filters, stride=1, expansion=6):
    """The block built as a model of its own, then called on x."""
    inner = keras.Input(x.shape[1:])
    return keras.Model(inner, inverted()(inner, filters, stride, expansion))(x)


RIGHT_INVERTED = {
    "the block as a model called on x": as_a_model,
    "explicit padding, Add()([inputs, x])": inverted(),
    "padding='same', Add()([x, inputs])": inverted(padding="same", swap_add=True),
    "layers.add": inverted(join=lambda a, b: layers.add([a, b])),
    "inputs + x": inverted(join=lambda a, b: a + b),
    "keras.ops.add": inverted(join=keras.ops.add, swap_add=True),
    "Activation(keras.activations.relu6)": inverted(relu=lambda: layers.Activation(keras.activations.relu6)),
    "ReLU(max_value=6.0)": inverted(relu=lambda: layers.ReLU(max_value=6.0)),
    "projection layer created first": inverted(create_late=True),
    "ReLU6 as keras.ops.where": inverted(relu=lambda: lambda t: keras.ops.where(t > 6, 6.0, keras.ops.maximum(t, 0))),
    "the block as a model for images of any size, called on x": any_size(inverted(padding="same")),
    "padding='same' on every input": inverted(padding="same"),
    "ZeroPadding2D between the expansion's BatchNormalization and ReLU6": inverted(pad_before_relu=True),
    "the main path a functional model of such models, the Add outside": nested_main_path,
}

test_inverted_residual_block_rejects, test_inverted_residual_block_accepts = catalogue(
    check_inverted_residual_block, WRONG_INVERTED, RIGHT_INVERTED, INVERTED_HINTS)

"""check_conv_multiplies and check_bottleneck_layer must reject plausible wrong answers and accept right ones."""

from fractions import Fraction

import keras
import numpy as np
import tensorflow as tf
from catalogue import Anything, catalogue, stub
from keras import layers

from cnn_course import blocks, costs
from cnn_course.grading.inception_motivation import check_bottleneck_layer, check_conv_multiplies

SPIN = """
def spin(*args):
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
"""
FROZEN = {}  # an endless loop that swallows the time limit, compiled under a file name like Python's frozen modules'
exec(compile(SPIN, "<frozen spin>", "exec"), FROZEN)

TABLE = {case: costs.conv_multiplies(*case) for case in check_conv_multiplies.spec.cases}  # typed in by hand

WRONG_COST = {
    "answer key: costs.count_multiplies": lambda h, w, c, f, p: costs.count_multiplies(
        layers.Conv2D(c, f, padding="same"), input_shape=(h, w, p)),
    "answer key: the cost module's private helper": lambda h, w, c, f, p: costs._layer_multiplies(
        layers.Conv2D(c, f, padding="same"), (1, h, w, p), (1, h, w, c)),
    "not implemented": stub,
    "f once": (lambda h, w, c, f, p: h * w * c * f * p, "f*f"),
    "no n_C_prev": lambda h, w, c, f, p: h * w * c * f * f,
    "no n_C": lambda h, w, c, f, p: h * w * f * f * p,
    "parameters": (lambda h, w, c, f, p: (f * f * p + 1) * c, "parameters"),
    "no output positions": lambda h, w, c, f, p: c * f * f * p,
    "multiplications and additions": lambda h, w, c, f, p: 2 * h * w * c * f * f * p,
    "float": (lambda h, w, c, f, p: float(h * w * c * f * f * p), "an int"),
    # whole, but notebook 05 prints it with f"{n:,}", a format a Fraction lacks
    "a whole Fraction": (lambda h, w, c, f, p: Fraction(h * w * c * f * f * p), "returned a Fraction"),
    "the count in a list": (lambda h, w, c, f, p: [h * w * c * f * f * p], "returned a list"),
    "answer key: the course's costs.conv_multiplies": lambda h, w, c, f, p: costs.conv_multiplies(h, w, c, f, p),
    "a table of the grader's fixed cases": lambda h, w, c, f, p: TABLE.get((h, w, c, f, p), 0),
    "answer key: tf.autograph's copy of costs.conv_multiplies": tf.autograph.to_graph(costs.conv_multiplies),
    "a product in float32": (lambda h, w, c, f, p: int(np.prod(np.array([h, w, c, f, f, p], dtype=np.float32))),
                             "float32"),
    "a product in int32 (as np.prod on Windows)": (
        lambda h, w, c, f, p: int(np.prod([h, w, c, f, f, p], dtype=np.int32)), "int32"),
    "an integer equal to everything, that int() cannot read": (lambda h, w, c, f, p: Anything(), "returned"),
    "an endless loop compiled under a frozen module's kind of file name": (FROZEN["spin"], "did not finish"),
}
RIGHT_COST = {
    "product": lambda h, w, c, f, p: h * w * c * f * f * p,
    "per output value times outputs": lambda h, w, c, f, p: (f * f * p) * (h * w * c),
}


def bottleneck_layer(relu_reduce=True, padding="same", order="reduce first", separate_relu=False, swap=False):
    def block(x, reduce, filters, f):
        if swap:
            reduce, filters = filters, reduce

        def conv(t, n, k, relu=True):
            if separate_relu:
                t = layers.Conv2D(n, k, padding=padding if k > 1 else "valid")(t)
                return layers.ReLU()(t) if relu else t
            return layers.Conv2D(n, k, padding=padding if k > 1 else "valid", activation="relu" if relu else None)(t)

        if order == "reduce first":
            return conv(conv(x, reduce, 1, relu=relu_reduce), filters, f)
        return conv(conv(x, filters, f), reduce, 1)
    return block


WRONG_BOTTLENECK = {
    "answer key: the course's bottleneck_layer": lambda x, reduce, filters, f: blocks.bottleneck_layer(
        x, reduce, filters, f),
    "not implemented": stub,
    "no ReLU after the 1x1": bottleneck_layer(relu_reduce=False),
    "valid f x f": (bottleneck_layer(padding="valid"), "padding='same'"),
    "1x1 after the f x f": bottleneck_layer(order="reduce last"),
    "reduce and filters swapped": bottleneck_layer(swap=True),
    "no bottleneck": lambda x, reduce, filters, f: layers.Conv2D(filters, f, padding="same", activation="relu")(x),
    # TensorFlow's own ReLU: right where Keras runs on TensorFlow, a network JAX cannot run elsewhere
    **({"activation=tf.nn.relu on JAX": (lambda x, reduce, filters, f: layers.Conv2D(filters, f, padding="same",
        activation=tf.nn.relu)(layers.Conv2D(reduce, 1, activation=tf.nn.relu)(x)), "every backend")}
       if keras.backend.backend() == "jax" else {}),
}
RIGHT_BOTTLENECK = {
    "fused ReLU": bottleneck_layer(),
    "ReLU layers": bottleneck_layer(separate_relu=True),
    "keras.ops.relu": lambda x, reduce, filters, f: keras.ops.relu(layers.Conv2D(filters, f, padding="same")(
        keras.ops.relu(layers.Conv2D(reduce, 1)(x)))),
    # a convolution's call takes no `training`: Keras drops it, and the layer computes the same
    "Conv2D(...)(x, training=False)": lambda x, reduce, filters, f: layers.Conv2D(filters, f, padding="same",
        activation="relu")(layers.Conv2D(reduce, 1, activation="relu")(x, training=False), training=False),
    **({"activation=tf.nn.relu on TensorFlow": lambda x, reduce, filters, f: layers.Conv2D(
        filters, f, padding="same", activation=tf.nn.relu)(layers.Conv2D(reduce, 1, activation=tf.nn.relu)(x))}
       if keras.backend.backend() == "tensorflow" else {}),
}

test_conv_multiplies_rejects, test_conv_multiplies_accepts = catalogue(check_conv_multiplies, WRONG_COST, RIGHT_COST)
test_bottleneck_layer_rejects, test_bottleneck_layer_accepts = catalogue(check_bottleneck_layer, WRONG_BOTTLENECK,
                                                                      RIGHT_BOTTLENECK)


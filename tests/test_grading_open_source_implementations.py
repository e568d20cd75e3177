"""Wrong-answer catalogue of notebook 09's grader: a PyTorch convolution kernel in Keras' layout."""

import importlib.util

import keras
import numpy as np
from catalogue import ANSWER_KEY, BROKEN_MESSAGE, Lazy, catalogue, raises_a_broken_message, stub

from cnn_course.grading.open_source_implementations import check_to_keras_kernel
from cnn_course.models import ported


def right(weight, depthwise=False):
    return weight.transpose(2, 3, 0, 1) if depthwise else weight.transpose(2, 3, 1, 0)


def depthwise_left_to_do(weight, depthwise=False):
    if depthwise:
        raise NotImplementedError("depthwise kernels later")
    return right(weight)


def answer_key(weight, depthwise=False):
    layer = keras.layers.DepthwiseConv2D(3) if depthwise else keras.layers.Conv2D(1, 3)
    return ported.to_keras_layout(layer, "kernel", weight)


WRONG = {
    "not implemented": stub,
    ANSWER_KEY + "ported.to_keras_layout": answer_key,
    "reshaped, not transposed": (lambda w, depthwise=False: w.reshape(right(w, depthwise).shape), "transpose"),
    "kh and kw swapped": lambda w, depthwise=False: w.transpose(3, 2, 0, 1) if depthwise else w.transpose(3, 2, 1, 0),
    "in and out swapped": (lambda w, depthwise=False: w.transpose(2, 3, 1, 0) if depthwise else
                           w.transpose(2, 3, 0, 1), "transpose(2, 3, 1, 0)"),
    "in and out swapped, with the flag ignored": (lambda w, depthwise=False: np.moveaxis(np.moveaxis(w, 0, -1), 0, -1),
                                                  "that is transpose(2, 3, 0, 1)"),
    "in and out swapped back only where the shape shows it": (
        lambda w, depthwise=False: w.transpose(2, 3, 0, 1) if depthwise or w.shape[0] == w.shape[1] else
        w.transpose(2, 3, 1, 0), "that is transpose(2, 3, 0, 1)"),
    "kh and kw swapped only on a square kernel": (
        lambda w, depthwise=False: right(w, depthwise).transpose(1, 0, 2, 3) if w.shape[2] == w.shape[3] else
        right(w, depthwise), "that is transpose(3, 2, 1, 0)"),
    "reversed axes (.T)": lambda w, depthwise=False: w.T,
    "depthwise treated as ordinary": (lambda w, depthwise=False: w.transpose(2, 3, 1, 0), "depthwise flag"),
    "ordinary treated as depthwise": lambda w, depthwise=False: w.transpose(2, 3, 0, 1),
    "kernel flipped (a true convolution)": (lambda w, depthwise=False: right(w, depthwise)[::-1, ::-1], "flipped"),
    "the flag ignored: one input channel read as depthwise": (
        lambda w, depthwise=False: w.transpose(2, 3, 0, 1) if w.shape[1] == 1 else w.transpose(2, 3, 1, 0),
        "read the flag"),
    "depthwise left to do, NotImplementedError of the learner's own": (depthwise_left_to_do,
                                                                        "a part of the exercise this call needs"),
    "unchanged": lambda w, depthwise=False: w,
    "a list": lambda w, depthwise=False: right(w, depthwise).tolist(),
    "np.squeeze for a depthwise kernel (drops a width of 1 too)": lambda w, depthwise=False: np.transpose(
        np.squeeze(w), (1, 2, 0))[..., None] if depthwise else right(w, depthwise),
    "cast to float16": (lambda w, depthwise=False: right(w, depthwise).astype("float16"), "in float16"),
    ANSWER_KEY + "ported.to_keras_layout, called when the grader reads the array": lambda w, depthwise=False: Lazy(
        lambda: answer_key(w, depthwise)),
    # the fixed cases' values are the same at every grading, the fresh ones' not
    "the weight's values drawn again with the grader's seed 0": (lambda weight, depthwise=False: np.transpose(
        np.random.default_rng(0).normal(size=weight.shape).astype("float32"), (2, 3, 0, 1) if depthwise else (
            2, 3, 1, 0)), "differs from the expected result"),
    "raises an error whose message raises": (raises_a_broken_message, BROKEN_MESSAGE),
}
def jax_transpose(w, depthwise=False):
    import jax.numpy as jnp

    return jnp.transpose(w, (2, 3, 0, 1) if depthwise else (2, 3, 1, 0))


RIGHT = {
    "transpose": right,
    # where JAX is installed (the JAX step of CI): an array of another library, with a shape and indexing
    **({"a JAX array, jax.numpy.transpose": jax_transpose} if importlib.util.find_spec("jax") else {}),
    "np.transpose with axes": lambda w, depthwise=False: np.transpose(w, (2, 3, 0, 1) if depthwise else (2, 3, 1, 0)),
    "moveaxis": lambda w, depthwise=False: np.moveaxis(w, (0, 1), (2, 3) if depthwise else (3, 2)),
    "keras.ops": lambda w, depthwise=False: keras.ops.transpose(w, (2, 3, 0, 1) if depthwise else (2, 3, 1, 0)),
}

test_to_keras_kernel_rejects, test_to_keras_kernel_accepts = catalogue(check_to_keras_kernel, WRONG, RIGHT)

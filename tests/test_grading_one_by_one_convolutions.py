"""check_one_by_one_as_dense must reject plausible wrong answers and accept equivalent right ones."""

import keras
import numpy as np
from catalogue import catalogue, pretender, stub

from cnn_course.grading.one_by_one_convolutions import check_one_by_one_as_dense


def per_pixel_loop(volume, weights, bias):
    out = np.zeros(volume.shape[:-1] + (weights.shape[1],), volume.dtype)
    for i in np.ndindex(volume.shape[:-1]):
        out[i] = np.maximum(volume[i] @ weights + bias, 0)
    return out


def reshape_matmul(volume, weights, bias):
    m, n_h, n_w, n_c_prev = volume.shape
    flat = volume.reshape(-1, n_c_prev) @ weights + bias
    return np.maximum(flat, 0).reshape(m, n_h, n_w, -1)


def keras_conv(volume, weights, bias, to_numpy=False):
    """The exercise asks for NumPy; this lets Keras compute the convolution."""
    conv = keras.layers.Conv2D(weights.shape[1], 1, activation="relu")
    conv.build(volume.shape)
    conv.set_weights([weights.reshape(1, 1, *weights.shape), bias])
    out = conv(volume)
    return np.asarray(out) if to_numpy else out


def tf_conv2d(volume, weights, bias, conv2d=lambda tf: tf.nn.conv2d):
    import tensorflow as tf

    return tf.nn.relu(conv2d(tf)(volume, weights[None, None], strides=[1, 1, 1, 1], padding="VALID") + bias).numpy()


WRONG = {
    "not implemented": stub,
    "answer key: a Keras Conv2D": keras_conv,
    "a backend tensor": (lambda v, w, b: keras.ops.convert_to_tensor(np.maximum(v @ w + b, 0)), "NumPy"),
    "answer key: keras.ops.conv": lambda v, w, b: np.asarray(keras.ops.relu(keras.ops.conv(v, w.reshape(1, 1, *w.shape))
                                                                            + b)),
    "answer key: tf.nn.conv2d": tf_conv2d,
    "answer key: tf.raw_ops.Conv2D": lambda v, w, b: tf_conv2d(v, w, b, lambda tf: lambda *args, **kwargs: (
        tf.raw_ops.Conv2D(input=args[0], filter=args[1], **kwargs))),
    "answer key: tf.compat.v1.nn.conv2d": lambda v, w, b: tf_conv2d(v, w, b, lambda tf: tf.compat.v1.nn.conv2d),
    "answer key: a Keras Conv2D, converted to NumPy": lambda v, w, b: keras_conv(v, w, b, to_numpy=True),
    "no bias": (lambda v, w, b: np.maximum(v @ w, 0), "bias"),
    "the bias added after the ReLU": (lambda v, w, b: np.maximum(v @ w, 0) + b, "after the ReLU"),
    "no ReLU": (lambda v, w, b: v @ w + b, "ReLU"),
    "flattened output": (lambda v, w, b: np.maximum(v.reshape(-1, v.shape[-1]) @ w + b, 0), "shape"),
    "sums the channels first": lambda v, w, b: np.maximum(v.sum(-1, keepdims=True) * w.sum(0) + b, 0),
    "sigmoid instead of ReLU": lambda v, w, b: 1 / (1 + np.exp(-(v @ w + b))),
    "returns a list": lambda v, w, b: np.maximum(v @ w + b, 0).tolist(),
    "transposed weights": lambda v, w, b: np.maximum(v @ w.T + b, 0),
    "np.max instead of np.maximum": (lambda v, w, b: np.max(0, v @ w + b), "np.maximum"),
    "ReLU in place on the input": lambda v, w, b: np.maximum(np.maximum(v, 0, out=v) @ w + b, 0),
    "the bias reshaped in place": (lambda v, w, b: (setattr(b, "shape", (1, 1, 1, -1)), np.maximum(v @ w + b, 0))[1],
                                   "changed the bias it was given (its shape: reshape or convert a copy)"),
    "a table of the fixed cases' shapes only": lambda v, w, b: np.maximum(v @ w + b, 0) if (*v.shape, w.shape[1]) in
    check_one_by_one_as_dense.spec.cases else np.zeros(v.shape[:-1] + w.shape[1:]),
    "an object that says it is an ndarray, a Keras Conv2D computing when it is read": (lambda v, w, b: pretender(
        np.ndarray, shape=(*v.shape[:-1], w.shape[1]), dtype=np.dtype("float32"),
        __array__=lambda self, dtype=None, copy=None: keras_conv(v, w, b, to_numpy=True)), "returned a Pretender"),
    "an object that says it is an ndarray, with a shape no comparison reads": (lambda v, w, b: pretender(
        np.ndarray, dtype=np.dtype("float32"), shape=type("Shape", (), {"__eq__": None, "__ne__": None})()),
        "returned a Pretender"),
}
RIGHT = {
    "matmul on the channel axis": lambda v, w, b: np.maximum(v @ w + b, 0),
    "einsum": lambda v, w, b: np.maximum(np.einsum("mhwc,cd->mhwd", v, w) + b, 0),
    "loop over pixels": per_pixel_loop,
    "reshape, multiply, reshape back": reshape_matmul,
}

test_one_by_one_as_dense_rejects, test_one_by_one_as_dense_accepts = catalogue(check_one_by_one_as_dense, WRONG,
                                                                                RIGHT)


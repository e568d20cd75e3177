"""Grader of notebook 09, using open-source implementations: a PyTorch convolution kernel in Keras' layout.

The check is what a port needs: a Keras convolution given the converted kernel computes what the PyTorch
layer computes (a cross-correlation, written out here with NumPy), on kernels whose four sizes all differ
and that are not square, so that every axis mix-up shows -- a reshape too, which gives the right shape
with the numbers in the wrong places.
"""

from __future__ import annotations

import itertools

import numpy as np

from cnn_course.grading.report import described, grader

# (out, in, kh, kw) of ordinary kernels; (channels, 1, kh, kw) of depthwise ones
_CASES = [((5, 3, 4, 2), False), ((4, 6, 1, 1), False), ((2, 3, 5, 4), False), ((6, 1, 3, 2), True),
          ((3, 1, 5, 3), True)]


def torch_convolution(images: np.ndarray, weight: np.ndarray, depthwise: bool) -> np.ndarray:
    """PyTorch's Conv2d without padding, stride 1 or bias, on channels-last `images`: output channel o at
    (i, j) is the sum over c, u, v of weight[o, c, u, v] * image[i + u, j + v, c] (a depthwise layer's
    channel o sees only input channel o)."""
    _, kh, kw = weight.shape[1:]
    patches = np.lib.stride_tricks.sliding_window_view(images, (kh, kw), axis=(1, 2))  # n, h', w', c, kh, kw
    if depthwise:
        return np.einsum("nijcuv,cuv->nijc", patches, weight[:, 0])
    return np.einsum("nijcuv,ocuv->nijo", patches, weight)


def keras_convolution(images: np.ndarray, kernel, depthwise: bool) -> np.ndarray:
    """A Keras convolution ("valid" padding, no bias) with `kernel`."""
    import keras

    kh, kw = np.shape(kernel)[:2]
    if depthwise:
        layer = keras.layers.DepthwiseConv2D((kh, kw), use_bias=False)
    else:
        layer = keras.layers.Conv2D(np.shape(kernel)[3], (kh, kw), use_bias=False)
    layer.build(images.shape)
    layer.set_weights([np.asarray(kernel, "float32")])
    return np.asarray(layer(images))


@grader("to_keras_kernel", answer_key=["cnn_course.models.ported.to_keras_layout"])
def check_to_keras_kernel(to_keras_kernel, report) -> None:
    """Grade ``to_keras_kernel(weight, depthwise=False)``: PyTorch's (out, in, kh, kw) -> Keras'
    (kh, kw, in, out); a depthwise (channels, 1, kh, kw) -> (kh, kw, channels, 1)."""
    rng = np.random.default_rng(0)
    for shape, depthwise in _CASES:
        weight = rng.normal(size=shape).astype("float32")
        what = f"to_keras_kernel(weight of shape {shape}{', depthwise=True' if depthwise else ''})"
        got = report.call(to_keras_kernel, weight.copy(), depthwise, what=what)
        report.precondition(hasattr(got, "shape"), f"{what} returned {described(got)}: return the array")
        want_shape = (shape[2], shape[3], shape[0], 1) if depthwise else (shape[2], shape[3], shape[1], shape[0])
        if tuple(got.shape) != want_shape:
            report.fail(f"{what} has shape {tuple(got.shape)}, expected {want_shape}"
                        + _axes_hint(got.shape, shape, depthwise))
        images = rng.normal(size=(2, 7, 6, shape[0] if depthwise else shape[1])).astype("float32")
        same = np.allclose(keras_convolution(images, got, depthwise), torch_convolution(images, weight, depthwise),
                           atol=1e-4)
        if not same:
            flipped = keras_convolution(images, np.asarray(got)[::-1, ::-1], depthwise)
            hint = ("the shape is right but the numbers are in the wrong places: a reshape keeps the memory "
                    "order -- move the axes with transpose" if np.array_equal(np.ravel(got), weight.ravel())
                    else "the kernel is flipped: both libraries compute a cross-correlation, so keep (kh, kw) as they "
                    "are" if np.allclose(flipped, torch_convolution(images, weight, depthwise), atol=1e-4) else "")
            report.fail(f"{what}: a Keras convolution with it computes something else than the PyTorch layer"
                        + (f" -- {hint}" if hint else ""))
    report.success(f"on {len(_CASES)} kernels (3 ordinary, 2 depthwise) the Keras convolution computes what the "
                   f"PyTorch layer computes")


def _axes_hint(got_shape, shape, depthwise) -> str:
    """Which axes of the PyTorch kernel the answer put where, when it is a transpose of another order."""
    orders = [order for order in itertools.permutations(range(4)) if tuple(shape[i] for i in order) == tuple(got_shape)]
    want = "(kh, kw, channels, 1): transpose(2, 3, 0, 1)" if depthwise else "(kh, kw, in, out): transpose(2, 3, 1, 0)"
    return f" -- that is transpose{orders[0]}; Keras wants {want}" if orders else ""

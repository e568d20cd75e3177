"""Graders of notebook 12, the state of computer vision: the 10-crop and an ensemble's prediction, on the array
engine with `evaluate.ten_crop` and `evaluate.ensemble_predict` as references."""

from __future__ import annotations

import itertools

import numpy as np

from cnn_course.evaluate import TEN_CROP_VIEWS, crop_corners, ensemble_predict, ten_crop
from cnn_course.grading.array import ArrayExercise, array_grader, shaped
from cnn_course.grading.grading_base import softmax
from cnn_course.grading.mistakes import named, same_value

_ORDER = "the order is centre, top-left, top-right, bottom-left, bottom-right, then the same five mirrored"


def _images(case, rng) -> tuple:
    count, height, width, channels, c, dtype = case
    shape = (count, height, width, channels)
    images = rng.integers(0, 256, size=shape) if dtype == "uint8" else rng.normal(size=shape)
    return images.astype(dtype), c


def _draw_crop_case(rng) -> tuple:
    """Crops of at least 2 x 2 pixels, smaller than the images: a crop is then told apart from the others."""
    height, width = (int(v) for v in rng.integers(4, 13, size=2))
    return (int(rng.integers(1, 4)), height, width, int(rng.choice([1, 3])), int(rng.integers(2, min(height, width))),
            str(rng.choice(["uint8", "float32"])))


def _views(images, c, up=(0, 0), mirror=lambda crop: crop[:, :, ::-1], second=None):
    """The ten views, a knob per mistake: the centre rounded up along (rows, columns), how a crop is mirrored, or
    the image the second five are cropped from."""
    corners = crop_corners(*images.shape[1:3], c)
    corners[0] = tuple((size - c + rounding) // 2 for size, rounding in zip(images.shape[1:3], up))
    five = [images[:, row:row + c, column:column + c] for row, column in corners]
    return np.stack(five + ([mirror(crop) for crop in five] if second is None else
                            [second[:, row:row + c, column:column + c] for row, column in corners]))


_CROP_MISTAKES = [
    *(("the centre is rounded up: the centre crop starts at ((H - c) // 2, (W - c) // 2), rounding down",
       lambda images, c, up=up: _views(images, c, up)) for up in ((1, 1), (1, 0), (0, 1))),
    ("it is not mirrored: view k + 5 is view k flipped left-right (along the width axis)",
     lambda images, c: _views(images, c, mirror=lambda crop: crop)),
    ("views 5-9 are the five crops of the mirrored image, which come in another order (its top-left crop is the "
     "top-right one mirrored): view k + 5 is view k flipped left-right",
     lambda images, c: _views(images, c, second=images[:, :, ::-1])),
    ("it is mirrored top to bottom: mirror left-right, flipping the width axis (axis 2 of the images, [:, :, ::-1])",
     lambda images, c: _views(images, c, mirror=lambda crop: crop[:, ::-1])),
    ("its channels are reversed: mirror along the width axis (axis 2 of the images), not the last",
     lambda images, c: _views(images, c, mirror=lambda crop: crop[..., ::-1])),
    ("it is turned half a turn (flipped top to bottom too): mirror left-right only, along the width axis, [:, :, ::-1]",
     lambda images, c: _views(images, c, mirror=lambda crop: crop[:, ::-1, ::-1])),
    ("every axis of it is flipped, as np.flip(crop) does without an axis: np.flip(crop, axis=2) mirrors left-right",
     lambda images, c: _views(images, c, mirror=np.flip)),
    ("its rows and columns are swapped (transposed): keep the crop's axes as they are",
     lambda images, c: ten_crop(images, c).transpose(0, 1, 3, 2, 4)),
    ("it holds a crop of another image: the images of the batch are mixed up -- keep the batch axis (a reshape of "
     "(N, 10, ...) into (10, N, ...) mixes them; stack the views on axis 0)",
     lambda images, c: ten_crop(images, c).transpose(1, 0, 2, 3, 4).reshape(10, len(images), c, c, -1)),
]


def _wrong_view(arguments, got) -> str:
    """The first wrong view, and the mistake that explains it or what it holds instead."""
    images, c = arguments
    if got.dtype != images.dtype:
        return f"the views are {got.dtype}, the images {images.dtype}: crop and flip, keep the images' dtype and values"
    want = ten_crop(images, c)
    k, n = next((k, n) for k in range(10) for n in range(len(images)) if not np.array_equal(got[k, n], want[k, n]))
    held = next((view for view, crop in zip(TEN_CROP_VIEWS, want[:, n]) if np.array_equal(got[k, n], crop)), None)
    other = next((m for m in range(len(images)) for crop in want[:, m] if m != n and np.array_equal(got[k, n], crop)),
                 None)
    hint = named(got, _CROP_MISTAKES, images, c) or (f"it holds the {held} crop: {_ORDER}" if held else
                                                     f"it holds a crop of image {other}: keep the batch's order (axis "
                                                     f"0 is the batch; np.flipud flips it)" if other is not None else
                                                     "it is none of the ten crops, even mirrored: check where each "
                                                     "crop starts (rows are axis 1 of the images, columns axis 2)")
    return f"view {k} of image {n} is not the {TEN_CROP_VIEWS[k]} crop -- {hint}"


def _crop_shape_advice(arguments, got, want) -> str:
    images, c = arguments
    count, height, width, channels = images.shape
    if got == (count, 10, c, c, channels):
        return "the views are on axis 1: stack them on a new first axis, np.stack(views) (views first)"
    if got == (5, count, c, c, channels):
        return "5 views: add the same five mirrored left-right"
    if got == (10 * count, c, c, channels):
        return "the views and the images share one axis: stack the 10 views on a new axis 0"
    if len(got) == 5 and got[:2] == (10, count) and got[4] == channels and got[2:4] != (c, c):
        if max(got[2:4]) > c or got[2:4] == (c - 1, c - 1):
            return f"crops of {got[2]}x{got[3]} pixels: images[:, i:i + c] takes c rows (the end is excluded)"
        return (f"crops of {got[2]}x{got[3]} pixels: a slice past the edge of an image is cut short -- rows are "
                f"axis 1 (H = {height}), columns axis 2 (W = {width})")
    if sorted(got) == sorted(want):
        return "the axes are in another order: (views, images, rows, columns, channels)"
    return ""


check_ten_crop = array_grader(ArrayExercise(
    exercise="ten_crop", reference=ten_crop,
    # (N, H, W, C, c, dtype): H != W, and (H - c), (W - c) odd in the first two, so rounding the centre up shows
    cases=[(2, 9, 11, 3, 4, "uint8"), (3, 8, 6, 1, 3, "float32"), (2, 7, 12, 3, 4, "float32")],
    draw=_draw_crop_case, arguments=_images,
    describe=lambda case, args: f"ten_crop(images of shape {args[0].shape}, {args[1]})",
    atol=0, keeps_dtype=True, inputs=("the images", "crop_size"), result="views", as_array=shaped,  # views[:, 0]
    leave_advice="crop and flip copies (slices, np.flip), never assign into the input",
    dtype_advice="stack the slices; np.zeros would need dtype=images.dtype",
    ragged_advice="a slice that runs past the edge of an image is cut short -- check each view's rows and columns",
    shape_advice=_crop_shape_advice, advise=_wrong_view,
    success="the views (10, N, c, c, C) in the images' dtype -- centre, corners and their mirror images -- on batches "
            "with H != W, odd margins, uint8 and float32, 1 and 3 channels; the images left as they are"))


# -- ensembles -------------------------------------------------------------------------------------
def _network(seed: int, inputs: int = 5, hidden: int = 6, classes: int = 4):
    """Dense(ReLU) -> Dropout -> Dense(softmax) with weights of its own: the dropout shows a call in training mode,
    the hidden layer that averaging weights is not averaging logits."""
    import keras

    model = keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(hidden, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(classes, activation="softmax")])
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 1.5, size=tuple(w.shape)).astype("float32") for w in model.weights])
    return model


def _logits(models, x, average_weights=False):
    """Each model's logits, or those of one network with the models' weights averaged."""
    weights = [[np.asarray(w, "float64") for w in model.get_weights()] for model in models]
    if average_weights:
        weights = [[np.mean(w, axis=0) for w in zip(*weights)]]
    return np.stack([np.maximum(x @ w1 + b1, 0) @ w2 + b2 for w1, b1, w2, b2 in weights])


def _probabilities(models, x):
    return softmax(_logits(models, x))


def _geometric(models, x):
    return np.exp(np.log(_probabilities(models, x)).mean(0))


def _votes(models, x):
    probabilities = _probabilities(models, x)
    return np.eye(probabilities.shape[-1])[probabilities.argmax(-1)]


_ENSEMBLE_MISTAKES = [
    ("it averages the logits (before the softmax): average the probabilities the models predict",
     lambda models, x: softmax(_logits(models, x).mean(0))),
    ("it counts votes (the argmax of each model): average the probabilities themselves",
     lambda models, x: _votes(models, x).mean(0)),
    ("it is a majority vote (one-hot): average the probabilities themselves",
     lambda models, x: np.eye(4)[_votes(models, x).sum(0).argmax(-1)]),
    ("it is a geometric mean: take the arithmetic mean of the probabilities", _geometric),
    ("it is a normalised geometric mean: take the arithmetic mean of the probabilities",
     lambda models, x: _geometric(models, x) / _geometric(models, x).sum(-1, keepdims=True)),
    ("it is the first model's prediction only: average over all the models",
     lambda models, x: _probabilities(models, x)[0]),
    ("it is the last model's prediction only: average over all the models",
     lambda models, x: _probabilities(models, x)[-1]),
    ("it is the sum of the probabilities: divide by the number of models (a mean)",
     lambda models, x: _probabilities(models, x).sum(0)),
    ("it is one network with the models' weights averaged: average their predictions instead -- networks trained "
     "apart have unrelated weights", lambda models, x: softmax(_logits(models, x, average_weights=True))[0]),
    ("it is the median over the models: take their mean", lambda models, x: np.median(_probabilities(models, x), 0)),
    ("it is the largest probability over the models (max): take their mean",
     lambda models, x: _probabilities(models, x).max(0)),
    ("it is the midpoint of the largest and smallest probabilities: take the mean over all the models",
     lambda models, x: (_probabilities(models, x).max(0) + _probabilities(models, x).min(0)) / 2),
    ("it is a harmonic mean: take the arithmetic mean of the probabilities",
     lambda models, x: len(models) / (1 / _probabilities(models, x)).sum(0)),
    ("it is the mean passed through a softmax again: the mean of probabilities already sums to 1, return it as it is",
     lambda models, x: softmax(_probabilities(models, x).mean(0))),
]


def _ensemble_advice(arguments, got) -> str:
    """Some of the models left out (a slice), the sum divided by a hard-coded count, or the general advice."""
    probabilities = _probabilities(*arguments)
    count = len(probabilities)
    for size in range(count - 1, 1, -1):  # one model alone is a named mistake
        if any(same_value(got, probabilities[list(kept)].mean(0), 1e-5)
               for kept in itertools.combinations(range(count), size)):
            return f"it is the mean of {size} of the {count} models: average over every model in the list"
    divisor = next((k for k in range(2, 11) if k != count and same_value(got, probabilities.sum(0) / k, 1e-5)), 0)
    if divisor:
        return f"it is the sum of the probabilities divided by {divisor}: divide by the number of models, len(models)"
    if same_value(got, probabilities.mean(0), 1e-2):
        return "it is close to the mean but not equal: rounded, or computed in float16? keep the models' float32"
    return ("expected the mean of the models' predicted probabilities (`model.predict`, which runs each model in "
            "inference mode: dropout off, batch norm on its moving statistics)")


def _ensemble_shape_advice(arguments, got, want) -> str:
    size = len(arguments[0])
    if got == want[:1]:
        return "these are class labels: return the averaged probabilities, not their argmax"
    if got == (size, *want):
        return "the models' predictions stacked: average them over the models (axis 0)"
    if got in ((size, want[1]), (size, want[0])):
        return "averaged over the wrong axis: average over the models (axis 0 of the stacked predictions)"
    return ""


check_ensemble_predict = array_grader(ArrayExercise(
    exercise="ensemble_predict", reference=ensemble_predict,
    # the full ensemble first, where every average differs; 5 models, where a hard-coded count of 3 shows
    cases=[(3, (1, 2, 3)), (5, (1, 2, 3, 4, 5)), (2, (1, 2, 3)), (1, (1, 2, 3))],
    draw=lambda rng: (int(rng.integers(2, 7)), tuple(int(v) for v in rng.integers(10, 1000, size=6))),
    arguments=lambda case, rng: ([_network(seed) for seed in case[1][:case[0]]],
                                 np.random.default_rng(case[0]).normal(size=(7, 5)).astype("float32")),
    describe=lambda case, args: f"ensemble_predict(models, x) with {case[0]} model{'s' * (case[0] > 1)} and 7 inputs",
    atol=2e-6, inputs=("the list of models", "x"), result="the averaged probabilities",  # float32 noise; no rounding
    leave_advice="read the list and predict with each model as it is",
    mistakes=_ENSEMBLE_MISTAKES, shape_advice=_ensemble_shape_advice, advise=_ensemble_advice,
    success="the average of the models' probabilities, one row per input, for 1 to 6 models; the models left as they "
            "are (weights and layers' settings)"), seconds=30)



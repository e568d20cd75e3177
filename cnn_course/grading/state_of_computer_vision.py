"""Graders of notebook 12, the state of computer vision: the 10-crop and an ensemble's prediction.

`check_ten_crop` crops batches with H != W and odd (H - c), (W - c), so the centre's rounding shows, in uint8 and
float32, with 3 channels and 1; a wrong view is identified against every crop of the batch (as it is, mirrored
either way, transposed or with its channels reversed) and named. `check_ensemble_predict` gives 3, 2 and 1 small
networks with dropout (so calling them in training mode shows) and a hidden layer (so averaging weights is not
averaging logits), and names the usual other averages.
"""

from __future__ import annotations

import numpy as np

from cnn_course.grading.report import described, grader

_NAMES = ("centre", "top-left", "top-right", "bottom-left", "bottom-right")
_ORDER = "the order is centre, top-left, top-right, bottom-left, bottom-right, then the same five mirrored"
# (N, H, W, C, c, dtype): H != W, and (H - c), (W - c) odd in the first two, so rounding the centre up shows
_CROP_CASES = [(2, 9, 11, 3, 4, "uint8"), (3, 8, 6, 1, 3, "float32"), (2, 7, 12, 3, 4, "float32")]


def as_array(answer):
    """A learner's answer as a NumPy array (a keras tensor, a list of arrays), or None when it is not one."""
    import keras

    try:
        if keras.ops.is_tensor(answer):
            return keras.ops.convert_to_numpy(answer)
        return None if answer is None or np.isscalar(answer) else np.asarray(answer)
    except (ValueError, TypeError):
        return None


def _positions(height, width, c) -> dict:
    """Each view's top-left corner (row, column), by name."""
    return dict(zip(_NAMES, [((height - c) // 2, (width - c) // 2), (0, 0), (0, width - c), (height - c, 0),
                             (height - c, width - c)]))


def _variants(crop):
    return {"": crop, "mirrored": crop[:, ::-1], "upside down": crop[::-1], "transposed": crop.transpose(1, 0, 2),
            "channels reversed": crop[:, :, ::-1]}


def _identify(piece, images, c):
    """Which crop `piece` is: (image, row, column, how), or None when it is none of them."""
    for m, image in enumerate(images):
        for row in range(image.shape[0] - c + 1):
            for column in range(image.shape[1] - c + 1):
                for how, variant in _variants(image[row:row + c, column:column + c]).items():
                    if variant.shape == piece.shape and np.array_equal(variant, piece):
                        return m, row, column, how
    return None


@grader("ten_crop", answer_key=["cnn_course.evaluate.ten_crop"])
def check_ten_crop(ten_crop, report) -> None:
    """Grade ``ten_crop(images, crop_size)``: (10, N, c, c, C), views centre, top-left, top-right,
    bottom-left, bottom-right, then those five mirrored left-right, in the images' dtype."""
    rng = np.random.default_rng(12)
    for count, height, width, channels, c, dtype in _CROP_CASES:
        shape = (count, height, width, channels)
        images = (rng.integers(0, 256, size=shape) if dtype == "uint8" else rng.normal(size=shape)).astype(dtype)
        original = images.copy()
        what = f"ten_crop(images of shape {shape}, {c})"
        answer = report.call(ten_crop, images, c, what=what)
        got = as_array(answer)
        report.precondition(np.array_equal(images, original), f"{what} changed the images it was given: crop and "
                            f"flip copies (slices, np.flip), never assign into the input")
        ragged = isinstance(answer, (list, tuple)) and len({np.shape(view) for view in answer}) > 1
        report.precondition(not ragged, f"{what} returned views of different shapes: a slice that runs past the "
                            f"edge of an image is cut short -- check each view's rows and columns")
        report.precondition(got is not None and got.dtype.kind in "uifb", f"{what} returned {described(answer)}: "
                            f"return the views as one array of numbers, np.stack(views)")
        want_shape = (10, count, c, c, channels)
        report.precondition(got.shape == want_shape, f"{what} returned shape {got.shape}, expected {want_shape}"
                            + _shape_hint(got.shape, shape, c))
        positions = _positions(height, width, c)
        for k in range(10):
            row, column = positions[_NAMES[k % 5]]
            for n in range(count):
                crop = original[n, row:row + c, column:column + c]
                if not np.array_equal(got[k, n], crop[:, ::-1] if k >= 5 else crop):
                    report.fail(f"{what}: view {k} of image {n} is not the {_label(k)} crop -- "
                                + _view_hint(got, k, n, original, c))
        report.precondition(got.dtype == images.dtype, f"{what}: the views are {got.dtype}, the images "
                            f"{images.dtype} -- keep the images' dtype (" + ("return the stacked arrays: Python "
                            "lists lose it)" if isinstance(answer, list) and not hasattr(answer[0], "dtype") else
                            "stack the slices; np.zeros would need dtype=images.dtype)"))
    report.success("the views have shape (10, N, c, c, C) and the images' dtype; the images are left as they are")
    report.success(f"centre, corners and their mirror images on {len(_CROP_CASES)} batches (H != W, odd margins, "
                   f"uint8 and float32, 1 and 3 channels)")


def _label(k) -> str:
    return _NAMES[k % 5] + (" mirrored" if k >= 5 else "")


def _shape_hint(got, shape, c) -> str:
    count, height, width, channels = shape
    if got == (count, 10, c, c, channels):
        return " -- the views are on axis 1: stack them on a new first axis, np.stack(views) (views first)"
    if got == (5, count, c, c, channels):
        return " -- 5 views: add the same five mirrored left-right"
    if got == (10 * count, c, c, channels):
        return " -- the views and the images share one axis: stack the 10 views on a new axis 0"
    if len(got) == 5 and got[:2] == (10, count) and got[4] == channels and got[2:4] != (c, c):
        if max(got[2:4]) > c:
            return f" -- crops of {got[2]}x{got[3]} pixels: images[:, i:i + c] takes c rows (the end is excluded)"
        return (f" -- crops of {got[2]}x{got[3]} pixels: a slice past the edge of an image is cut short -- rows "
                f"are axis 1 (H = {height}), columns axis 2 (W = {width})")
    if sorted(got) == sorted((10, count, c, c, channels)):
        return " -- the axes are in another order: (views, images, rows, columns, channels)"
    return ""


def _view_hint(got, k, n, images, c) -> str:
    height, width = images.shape[1:3]
    found = _identify(got[k, n], images, c)
    if found is None:
        return f"it is no {c}x{c} crop of the images, even flipped (are its values changed?)"
    m, row, column, how = found
    positions = _positions(height, width, c)
    where = next((name for name, corner in positions.items() if corner == (row, column)), None)
    if m != n:
        return (f"it holds a crop of image {m}: the images of the batch are mixed up -- keep the batch axis "
                f"(a reshape of (N, 10, ...) into (10, N, ...) mixes them; stack the views on axis 0)")
    if how == "upside down":
        return ("it is mirrored top to bottom: mirror left-right, flipping the width axis (axis 2 of the "
                "images, [:, :, ::-1])")
    if how == "channels reversed":
        return "its channels are reversed: mirror along the width axis (axis 2 of the images), not the last"
    if how == "transposed":
        return "its rows and columns are swapped (transposed): keep the crop's axes as they are"
    if k >= 5 and how == "mirrored" and _crops_of_mirror(got, images, c):
        return ("views 5-9 are the five crops of the mirrored image, which come in another order (its top-left "
                "crop is the top-right one mirrored): view k + 5 is view k flipped left-right")
    if k % 5 == 0 and where is None and row in ((height - c) // 2, (height - c + 1) // 2) \
            and column in ((width - c) // 2, (width - c + 1) // 2):
        return "the centre is rounded up: the centre crop starts at ((H - c) // 2, (W - c) // 2), rounding down"
    if k >= 5 and how == "" and where == _NAMES[k % 5]:
        return f"it is not mirrored: view {k} is view {k - 5} flipped left-right (along the width axis)"
    if k < 5 and how == "mirrored" and where == _NAMES[k]:
        return "it is mirrored: views 0-4 are the crops as they are, 5-9 their mirror images"
    held = f"the {where}" if where else f"the crop starting at row {row}, column {column}"
    held += " mirrored" if how == "mirrored" else ""
    if where:
        return f"it holds {held} crop: {_ORDER}"
    return f"it holds {held} (rows are axis 1 of the images, columns axis 2)"


def _crops_of_mirror(got, images, c) -> bool:
    mirror = images[:, :, ::-1]
    corners = _positions(*images.shape[1:3], c).values()
    return all(np.array_equal(got[5 + k], mirror[:, row:row + c, column:column + c])
               for k, (row, column) in enumerate(corners))


# -- ensembles -------------------------------------------------------------------------------------
def _network(seed: int, inputs: int = 5, hidden: int = 6, classes: int = 4):
    """A small softmax classifier with weights of its own: Dense(ReLU) -> Dropout -> Dense(softmax). The dropout
    changes nothing when the network predicts, and everything when it is called in training mode."""
    import keras

    model = keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(hidden, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(classes, activation="softmax")])
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 1.5, size=tuple(w.shape)).astype("float32") for w in model.weights])
    return model


def _softmax(logits):
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def _logits(weights, x):
    w1, b1, w2, b2 = weights
    return np.maximum(x @ w1 + b1, 0) @ w2 + b2


def _ensemble_candidates(models, x) -> dict:
    """What the answer should compute, and the usual other ways to combine the models, by hint."""
    weights = [[np.asarray(w, "float64") for w in model.get_weights()] for model in models]
    logits = np.stack([_logits(w, x) for w in weights])
    probabilities = _softmax(logits)
    votes = np.eye(probabilities.shape[-1])[probabilities.argmax(-1)]
    geometric = np.exp(np.log(probabilities).mean(0))
    return {
        "right": probabilities.mean(0),
        "it averages the logits (before the softmax): average the probabilities the models predict":
            _softmax(logits.mean(0)),
        "it counts votes (the argmax of each model): average the probabilities themselves": votes.mean(0),
        "it is a majority vote (one-hot): average the probabilities themselves": np.eye(votes.shape[-1])[
            votes.sum(0).argmax(-1)],
        "it is a geometric mean: take the arithmetic mean of the probabilities": geometric,
        "it is a normalised geometric mean: take the arithmetic mean of the probabilities":
            geometric / geometric.sum(-1, keepdims=True),
        "it is the first model's prediction only: average over all the models": probabilities[0],
        "it is the last model's prediction only: average over all the models": probabilities[-1],
        "it is the sum of the probabilities: divide by the number of models (a mean)": probabilities.sum(0),
        "it is one network with the models' weights averaged: average their predictions instead -- networks "
        "trained apart have unrelated weights": _softmax(_logits([np.mean(w, axis=0) for w in zip(*weights)], x)),
    }


@grader("ensemble_predict", answer_key=["cnn_course.evaluate.ensemble_predict"])
def check_ensemble_predict(ensemble_predict, report) -> None:
    """Grade ``ensemble_predict(models, x)``: the mean of the models' predicted probabilities, (n, classes)."""
    networks = [_network(seed) for seed in (1, 2, 3)]
    x = np.random.default_rng(0).normal(size=(7, 5)).astype("float32")
    for size in (3, 2, 1):  # the full ensemble first: there every other average differs
        models = networks[:size]
        before = [[w.copy() for w in model.get_weights()] for model in models]
        what = f"ensemble_predict(models, x) with {size} model{'s' * (size > 1)} and 7 inputs"
        given = list(models)
        answer = report.call(ensemble_predict, given, x.copy(), what=what)
        report.precondition(len(given) == size and all(a is b for a, b in zip(given, models)),
                            f"{what} changed the list of models it was given (popped, appended or sorted it): "
                            f"read the list, leave it as it is")
        got = as_array(answer)
        got = got.astype("float64") if got is not None and got.dtype.kind in "uifb" else None
        report.precondition(got is not None, f"{what} returned {described(answer)}: return the averaged "
                            f"probabilities, a NumPy array of numbers")
        report.precondition(got.shape == (7, 4), f"{what} returned shape {got.shape}, expected (7, 4)"
                            + _ensemble_shape_hint(got.shape, size))
        unchanged = all(np.array_equal(a, b) for model, old in zip(models, before)
                        for a, b in zip(model.get_weights(), old))
        report.precondition(unchanged, f"{what} changed the models' weights: predict with each model as it is")
        candidates = _ensemble_candidates(models, x)
        if not np.allclose(got, candidates.pop("right"), atol=1e-5):
            hint = next((hint for hint, value in candidates.items() if np.allclose(got, value, atol=1e-5)),
                        "expected the mean of the models' predicted probabilities (`model.predict`, which runs "
                        "each model in inference mode: dropout off, batch norm on its moving statistics)")
            report.fail(f"{what}: the result is not the average of the models' probabilities -- {hint}")
    report.success("one row of class probabilities per input; the models are left as they are")
    report.success("the average of the models' probabilities, for 3, 2 and 1 models")


def _ensemble_shape_hint(shape, size) -> str:
    if shape == (7,):
        return " -- these are class labels: return the averaged probabilities, not their argmax"
    if shape == (size, 7, 4):
        return " -- the models' predictions stacked: average them over the models (axis 0)"
    if shape in ((size, 4), (size, 7)):
        return " -- averaged over the wrong axis: average over the models (axis 0 of the stacked predictions)"
    return ""

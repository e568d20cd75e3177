"""Wrong-answer catalogues of notebook 12's graders: the 10-crop and an ensemble's prediction."""

import keras
import numpy as np
import tensorflow as tf
from catalogue import ANSWER_KEY, catalogue, stub

from cnn_course import evaluate
from cnn_course.grading.state_of_computer_vision import check_ensemble_predict, check_ten_crop

# -- the 10-crop -----------------------------------------------------------------------------------


class ShapeAndValues:
    """A learner's own holder of the crops: a shape and __array__, no indexing (the notebook reads views[:, 0])."""

    def __init__(self, array):
        self.shape, self.array = array.shape, array

    def __array__(self, dtype=None, copy=None):
        return self.array


def five(images, c, centre=lambda h, w, c: ((h - c) // 2, (w - c) // 2)):
    """The centre and the four corner crops, in order."""
    h, w = images.shape[1:3]
    corners = [centre(h, w, c), (0, 0), (0, w - c), (h - c, 0), (h - c, w - c)]
    return [images[:, i:i + c, j:j + c] for i, j in corners]


def crops(images, c, order=range(10), mirror=lambda crop: crop[:, :, ::-1], **kwargs):
    views = five(images, c, **kwargs)
    views += [mirror(view) for view in views]
    return np.stack([views[k] for k in order])


def with_loops(images, c):
    h, w = images.shape[1], images.shape[2]
    out = np.empty((10, len(images), c, c, images.shape[3]), dtype=images.dtype)
    for k, (i, j) in enumerate([((h - c) // 2, (w - c) // 2), (0, 0), (0, w - c), (h - c, 0), (h - c, w - c)]):
        for n in range(len(images)):
            out[k, n] = images[n, i:i + c, j:j + c]
            out[k + 5, n] = np.fliplr(images[n, i:i + c, j:j + c])
    return out


def with_keras_ops(images, c):
    x = keras.ops.convert_to_tensor(images)
    h, w = images.shape[1], images.shape[2]
    views = [x[:, i:i + c, j:j + c] for i, j in
             [((h - c) // 2, (w - c) // 2), (0, 0), (0, w - c), (h - c, 0), (h - c, w - c)]]
    return keras.ops.stack(views + [keras.ops.flip(view, axis=2) for view in views])


def of_the_mirrored_image(images, c):
    return np.stack(five(images, c) + five(images[:, :, ::-1], c))


def crop_the_mirror(images, c, in_place=False):
    """Crops the mirror image at the mirrored corners -- right, unless it mirrors the input itself."""
    views = [view.copy() for view in five(images, c)]
    mirror = images if in_place else images.copy()
    mirror[:] = mirror[:, :, ::-1]
    h, w = images.shape[1:3]
    corners = ((h - c) // 2, w - c - (w - c) // 2), (0, w - c), (0, 0), (h - c, w - c), (h - c, 0)
    return np.stack(views + [mirror[:, i:i + c, j:j + c] for i, j in corners])


def hw_swapped(images, c):
    w, h = images.shape[1:3]
    return crops(images, c, centre=lambda _h, _w, c: ((h - c) // 2, (w - c) // 2))


def past_the_edge(images, c):
    views = five(images, c)
    h, w = images.shape[1:3]
    views[4] = images[:, h - c + 1:h + 1, w - c + 1:w + 1]  # one row and column short
    return views + [view[:, :, ::-1] for view in views]


WRONG_CROP = {
    "not implemented": stub,
    "np.flipud on the crops (the batch reversed, not mirrored)": (lambda images, c: crops(images, c, mirror=np.flipud),
                                                                  "crop of image 1"),
    ANSWER_KEY + "evaluate.ten_crop": lambda images, c: evaluate.ten_crop(images, c),
    ANSWER_KEY + "tf.autograph's copy of evaluate.ten_crop": lambda images, c: tf.autograph.to_graph(
        evaluate.ten_crop)(images, c),
    "corners first, centre last (torchvision's order)": lambda images, c: crops(images, c, [1, 2, 3, 4, 0,
                                                                                            6, 7, 8, 9, 5]),
    "top-right and bottom-left swapped": lambda images, c: crops(images, c, [0, 1, 3, 2, 4, 5, 6, 8, 7, 9]),
    "views and mirrors interleaved": lambda images, c: crops(images, c, [0, 5, 1, 6, 2, 7, 3, 8, 4, 9]),
    "mirrored top to bottom": lambda images, c: crops(images, c, mirror=lambda crop: crop[:, ::-1]),
    "mirrored along the channels": lambda images, c: crops(images, c, mirror=lambda crop: crop[..., ::-1]),
    "np.flip(crop) with no axis (every axis flipped)": (lambda images, c: crops(images, c, mirror=np.flip),
                                                        "as np.flip(crop) does without an axis"),
    "turned half a turn, [:, ::-1, ::-1]": (lambda images, c: crops(images, c, mirror=lambda crop: crop[:, ::-1, ::-1]),
                                            "turned half a turn"),
    "crops of the mirrored image": of_the_mirrored_image,
    "no mirror images (the 5 views twice)": lambda images, c: crops(images, c, mirror=lambda crop: crop),
    "centre rounded up": lambda images, c: crops(images, c, centre=lambda h, w, c: (-(-(h - c) // 2),
                                                                                     -(-(w - c) // 2))),
    "centre with round()": lambda images, c: crops(images, c, centre=lambda h, w, c: (round((h - c) / 2),
                                                                                      round((w - c) / 2))),
    "H and W swapped": hw_swapped,
    "crops of size c + 1": lambda images, c: crops(images, c + 1),
    "slices i:i + c - 1 (the end taken as included)": lambda images, c: crops(images, c)[:, :, :-1, :-1],
    "crops transposed": lambda images, c: crops(images, c).transpose(0, 1, 3, 2, 4),
    "views on axis 1, (N, 10, ...)": lambda images, c: crops(images, c).transpose(1, 0, 2, 3, 4),
    "(N, 10, ...) reshaped to (10, N, ...)": lambda images, c: crops(images, c).transpose(1, 0, 2, 3, 4).reshape(
        10, len(images), c, c, -1),
    "views and images on one axis": lambda images, c: np.concatenate(list(crops(images, c))),
    "dtype changed to float32": lambda images, c: crops(images, c).astype("float32"),
    "converted to floats in [0, 1]": lambda images, c: crops(images, c).astype("float32") / (
        255 if images.dtype == np.uint8 else 1),
    "np.zeros without a dtype": lambda images, c: with_loops(images.astype("float64"), c),
    "images modified in place": lambda images, c: crop_the_mirror(images, c, in_place=True),
    "a list of lists": lambda images, c: crops(images, c).tolist(),
    "only the first five views": lambda images, c: crops(images, c)[:5],
    "None": lambda images, c: None,
    "bottom-right past the edge (a ragged list)": past_the_edge,
    # notebook 12 reads views[:, 0]
    "a list of arrays": (lambda images, c: [view for view in crops(images, c)], "as a NumPy array"),
    "the crops in an object of one's own with a shape and __array__": (lambda images, c: ShapeAndValues(
        crops(images, c)), "ShapeAndValues"),
}
RIGHT_CROP = {
    "slicing with np.stack and [:, :, ::-1]": crops,
    "loops with np.fliplr": with_loops,
    "np.flip on the stacked five": lambda images, c: np.concatenate([np.stack(five(images, c)),
                                                                      np.flip(np.stack(five(images, c)), axis=3)]),
    "keras.ops": with_keras_ops,
    "crops of the mirror image at the mirrored corners": crop_the_mirror,
}


CROP_HINTS = {
    "corners first, centre last (torchvision's order)": "view 0 of image 0 is not the centre crop -- it holds the "
                                                        "top-left crop: the order is centre, top-left",
    "mirrored top to bottom": "mirrored top to bottom",
    "crops of the mirrored image": "views 5-9 are the five crops of the mirrored image",
    "no mirror images (the 5 views twice)": "it is not mirrored",
    "centre rounded up": "the centre is rounded up",
    "centre with round()": "the centre is rounded up",
    "crops of size c + 1": "(the end is excluded)",
    "slices i:i + c - 1 (the end taken as included)": "(the end is excluded)",
    "crops transposed": "transposed",
    "views on axis 1, (N, 10, ...)": "the views are on axis 1",
    "(N, 10, ...) reshaped to (10, N, ...)": "the images of the batch are mixed up",
    "dtype changed to float32": "views of float32 for the images of uint8",
    "converted to floats in [0, 1]": "the views are float32, the images uint8",
    "np.zeros without a dtype": "views of float64",
    "images modified in place": "changed the images it was given",
    "mirrored along the channels": "its channels are reversed",
    "a list of lists": "as a NumPy array",
    "only the first five views": "add the same five mirrored",
    "bottom-right past the edge (a ragged list)": "arrays of different shapes",
}

test_ten_crop_rejects, test_ten_crop_accepts = catalogue(check_ten_crop, WRONG_CROP, RIGHT_CROP, CROP_HINTS)


# -- ensembles -------------------------------------------------------------------------------------
def probabilities(models, x):
    return [np.asarray(model.predict(x, verbose=0)) for model in models]


def averaged_weights(models, x, into_first=False):
    model = models[0] if into_first else keras.models.clone_model(models[0])
    model.set_weights([np.mean(w, axis=0) for w in zip(*(m.get_weights() for m in models))])
    return model.predict(x, verbose=0)


def averaged_logits(models, x):
    logits = [np.log(p) for p in probabilities(models, x)]  # the logits, up to a constant per row
    return np.asarray(keras.ops.softmax(np.mean(logits, axis=0)))


def running_mean(models, x):
    total = 0
    for model in models:
        total = total + model(x)
    return total / len(models)


def popping(models, x):
    count, total = len(models), 0
    while models:
        total = total + models.pop().predict(x, verbose=0)
    return total / count


def without_dropout(models, x):
    for model in models:
        for layer in model.layers:
            if isinstance(layer, keras.layers.Dropout):
                layer.rate = 0.0
    return np.mean(probabilities(models, x), axis=0)


def predict_replaced(models, x):
    """Every model's predict replaced by one that returns zeros, and zeros returned: agrees with nothing computed
    before the answer ran."""
    for model in models:
        model.predict = lambda *args, **kwargs: np.zeros((len(x), 4), "float32")
    return np.zeros((len(x), 4), "float32")


WRONG_ENSEMBLE = {
    "not implemented": stub,
    "the mean rounded to 5 decimals": lambda models, x: np.round(np.mean(probabilities(models, x), axis=0), 5),
    "the mean in float16": (lambda models, x: np.mean(probabilities(models, x), axis=0).astype("float16"), "float16"),
    ANSWER_KEY + "evaluate.ensemble_predict": lambda models, x: evaluate.ensemble_predict(models, x),
    "averaged logits": averaged_logits,
    "averaged one-hot votes": lambda models, x: np.mean([np.eye(4)[p.argmax(1)] for p in probabilities(models, x)], 0),
    "majority vote": lambda models, x: np.eye(4)[np.sum([np.eye(4)[p.argmax(1)] for p in probabilities(models, x)],
                                                        0).argmax(1)],
    "geometric mean": lambda models, x: np.exp(np.mean(np.log(probabilities(models, x)), axis=0)),
    "first model only": lambda models, x: probabilities(models, x)[0],
    "last model only": lambda models, x: models[-1].predict(x, verbose=0),
    "sum, not mean": lambda models, x: np.sum(probabilities(models, x), axis=0),
    "averaged weights": averaged_weights,
    "averaged weights into the first model": lambda models, x: averaged_weights(models, x, into_first=True),
    "class labels": lambda models, x: np.mean(probabilities(models, x), axis=0).argmax(1),
    "stacked, not averaged": lambda models, x: np.stack(probabilities(models, x)),
    "mean over the wrong axis": lambda models, x: np.mean(probabilities(models, x), axis=1),
    "None": lambda models, x: None,
    "the list of models emptied (pop)": popping,
    "called in training mode": lambda models, x: np.mean([keras.ops.convert_to_numpy(m(x, training=True))
                                                          for m in models], axis=0),
    "the first 3 models only": lambda models, x: np.mean(probabilities(models[:3], x), axis=0),
    "the last model left out": lambda models, x: np.mean(probabilities(models[:-1] or models, x), axis=0),
    "the sum divided by a hard-coded 3": lambda models, x: np.sum(probabilities(models, x), axis=0) / 3,
    "median": lambda models, x: np.median(probabilities(models, x), axis=0),
    "max": lambda models, x: np.max(probabilities(models, x), axis=0),
    "midrange": lambda models, x: (np.max(probabilities(models, x), 0) + np.min(probabilities(models, x), 0)) / 2,
    "harmonic mean": lambda models, x: len(models) / np.sum(1 / np.asarray(probabilities(models, x)), axis=0),
    "the mean through a softmax again": lambda models, x: np.asarray(keras.ops.softmax(
        np.mean(probabilities(models, x), axis=0))),
    "every Dropout's rate set to 0": without_dropout,
    "each model's predict replaced by zeros": predict_replaced,
    "every model frozen on the way": lambda models, x: ([setattr(m, "trainable", False) for m in models],
                                                        np.mean(probabilities(models, x), axis=0))[1],
}
RIGHT_ENSEMBLE = {
    "np.mean of predict": lambda models, x: np.mean([m.predict(x, verbose=0) for m in models], axis=0),
    "running sum of model(x)": running_mean,
    "keras.ops": lambda models, x: keras.ops.mean(keras.ops.stack([m(x) for m in models]), axis=0),
    "sum divided by the count": lambda models, x: sum(probabilities(models, x)) / len(models),
    "np.mean in float64 of model(x, training=False)": lambda models, x: np.mean(
        [np.asarray(m(x, training=False), "float64") for m in models], axis=0),
    "predict on the stacked batch, one model at a time": lambda models, x: np.stack(
        [m.predict_on_batch(x) for m in models]).mean(axis=0),
}



ENSEMBLE_HINTS = {
    "every model frozen on the way": "trainable went from True to False",
    "averaged logits": "averages the logits",
    "averaged one-hot votes": "counts votes",
    "majority vote": "majority vote",
    "geometric mean": "geometric mean",
    "first model only": "first model",
    "last model only": "last model",
    "sum, not mean": "sum of the probabilities",
    "averaged weights": "weights averaged",
    "averaged weights into the first model": "the model's weights changed",
    "class labels": "class labels",
    "stacked, not averaged": "stacked",
    "the list of models emptied (pop)": "changed the list of models",
    "called in training mode": "inference mode",
    "the first 3 models only": "the mean of 3 of the 5 models",
    "the last model left out": "the mean of 2 of the 3 models",
    "the sum divided by a hard-coded 3": "divided by 3",
    "median": "median",
    "max": "largest probability",
    "midrange": "midpoint",
    "harmonic mean": "harmonic mean",
    "the mean through a softmax again": "softmax again",
    "every Dropout's rate set to 0": ("changed the list of models it was given", "rate went from 0.5 to 0"),
}

test_ensemble_predict_rejects, test_ensemble_predict_accepts = catalogue(check_ensemble_predict, WRONG_ENSEMBLE,
                                                                         RIGHT_ENSEMBLE, ENSEMBLE_HINTS)

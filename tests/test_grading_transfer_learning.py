"""Wrong-answer catalogue of notebook 10's graders: the frozen base under a new softmax, cached features,
and unfreezing the top layers -- the original assignment's false passes included."""

import keras
import numpy as np
from catalogue import ANSWER_KEY, catalogue, stub
from keras import layers

from cnn_course import transfer
from cnn_course.grading.transfer_learning import (
    check_build_transfer_model,
    check_cache_features,
    check_unfreeze_top,
    grading_base,
)
from cnn_course.models import ported


def transfer_model(base, num_classes, freeze=True, scale=lambda x: x / 127.5 - 1, training=False,
                   pool=layers.GlobalAveragePooling2D, dropout=0.2, activation="softmax", after=False,
                   dropout_at="pooled", between=lambda t: t, dropout_options=None, dense_options=None,
                   after_dense=lambda t: t, front=lambda t: t):
    """A learner's build_transfer_model with one knob per plausible mistake (defaults: right)."""
    if freeze and not after:
        base.trainable = False
    inputs = keras.Input(base.input_shape[1:])
    x = front(inputs)
    x = layers.Lambda(scale)(x) if scale else x
    x = base(x) if training is None else base(x, training=training)
    x = layers.Dropout(dropout)(x) if dropout_at == "maps" else x
    x = between(pool()(x))
    if dropout and dropout_at == "pooled":
        x = layers.Dropout(dropout, **(dropout_options or {}))(x)
    x = after_dense(layers.Dense(num_classes, activation=activation, **(dense_options or {}))(x))
    model = keras.Model(inputs, layers.Dropout(dropout)(x) if dropout_at == "output" else x)
    if freeze and after:
        base.trainable = False
    return model


def stretched(x):
    """Each image scaled from its own darkest and brightest pixel to [-1, 1]."""
    low, high = (reduce(x, axis=(1, 2, 3), keepdims=True) for reduce in (keras.ops.min, keras.ops.max))
    return 2 * (x - low) / (high - low) - 1


def softmax_by_hand(logits):
    shifted = logits - keras.ops.max(logits, axis=-1, keepdims=True)
    return keras.ops.exp(shifted) / keras.ops.sum(keras.ops.exp(shifted), axis=-1, keepdims=True)


def probed(base, num_classes):
    """A learner who looks at the base's output shape first, with a call outside the model."""
    base(keras.Input(base.input_shape[1:]))
    return transfer_model(base, num_classes)


def flat(base, num_classes):
    base.trainable = False
    x = layers.Dropout(0.2)(layers.GlobalAveragePooling2D()(base.output))
    return keras.Model(base.input, layers.Dense(num_classes, activation="softmax")(x))


def sequential(base, num_classes):
    base.trainable = False
    return keras.Sequential([keras.Input(base.input_shape[1:]), layers.Rescaling(1 / 127.5, offset=-1), base,
                             layers.GlobalAveragePooling2D(), layers.Dropout(0.2),
                             layers.Dense(num_classes, activation="softmax")])


def nested(base, num_classes, head=False, front=False, dtype=None, shape=None, use_bias=True, before=None):
    """A right answer written otherwise: the head or the scaling and the base as a nested Sequential, a uint8 Input;
    or a knob for a mistake: an Input of a fixed `shape`, a Dense without bias, `before(base)` run first."""
    base.trainable = False
    if before:
        before(base)
    inputs = keras.Input(shape or base.input_shape[1:], dtype=dtype)
    if front:
        x = keras.Sequential([layers.Rescaling(1 / 127.5, offset=-1), base])(inputs, training=False)
    else:
        x = base(layers.Rescaling(1 / 127.5, offset=-1)(inputs), training=False)
    top = [layers.GlobalAveragePooling2D(), layers.Dropout(0.2),
           layers.Dense(num_classes, activation="softmax", use_bias=use_bias)]
    if head:
        return keras.Model(inputs, keras.Sequential(top)(x))
    for layer in top:
        x = layer(x)
    return keras.Model(inputs, x)


def functional_head(base, num_classes):
    """The head as a functional model whose softmax is written with keras.ops (several operations)."""
    base.trainable = False
    inputs = keras.Input(base.input_shape[1:])
    x = base(layers.Rescaling(1 / 127.5, offset=-1)(inputs), training=False)
    features = keras.Input(x.shape[1:])
    logits = layers.Dense(num_classes)(layers.Dropout(0.2)(layers.GlobalAveragePooling2D()(features)))
    return keras.Model(inputs, keras.Model(features, softmax_by_hand(logits))(x))


def each_layer_frozen(base, num_classes):  # base.trainable left True
    model = transfer_model(base, num_classes, freeze=False)
    for layer in base.layers:
        layer.trainable = False
    return model


def zero_last_layer(base):
    base.layers[-1].set_weights([np.zeros_like(w) for w in base.layers[-1].get_weights()])


def another_base(base, num_classes):  # "the wrong model": a base of its own, not the one given
    return transfer_model(grading_base(seed=9), num_classes)


def whole_model_frozen(base, num_classes):
    model = transfer_model(base, num_classes)
    model.trainable = False
    return model


class Subclassed(keras.Model):
    """The frozen base and a softmax as a subclassed model: no graph to read."""

    def __init__(self, base, num_classes):
        super().__init__()
        base.trainable = False
        self.base, self.dense = base, layers.Dense(num_classes, activation="softmax")

    def call(self, x):
        return self.dense(keras.ops.mean(self.base(x / 127.5 - 1, training=False), axis=(1, 2)))


def base_trained_inside(base, num_classes):
    """The base called with training=False inside a model of its own, that model called with training=True."""
    base.trainable = False
    inputs = keras.Input(base.input_shape[1:])
    inner = keras.Input(base.input_shape[1:])
    wrapper = keras.Model(inner, base(inner, training=False))
    x = wrapper(layers.Rescaling(1 / 127.5, offset=-1)(inputs), training=True)
    x = layers.Dropout(0.2)(layers.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))


def frozen_identity(t):
    """A Dense that passes its input on, frozen: outputs as the lecture's, one layer too many."""
    dense = layers.Dense(t.shape[-1], kernel_initializer="identity")
    dense.trainable = False
    return dense(t)


def dropout_twice(base, num_classes, on_probabilities=False):
    """One Dropout layer called twice: on the pooled features twice (a rate of 0.36 in effect), or once more on the
    probabilities."""
    drop = layers.Dropout(0.2)
    twice = (lambda t: drop(t)) if on_probabilities else (lambda t: drop(drop(t)))
    return transfer_model(base, num_classes, dropout=0, between=twice,
                          after_dense=lambda t: drop(t) if on_probabilities else t)


def conv_classifier(base, num_classes):
    base.trainable = False
    inputs = keras.Input(base.input_shape[1:])
    x = base(layers.Rescaling(1 / 127.5, offset=-1)(inputs), training=False)
    x = layers.GlobalAveragePooling2D(keepdims=True)(x)
    x = layers.Conv2D(num_classes, 1, activation="softmax")(layers.Dropout(0.2)(x))
    return keras.Model(inputs, layers.Flatten()(x))


def wrapped(base, num_classes, training=None):
    """The right model called inside another that only wraps it (with `training`, when given)."""
    inputs, inner = keras.Input(base.input_shape[1:]), transfer_model(base, num_classes)
    return keras.Model(inputs, inner(inputs) if training is None else inner(inputs, training=training))


def two_outputs(base, num_classes):
    model = transfer_model(base, num_classes)
    return keras.Model(model.inputs, [model.outputs[0], model.layers[-3].output])


WRONG_BUILD = {
    "a hidden Dense(64, relu) before the softmax": (lambda base, n: transfer_model(
        base, n, between=lambda t: layers.Dense(64, activation="relu")(t)), "a hidden layer"),
    "not implemented": stub,
    ANSWER_KEY + "transfer.build_transfer_model": lambda base, n: transfer.build_transfer_model(base, n),
    "base left trainable": lambda base, n: transfer_model(base, n, freeze=False),
    "pixels not scaled": lambda base, n: transfer_model(base, n, scale=None),
    "pixels scaled to [0, 1]": lambda base, n: transfer_model(base, n, scale=lambda x: x / 255),
    "Rescaling(1 / 255), to [0, 1]": (lambda base, n: transfer_model(
        base, n, scale=None, front=layers.Rescaling(1 / 255)), "to [0, 1], the base expects [-1, 1]"),
    "Rescaling's offset in pixels, offset=-127.5": (lambda base, n: transfer_model(
        base, n, scale=None, front=layers.Rescaling(1 / 127.5, offset=-127.5)), "offset is added after the scaling"),
    "pixels scaled by each image's own minimum and maximum": lambda base, n: transfer_model(base, n, scale=stretched),
    "pixels divided by the batch's maximum": lambda base, n: transfer_model(
        base, n, scale=lambda x: x / keras.ops.max(x) * 2 - 1),
    "Flatten, not pooling": lambda base, n: transfer_model(base, n, pool=layers.Flatten),
    "global max pooling": lambda base, n: transfer_model(base, n, pool=layers.GlobalMaxPooling2D),
    "no dropout": lambda base, n: transfer_model(base, n, dropout=0),
    "no softmax": lambda base, n: transfer_model(base, n, activation=None),
    "sigmoid": lambda base, n: transfer_model(base, n, activation="sigmoid"),
    "six classes always": lambda base, n: transfer_model(base, 6),
    "base called without training=False": lambda base, n: transfer_model(base, n, training=None),
    "base called with training=True": lambda base, n: transfer_model(base, n, training=True),
    "built on base.input/base.output": flat,
    "Sequential (training not fixed)": sequential,
    "another base": another_base,
    "whole model frozen": whole_model_frozen,
    "returns nothing": lambda base, n: None,
    "Dropout(0.5) (the text asks for 0.2)": (lambda base, n: transfer_model(base, n, dropout=0.5), "Dropout(0.2)"),
    "Dropout after the softmax": (lambda base, n: transfer_model(base, n, dropout_at="output"), "after the softmax"),
    "Dropout on the feature maps": (lambda base, n: transfer_model(base, n, dropout_at="maps"), "feature maps"),
    "the base's last layer zeroed": (lambda base, n: nested(base, n, before=zero_last_layer), "base's weights changed"),
    "an Input of the first base's size, (32, 32, 3)": (lambda base, n: nested(base, n, shape=(32, 32, 3)),
                                                       "base.input_shape[1:]"),
    "each base layer frozen, base.trainable left True": (each_layer_frozen, "asks for base.trainable = False"),
    "a Dense without bias": (lambda base, n: nested(base, n, use_bias=False), "no bias"),
    "a subclassed model": (lambda base, n: Subclassed(base, n), "keras.Model(inputs, outputs)"),
    "two outputs, probabilities and features": (lambda base, n: two_outputs(base, n), "of 2 outputs"),
    "the base inside a model called with training=True": (base_trained_inside, "nested in the model"),
    "Dropout called with training=True": (lambda base, n: transfer_model(
        base, n, between=lambda t: layers.Dropout(0.2)(t, training=True), dropout=0), "model(x) differs"),
    "GaussianNoise after the pooling": (lambda base, n: transfer_model(base, n, between=layers.GaussianNoise(1.0)),
                                        "training mode"),
    "GaussianDropout after the pooling": (lambda base, n: transfer_model(
        base, n, between=layers.GaussianDropout(0.5)), "training mode"),
    "Dropout(noise_shape=(None, 1)), which drops whole images": (lambda base, n: transfer_model(
        base, n, dropout_options={"noise_shape": (None, 1)}), "noise_shape"),
    "ActivityRegularization after the pooling": (lambda base, n: transfer_model(
        base, n, between=layers.ActivityRegularization(l2=10.0)), "loss"),
    "a frozen identity Dense before the softmax": (lambda base, n: transfer_model(base, n, between=frozen_identity),
                                                   "frozen"),
    "one Dropout layer called twice on the pooled features": (dropout_twice, "called more than once"),
    "one Dropout layer on the pooled features and again on the probabilities": (
        lambda base, n: dropout_twice(base, n, on_probabilities=True), "called more than once"),
    "the softmax Dense in mixed_float16": (lambda base, n: transfer_model(
        base, n, dense_options={"dtype": "mixed_float16"}), "float16"),
    "a 1x1 Conv2D softmax on GlobalAveragePooling2D(keepdims=True), then Flatten": (conv_classifier,
                                                                                     "a convolution?"),
    "a Dense without bias, then BatchNormalization(scale=False) and the softmax": (lambda base, n: transfer_model(
        base, n, activation=None, dense_options={"use_bias": False}, after_dense=lambda t: layers.Activation(
            "softmax")(layers.BatchNormalization(scale=False)(t))), "beside the softmax Dense"),
    "a softmax kernel constrained to be non-negative": (lambda base, n: transfer_model(
        base, n, dense_options={"kernel_constraint": keras.constraints.NonNeg()}), "constraint"),
    "a Dropout(0.2) on the pixels, before the base": (lambda base, n: transfer_model(
        base, n, front=layers.Dropout(0.2)), "training mode"),
    "a SpatialDropout2D(0.3) on the pixels": (lambda base, n: transfer_model(base, n, front=layers.SpatialDropout2D(
        0.3)), "training mode"),
    "RandomFlip and RandomRotation in front (augmentation in the model)": (lambda base, n: transfer_model(
        base, n, front=keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)])), "RandomFlip"),
    "the base called with training=0": (lambda base, n: transfer_model(base, n, training=0), "training=0"),
    "the right model wrapped in a model that calls it with training=True": (lambda base, n: wrapped(
        base, n, training=True), "nested in the model"),
    # unfreeze_top finds the base as the model's one layer that is a keras.Model; the notebook copies a trained
    # softmax onto the model's Dense (transfer.copy_head)
    "the head as a nested Sequential": (lambda base, n: nested(base, n, head=True), "nested in the model"),
    "the head as a functional model with a keras.ops softmax": (functional_head, "nested in the model"),
    "Sequential([Rescaling, base])(inputs, training=False)": (lambda base, n: nested(base, n, front=True),
                                                              "nested in the model"),
    "the right model wrapped in keras.Model(i, model(i))": (wrapped, "nested in the model"),
    "the right model wrapped in keras.Sequential([Input, model])": (lambda base, n: keras.Sequential(
        [keras.Input(base.input_shape[1:]), transfer_model(base, n)]), "nested in the model"),
}
RIGHT_BUILD = {
    "the course's ported.preprocess_input on the input": lambda base, n: transfer_model(
        base, n, scale=None, front=ported.preprocess_input),
    "Lambda scaling": lambda base, n: transfer_model(base, n),
    "Rescaling layer": lambda base, n: transfer_model(base, n, scale=layers.Rescaling(1 / 127.5, offset=-1)),
    "frozen after building": lambda base, n: transfer_model(base, n, after=True),
    "pooling by keras.ops.mean": lambda base, n: transfer_model(
        base, n, pool=lambda: layers.Lambda(lambda x: keras.ops.mean(x, axis=(1, 2)))),
    "a uint8 Input": lambda base, n: nested(base, n, dtype="uint8"),
    "GlobalAveragePooling2D(keepdims=True), Dropout, Flatten": lambda base, n: transfer_model(
        base, n, pool=lambda: lambda t: layers.GlobalAveragePooling2D(keepdims=True)(t), dropout=0,
        between=lambda t: layers.Flatten()(layers.Dropout(0.2)(t))),
    "a softmax written with keras.ops after a linear Dense": lambda base, n: transfer_model(
        base, n, activation=None, after_dense=softmax_by_hand),
    "the base called once outside the model first": probed,
    "Dropout(noise_shape=(None, 16)): a draw per feature, as without it": lambda base, n: transfer_model(
        base, n, dropout_options={"noise_shape": (None, 16)}),
    "a softmax Dense with an L2 regularizer of 0": lambda base, n: transfer_model(
        base, n, dense_options={"kernel_regularizer": keras.regularizers.L2(0.0)}),
    "the base called with training=np.False_ (a comparison's result)": lambda base, n: transfer_model(
        base, n, training=np.False_),
}


def test_frozen_layers_are_not_told_imagenet_weights_train():
    report = check_build_transfer_model(each_layer_frozen)
    assert "ImageNet weights" not in report.first_failure, str(report)

test_build_transfer_model_rejects, test_build_transfer_model_accepts = catalogue(
    check_build_transfer_model, WRONG_BUILD, RIGHT_BUILD)


def features(base, images, path, scale=lambda x: x / 127.5 - 1, pool=True, save_to=None, order=slice(None)):
    """A learner's cache_features with one knob per plausible mistake (defaults: right)."""
    x = np.asarray(images, "float32")
    maps = np.concatenate([np.asarray(base(scale(x[i:i + 16]), training=False)) for i in range(0, len(x), 16)])
    result = {True: lambda: maps.mean(axis=(1, 2)), False: lambda: maps, "flatten": lambda: maps.reshape(len(x), -1),
              "max": lambda: maps.max(axis=(1, 2)), "sum": lambda: maps.sum(axis=(1, 2))}[pool]()
    np.save(save_to(path) if save_to else path, maps if save_to == "maps" else result)
    return result[order]


def shifted_in_place(base, images, path):
    images -= 100  # uint8 pixels wrap round; the features are those of the changed images
    return features(base, images, path)


def saved_before_pooling(base, images, path):
    maps = np.asarray(base(np.asarray(images, "float32") / 127.5 - 1, training=False))
    np.save(path, maps)
    return maps.mean(axis=(1, 2))


def by_predict(base, images, path):
    inputs = keras.Input(base.input_shape[1:])
    frozen = keras.Model(inputs, layers.GlobalAveragePooling2D()(base(layers.Rescaling(1 / 127.5, offset=-1)(inputs),
                                                                      training=False)))
    result = frozen.predict(images, batch_size=8, verbose=0)
    np.save(path, result)
    return result


def savez_into_handle(features, path):
    with open(path, "wb") as handle:
        np.savez_compressed(handle, features=features)


def in_training_mode(base, images, path):
    result = np.asarray(base(np.asarray(images, "float32") / 127.5 - 1, training=True)).mean(axis=(1, 2))
    np.save(path, result)
    return result


def saved_by(base, images, path, save):
    result = features(base, images, str(path) + ".first.npy")
    save(result, path)
    return result


WRONG_CACHE = {
    "not implemented": stub,
    ANSWER_KEY + "transfer.cache_features": lambda base, images, path: transfer.cache_features(base, images, path),
    ANSWER_KEY + "transfer.frozen_features": lambda base, images, path: transfer.frozen_features(base).predict(images),
    "pixels not scaled": lambda base, images, path: features(base, images, path, scale=lambda x: x),
    "pixels scaled to [0, 1]": lambda base, images, path: features(base, images, path, scale=lambda x: x / 255),
    # keras' preprocess_input divides a float array in place: the notebook's resized images are float32
    "keras' preprocess_input on the images given": (lambda base, images, path: features(
        base, keras.applications.mobilenet_v2.preprocess_input(images), path, scale=lambda x: x),
        "scales a float array in place"),
    "keras' preprocess_input on np.asarray(images, 'float32'), no copy of float32 images": (
        lambda base, images, path: features(base, keras.applications.mobilenet_v2.preprocess_input(
            np.asarray(images, "float32")), path, scale=lambda x: x), "is no copy"),
    "NaN features, saved and returned": (lambda base, images, path: (np.save(path, np.full((len(images), 16), np.nan)),
                                                                     np.full((len(images), 16), np.nan))[1],
                                         "NaN or infinite features"),
    "pixels scaled by the batch's minimum and maximum": lambda base, images, path: features(
        base, images, path, scale=lambda x: 2 * (x - x.min()) / (x.max() - x.min()) - 1),
    "not pooled": lambda base, images, path: features(base, images, path, pool=False),
    "flattened": lambda base, images, path: features(base, images, path, pool="flatten"),
    "saved elsewhere": lambda base, images, path: features(base, images, path, save_to=lambda p: str(p) + ".bak"),
    "saved before pooling": saved_before_pooling,
    "not saved": lambda base, images, path: features(base, images, str(path) + ".tmp.npy"),
    "reversed order": lambda base, images, path: features(base, images, path, order=slice(None, None, -1)),
    "returns nothing": lambda base, images, path: (features(base, images, path), None)[1],
    "saved with tofile": (lambda base, images, path: saved_by(base, images, path, lambda a, p: a.tofile(p)),
                          "not an array saved by np.save"),
    "saved with np.savetxt": (lambda base, images, path: saved_by(base, images, path, lambda a, p: np.savetxt(p, a)),
                              "not an array saved by np.save"),
    "saved with pickle": (lambda base, images, path: saved_by(
        base, images, path, lambda a, p: open(p, "wb").write(__import__("pickle").dumps(a))),
        "not an array saved by np.save"),
    "np.savez_compressed into a file handle at the path": (
        lambda base, images, path: saved_by(base, images, path, savez_into_handle), "np.savez"),
    "strings saved and returned": (lambda base, images, path: saved_by(
        base, images, path, lambda a, p: np.save(p, a.astype(str))).astype(str), "real numbers"),
    "complex features": (lambda base, images, path: saved_by(
        base, images, path, lambda a, p: np.save(p, a + 0j)) + 0j, "real numbers"),
    "the base in training mode": (in_training_mode, "inference mode"),
    "images shifted in place": (shifted_in_place, "changed the images it was given"),
    "max-pooled": (lambda base, images, path: features(base, images, path, pool="max"), "max-pooled"),
    "summed over the positions": (lambda base, images, path: features(base, images, path, pool="sum"),
                                  "summed over the positions"),
    "float16 features, saved and returned": (lambda base, images, path: saved_by(
        base, images, path, lambda features, file: np.save(file, features.astype("float16")))
        .astype("float16"), "float16"),
    "the base unfrozen on the way": (lambda base, images, path: (setattr(base, "trainable", True), features(
        base, images, path))[1], "trainable went from False to True"),
    "the base's Dropout rate set to 0 first": (lambda base, images, path: (setattr(
        base.get_layer("stage0_e"), "rate", 0.0), features(base, images, path))[1], "rate went from 0.5 to 0.0"),
    "2 * images / 255 - 1 on uint8 pixels (2 * images wraps round)": (lambda base, images, path: features(
        base, images, path, scale=lambda x: 2 * x.astype("uint8") / 255 - 1), "uint8 arithmetic"),
    # the notebook gives a pathlib.Path
    "the path joined to a string as if it were one": (lambda base, images, path: (features(base, images, path), print(
        "features saved to " + path))[0], "pathlib.Path"),
    "the pixels cut to whole numbers (int32) before scaling": (lambda base, images, path: features(
        base, np.asarray(images).astype("int32"), path), "features differ"),
    "an earlier run's file at the path returned instead": (lambda base, images, path: np.load(path) if path.exists()
                                                           else features(base, images, path), "an earlier run"),
}
RIGHT_CACHE = {
    "batches by hand": features,
    "a frozen model's predict": by_predict,
    "the path's folder made first": lambda base, images, path: (path.parent.mkdir(parents=True, exist_ok=True),
                                                                 features(base, images, path))[1],
    "keras' preprocess_input on a copy": lambda base, images, path: features(
        base, keras.applications.mobilenet_v2.preprocess_input(np.array(images, "float32")), path, scale=lambda x: x),
}

test_cache_features_rejects, test_cache_features_accepts = catalogue(check_cache_features, WRONG_CACHE, RIGHT_CACHE)


def base_in(model):
    return next(layer for layer in model.layers if isinstance(layer, keras.Model))


def unfreeze(model, n_layers, learning_rate, base=None, trainable=True, norm=False, top=None, compile=True,
             loss="sparse_categorical_crossentropy", head=True, optimizer=None, metrics=("accuracy",), after=None):
    """A learner's unfreeze_top with one knob per plausible mistake (defaults: right)."""
    base = base or base_in(model)
    base.trainable = trainable
    chosen = top(base.layers, n_layers) if top else base.layers[max(len(base.layers) - n_layers, 0):]
    for layer in base.layers:
        layer.trainable = (layer in chosen) and (norm or not isinstance(layer, layers.BatchNormalization))
    if not head:
        model.layers[-1].trainable = False
    if compile:
        model.compile(optimizer=(optimizer or keras.optimizers.Adam)(learning_rate), loss=loss, metrics=list(metrics))
    if after:
        after(model)
    return model


def zero_head(model):
    dense = model.get_layer(transfer.HEAD_NAMES[2])
    dense.set_weights([np.zeros_like(w) for w in dense.get_weights()])


def original_loop(model, n_layers, learning_rate, trainable):
    """The original assignment's cell: set the base's flag, then freeze the layers below the top ones --
    with the flag left None (or False), nothing is unfrozen, and its grader passed it."""
    base = base_in(model)
    base.trainable = trainable
    for layer in base.layers[:max(len(base.layers) - n_layers, 0)]:
        layer.trainable = False
    for layer in base.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def model_layers(model, n_layers, learning_rate, frozen_below):
    """The model's top layers taken for the base's: the layers below them frozen (the base stays frozen), or the whole
    base unfrozen with them."""
    for layer in model.layers[:-n_layers] if frozen_below else model.layers[-n_layers:]:
        layer.trainable = not frozen_below
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def model_top(model, n_layers, learning_rate):
    """The base made trainable with every layer frozen, then the model's top layers (its head) unfrozen instead."""
    base = base_in(model)
    base.trainable = True
    for layer in base.layers:
        layer.trainable = False
    for layer in model.layers[len(model.layers) - n_layers:] if n_layers else []:
        layer.trainable = layer is not base
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


NOTEBOOK_BASE = grading_base(seed=5)  # a base the notebook might hold in a variable: "the wrong model fine-tuned"

WRONG_UNFREEZE = {
    "not implemented": stub,
    ANSWER_KEY + "transfer.unfreeze_top": lambda model, n, rate: transfer.unfreeze_top(model, n, rate),
    "base.trainable = None (the original's false pass)": lambda model, n, rate: original_loop(model, n, rate, None),
    "base.trainable left False": lambda model, n, rate: original_loop(model, n, rate, False),
    # Keras 3 trains a layer whose own flag is set inside a base left frozen; the text sets base.trainable = True
    "every layer's flag set, the base's left False": (lambda model, n, rate: unfreeze(model, n, rate, trainable=False),
                                                      "base.trainable is still False"),
    "the wrong model fine-tuned": lambda model, n, rate: unfreeze(model, n, rate, base=NOTEBOOK_BASE),
    "the base at a fixed index, model.layers[2]": (lambda model, n, rate: unfreeze(model, n, rate,
                                                                                   base=model.layers[2]),
                                                   "not a fixed index of model.layers"),
    "the original assignment's fine_tune_at = 120, n_layers unread": (lambda model, n, rate: unfreeze(
        model, n, rate, top=lambda ls, n: ls[120:]), "is n_layers read?"),
    "the model's top layers unfrozen, not the base's": (model_top, "not of model.layers"),
    "batch norm unfrozen": lambda model, n, rate: unfreeze(model, n, rate, norm=True),
    "base.trainable = True alone, nothing frozen again": (lambda model, n, rate: unfreeze(
        model, n, rate, top=lambda ls, n: ls, norm=True), "every layer of the base trains, its batch-norm layers too"),
    "the whole base": lambda model, n, rate: unfreeze(model, n, rate, top=lambda ls, n: ls),
    "one layer too many": lambda model, n, rate: unfreeze(model, n, rate, top=lambda ls, n: ls[-n - 1:]),
    "one layer too few": lambda model, n, rate: unfreeze(model, n, rate, top=lambda ls, n: ls[-n + 1:]),
    "the bottom layers": lambda model, n, rate: unfreeze(model, n, rate, top=lambda ls, n: ls[:n]),
    "not recompiled": lambda model, n, rate: unfreeze(model, n, rate, compile=False),
    "a fixed learning rate": lambda model, n, rate: unfreeze(model, n, 1e-5),
    "categorical cross-entropy": lambda model, n, rate: unfreeze(model, n, rate, loss="categorical_crossentropy"),
    "head frozen": lambda model, n, rate: unfreeze(model, n, rate, head=False),
    "returns nothing": lambda model, n, rate: unfreeze(model, n, rate) and None,
    "RMSprop (the text asks for Adam)": (lambda model, n, rate: unfreeze(model, n, rate,
                                                                         optimizer=keras.optimizers.RMSprop), "Adam"),
    "SGD": (lambda model, n, rate: unfreeze(model, n, rate, optimizer=keras.optimizers.SGD), "Adam"),
    "no accuracy metric": (lambda model, n, rate: unfreeze(model, n, rate, metrics=()), "accuracy"),
    "metrics=['acc']": (lambda model, n, rate: unfreeze(model, n, rate, metrics=("acc",)), "logged as 'acc'"),
    "base.layers[-n_layers:] (every layer when n_layers is 0)": (
        lambda model, n, rate: unfreeze(model, n, rate, top=lambda ls, n: ls[-n:]), "base.layers[-0:]"),
    "mean squared error": lambda model, n, rate: unfreeze(model, n, rate, loss="mse"),
    "base.layers[len(base.layers) - n_layers:], negative when n_layers exceeds the base's layers": (
        lambda model, n, rate: unfreeze(model, n, rate, top=lambda ls, n: ls[len(ls) - n:]), "max(len(base.layers)"),
    "the loss's name misspelt": (lambda model, n, rate: unfreeze(model, n, rate,
                                                                  loss="sparse_categorical_crossentropyy"),
                                 "Keras knows no loss"),
    "compile given no loss (Keras keeps the head's)": (lambda model, n, rate: unfreeze(model, n, rate, loss=None),
                                                       "given no loss"),
    "compile given the head's loss, model.loss": (lambda model, n, rate: unfreeze(model, n, rate, loss=model.loss),
                                                  "model.loss"),
    "model.layers[:-n_layers] frozen, the base left frozen": (
        lambda model, n, rate: model_layers(model, n, rate, frozen_below=True), "not of model.layers"),
    "model.layers[-n_layers:] unfrozen, the whole base among them": (
        lambda model, n, rate: model_layers(model, n, rate, frozen_below=False), "batch-norm layers"),
    "the head's Dense zeroed": (lambda model, n, rate: unfreeze(model, n, rate, after=zero_head),
                                "the model's weights changed (head_softmax"),
    "model.optimizer deleted": (lambda model, n, rate: unfreeze(model, n, rate, compile=False, after=lambda m: delattr(
        m, "optimizer")), "not compiled"),
    "the head's Dropout rate changed": (lambda model, n, rate: unfreeze(model, n, rate, after=lambda m: setattr(
        m.get_layer(transfer.HEAD_NAMES[1]), "rate", 0.5)), "rate went from 0.2 to 0.5"),
    # EfficientNet-Lite0, the notebook's base, names its batch norms stem_bn, block1a_bn, ...
    "batch norm told by a name starting with 'bn'": (lambda model, n, rate: unfreeze(
        model, n, rate, top=lambda base_layers, n: [layer for layer in base_layers[len(base_layers) - n:] if n
                                                     and not layer.name.startswith("bn")], norm=True),
        "keep every BatchNormalization frozen"),
}
RIGHT_UNFREEZE = {
    "as in the lecture": unfreeze,
    "the original's loop with True": lambda model, n, rate: original_loop(model, n, rate, True),
    "a loss object and a metric object": lambda model, n, rate: unfreeze(
        model, n, rate, loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=(keras.metrics.SparseCategoricalAccuracy(name="accuracy"),)),
    "the loss in a one-entry list": lambda model, n, rate: unfreeze(model, n, rate,
                                                                     loss=["sparse_categorical_crossentropy"]),
    "the loss in a dict keyed by the output's name": lambda model, n, rate: unfreeze(
        model, n, rate, loss={model.output_names[0]: "sparse_categorical_crossentropy"}),
}

test_unfreeze_top_rejects, test_unfreeze_top_accepts = catalogue(check_unfreeze_top, WRONG_UNFREEZE, RIGHT_UNFREEZE)

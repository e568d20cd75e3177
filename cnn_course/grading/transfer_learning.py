"""Graders of notebook 10, transfer learning: the frozen base under a new softmax, features cached to disk, unfreezing
the top layers -- on small bases of their own (`grading_base`), checked by behaviour: which variables a training step
moves, the outputs against the lecture's model with the answer's own head, the file on disk, the compiled optimizer."""

from __future__ import annotations

import tempfile
from pathlib import Path

import keras
import numpy as np
from keras import layers

from cnn_course import transfer
from cnn_course.fixtures import fixed_inputs
from cnn_course.grading.grading_base import grading_base, moved, pixels, pooled, snapshot, softmax, state, what_changed
from cnn_course.grading.keras_tutorial import COMPILE, check_compiled
from cnn_course.grading.mistakes import precision_lost
from cnn_course.grading.report import described, grader
from cnn_course.grading.transfer_head import check_outputs, check_training_mode, head_hint
from cnn_course.grading.vocabulary import expand
from cnn_course.graph import call_arguments, head_layers, path_to

_CALL_BASE, _INPUT = "x = base(x, training=False)", "keras.Input(shape=base.input_shape[1:])"
_FLOATS = "features are real numbers, keep the floats the base computes"


@grader("build_transfer_model")
def check_build_transfer_model(build_transfer_model, report) -> None:
    """``build_transfer_model(base, num_classes)``: scaled pixels, the frozen base, pooling, dropout, a softmax."""
    for num_classes, seed, input_shape in ((4, 0, (32, 32, 3)), (7, 1, (40, 48, 3))):  # 40 x 48: not hard-coded
        base = grading_base(seed=seed, input_shape=input_shape)
        before, what = snapshot(base), f"build_transfer_model(base, {num_classes})"
        model = report.call(build_transfer_model, base, num_classes, what=what,
                            hints=[("incompatible", f"take the input shape from the base: {_INPUT}")])
        outputs = len(getattr(model, "outputs", None) or []) if isinstance(model, keras.Model) else 0
        report.precondition(outputs == 1, f"{what} returned {described(model)}" + f" of {outputs} outputs" * (
            outputs > 1) + ": return the model, keras.Model(inputs, outputs), with one output, built on keras.Input")
        path = path_to(model, base)
        report.require(path is not None, "the base is one layer of the model",
                       f"{what}: the base given is not a layer of the model -- call it, {_CALL_BASE} (a model "
                       f"built on base.input/base.output cannot scale its pixels first)")
        report.precondition(len(path) == 1, _nested(path[:-1], what))
        report.require(not moved(before, base), "the base is left as it was",
                       f"{what}: the base's weights changed -- leave them as they are: the new softmax is trained on "
                       f"what the ImageNet weights compute")
        report.require(not base.trainable, "the base is frozen", f"{what}: " + (
            "each of the base's layers is frozen, but base.trainable is still True -- the exercise asks for "
            "base.trainable = False" if not base.trainable_weights else
            "the base is still trainable -- set base.trainable = False, or training updates the ImageNet weights"))
        report.require(tuple(model.input_shape) == tuple(base.input_shape), "the inputs are the base's",
                       f"{what}: the model takes {model.input_shape}, the base {base.input_shape}: {_INPUT}")
        shapes = [tuple(w.shape) for w in model.trainable_weights]
        report.require(shapes == [(16, num_classes), (num_classes,)], "only the new softmax layer is trainable",
                       f"{what}: the trainable weights have shapes {shapes}, expected only the new Dense layer's "
                       f"[(16, {num_classes}), ({num_classes},)]" + head_hint(shapes, num_classes))
        head = expand(head_layers(model, path[0]))
        check_outputs(model, base, head, num_classes, what, report)
        check_training_mode(model, base, head, what, report)
        # Keras 2 needed training=False to keep a trainable base's batch norm in inference mode; in Keras 3 fit's
        # training=True overrides it (keras-team/keras issue 20285), so it is checked as written, not by outputs.
        written = next((training for training in (arguments.get("training") for arguments in call_arguments(
            base, within=model)) if not _false(training)), False)  # None: a call that leaves it unsaid
        report.require(_false(written), "the base is called with training=False",
                       f"{what}: the base is called with training={written} -- "
                       f"{_CALL_BASE}, as the lecture's recipe and Keras' transfer-learning guide write it")
        nested = [layer for layer in model.layers if isinstance(layer, keras.Model) and layer is not base]
        report.require(not nested, "the base and the head's layers are the model's own", _nested(nested, what))
    report.success("global average pooling, dropout and softmax on the frozen base, for 4 and 7 classes, two sizes")


def _nested(models, what: str) -> str:
    """Why models nested in the transfer model are refused."""
    return (f"{what}: {', '.join(model.name for model in models)} is a model nested in the model -- call each layer "
            f"on the tensor itself: the scaling, the base ({_CALL_BASE}), the pooling, the dropout and the Dense: "
            f"unfreeze_top finds the base as the model's one layer that is a keras.Model, and the notebook puts a "
            f"trained softmax on the model's Dense")


def _false(training) -> bool:
    """False, or NumPy's False (a comparison's result)."""
    return isinstance(training, (bool, np.bool_)) and not training


@grader("cache_features")
def check_cache_features(cache_features, report) -> None:
    """``cache_features(base, images, path)``: the frozen part's pooled features, saved with np.save and returned."""
    base = grading_base(seed=2)
    base.trainable = False
    # 37: not a multiple of any batch size; uint8 as a data set has them, float32 with fractions as the notebook's
    # resized images are (keras' preprocess_input scales a float array in place)
    for count, dtype, fraction in ((37, "uint8", 0), (5, "float32", 0.375)):
        images = (pixels(count, seed=count) + fraction).astype(dtype)
        before, given, what = snapshot(base), images.copy(), f"cache_features(base, images, path) on {count} images"
        kept = state(base)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "features.npy"
            np.save(path, stale := np.ones((count, 16), "float32"))  # an earlier run's file: overwritten, not read
            got = report.call(cache_features, base, images, path, what=what, hints=[(  # a Path, as the notebook's
                "PosixPath", "path is a pathlib.Path, as the notebook gives it: np.save(path, features) takes it")])
            report.precondition(np.array_equal(images, given), f"{what} changed the images it was given: leave them "
                                f"as they are (scale a copy, images / 127.5 - 1; preprocess_input scales a float array "
                                f"in place, and np.asarray(images, 'float32') of float32 images is no copy)")
            report.precondition(isinstance(got, np.ndarray) or keras.ops.is_tensor(got),
                                f"{what} returned {described(got)}: return the features, a NumPy array")
            got = np.asarray(got)
            report.precondition(got.dtype.kind in "iuf", f"{what} returned an array of {got.dtype}: {_FLOATS}")
            report.precondition(not np.array_equal(got, stale), f"{what} returned the file an earlier run left at "
                                                                f"the path: compute the features anew and overwrite it")
            report.precondition(np.isfinite(got).all(), f"{what} returned NaN or infinite features: the frozen "
                                f"part's features are finite numbers")
            hint = (": average over the positions, GlobalAveragePooling2D, as the model's head does" if got.ndim == 4
                    else ": flattened -- average over the positions instead, as the model's head does"
                    if got.shape[1:] == (64,) else "")
            report.require(got.shape == (count, 16), "one vector of the base's channels per image",
                           f"{what} returned shape {got.shape}, expected ({count}, 16){hint}")
            report.require(path.is_file(), "saved at the path given",
                           f"{what}: no file at the path given -- np.save(path, features)")
            saved = report.attempt(lambda path=path: _load(path), f"{what}: the file at the path given is not an "
                                   f"array saved by np.save -- save it with np.save(path, features)")
            report.precondition(saved.dtype.kind in "iuf", f"{what}: the file holds an array of {saved.dtype}: "
                                f"{_FLOATS}")
            report.require(saved.shape == got.shape and np.allclose(saved, got), "the file holds what is returned",
                           f"{what}: the file holds an array of shape {saved.shape} that differs from the one "
                           f"returned: save the features themselves")
        report.require(not moved(before, base), "the base is unchanged (weights and batch-norm statistics)",
                       f"{what}: the base's weights or batch-norm statistics changed -- run it in inference "
                       f"mode, base(x, training=False) or base.predict")
        change = what_changed(kept, base)
        report.require(not change, "the base's settings are left as they were", f"{what}: {change} -- the "
                       f"features are read from the base as it is: leave its layers' settings and trainable flags")
        _check_features(got, base, images, what, report)
    report.success("a softmax on the saved features predicts what the frozen model predicts")


def _load(path) -> np.ndarray:
    """The array np.save wrote at `path`; an archive (np.savez), a pickle or anything else raises."""
    with open(path, "rb") as file:
        if not isinstance(loaded := np.load(file), np.ndarray):  # allow_pickle=False: an object array raises
            raise ValueError(f"it holds an archive of arrays ({', '.join(loaded.files)}), as np.savez writes")
    return loaded


def _check_features(got, base, images, what, report) -> None:
    """The features against the frozen part computed here, and the mistakes that give others."""
    want = pooled(base, images)
    lost = precision_lost(got, want, atol=1e-2)
    report.precondition(not lost, f"{what}: the features are not the frozen part's -- {lost}")
    if np.allclose(got, want, atol=1e-4):
        rng = np.random.default_rng(0)  # a softmax on top gives the frozen model's probabilities
        kernel, bias = rng.normal(size=(16, 3)), rng.normal(size=3)
        report.require(np.allclose(softmax(got @ kernel + bias), softmax(want @ kernel + bias), atol=1e-4),
                       "features in the images' order", f"{what}: the features differ from the frozen part's")
        return
    mistakes = {"the pixels reach the base unscaled: scale them to [-1, 1] first, pixels / 127.5 - 1":
                pooled(base, images, lambda x: x),
                "the pixels reach the base in [0, 1]: it expects [-1, 1], pixels / 127.5 - 1":
                pooled(base, images, lambda x: x / 255),
                "the features are not in the images' order: keep it (no shuffling)": np.sort(want, axis=0),
                "the features are max-pooled: average over the positions": pooled(base, images, pool=np.max),
                "the features are summed over the positions: average them": pooled(base, images, pool=np.sum)}
    found = next((hint for hint, value in mistakes.items()
                  if np.allclose(np.sort(got, axis=0), np.sort(value, axis=0), atol=1e-4)),
                 "check the scaling, pixels / 127.5 - 1 computed in floats (uint8 arithmetic such as 2 * images "
                 "wraps round), and run the base in inference mode, base(x, training=False) or base.predict (in "
                 "training mode its dropout drops features)")
    report.fail(f"{what}: the features differ from the frozen part's (base on pixels / 127.5 - 1, averaged over "
                f"positions) -- {found}")


@grader("unfreeze_top")
def check_unfreeze_top(unfreeze_top, report) -> None:
    """``unfreeze_top(model, n_layers, learning_rate)``: the base's top layers trainable but batch norm, recompiled."""
    # borders: see grading_base; n_layers=0 is where base.layers[-n_layers:] takes every layer, and 14 of a base's 10
    # layers where base.layers[len(base.layers) - n_layers:] takes the last 4 only; the last model has no scaling layer
    # before its base, so that the base is found as the text says, not at a fixed index of model.layers
    for n_layers, rate, stages, scaled in ((4, 3e-4, (8, 12, 16), True), (0, 1e-4, (8, 12), True),
                                           (14, 1e-5, (8, 12), False)):
        base = grading_base(stages, seed=n_layers)
        model = transfer.build_transfer_model(base, 3, pixels=scaled)
        span = {} if scaled else {"low": -1.0, "high": 1.0}  # what the base takes: pixels, or scaled ones
        head_loss = keras.losses.SparseCategoricalCrossentropy()  # the head's; compile(loss=None) would keep it
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=head_loss)
        head_optimizer, what = model.optimizer, f"unfreeze_top(model, {n_layers}, learning_rate={rate})"
        kept = state(model, flags=False)
        got = report.call(unfreeze_top, model, n_layers, rate, what=what, hints=[(
            "has no attribute 'layers'", "find the base as the text says, the layer of `model` that is a keras.Model "
                                         "(not a fixed index of model.layers)")])
        report.precondition(got is model, f"{what} returned {described(got)}: return the model it was given")
        change = what_changed(kept, model)
        report.require(not change, "the model is left as it was but for trainable flags", f"{what}: {change} -- "
                       f"unfreeze_top sets trainable flags and recompiles: fine-tuning starts from the trained head "
                       f"and base, leave them as they are")
        head = {w.path for w in model.get_layer(transfer.HEAD_NAMES[2]).weights}
        want = {w.path for layer in base.layers[max(len(base.layers) - n_layers, 0):]
                if not isinstance(layer, layers.BatchNormalization) for w in layer.weights}
        found = {w.path for w in model.trainable_weights} - head
        report.require(head <= {w.path for w in model.trainable_weights}, "the new softmax still trains",
                       f"{what}: the new softmax layer is no longer trainable -- unfreeze only the base's layers")
        report.require(found == want, f"the top {n_layers} layers of the base train, but batch norm",
                       f"{what}: " + _unfreeze_hint(found, want, base, n_layers))
        report.require(base.trainable, "base.trainable = True, as the text says", f"{what}: base.trainable is "
                       f"still False -- set it to True, then freeze the layers below the top {n_layers} (Keras 3 "
                       f"trains those top layers all the same, but the base reads as frozen)")
        report.require(getattr(model, "optimizer", None) is not head_optimizer, "recompiled",
                       f"{what}: the model still has the head's optimizer: recompile, or the new trainable flags do "
                       f"not count and the old learning rate goes on -- {COMPILE}")
        check_compiled(model, rate, fixed_inputs((9, 32, 32, 3), seed=7, **span), np.arange(9) % 3, report, what)
        report.require(model.loss is not head_loss, "the loss given to compile", f"{what}: compile is given no loss, "
                       f"or the head's own (model.loss), so the head's compile decides it -- pass the exercise's, "
                       f"{COMPILE}")
        before = snapshot(base)
        report.call(model.fit, fixed_inputs((16, 32, 32, 3), seed=n_layers, **span), np.arange(16) % 3, epochs=1,
                    batch_size=8, verbose=0, what=f"a training step after {what}",
                    hints=[("shape", "the labels are class indices: loss='sparse_categorical_crossentropy'")])
        changed = moved(before, base)
        report.require(changed == want, "a training step moves exactly those weights; batch-norm statistics stay",
                       f"{what}: a training step changed {sorted(changed) or 'nothing'} in the base, expected "
                       f"{sorted(want) or 'nothing'}")
    report.success("ready to fine-tune: top layers trainable, batch norm and lower layers frozen, small learning rate")


def _unfreeze_hint(found, want, base, n_layers) -> str:
    norms = {w.path for layer in base.layers if isinstance(layer, layers.BatchNormalization) for w in layer.weights}
    if not found and want and base.trainable:
        return (f"no layer of the base trains, though base.trainable is True: its top {n_layers} layers must -- the "
                f"top of base.layers, not of model.layers; and is n_layers read? (a fixed count, such as fine_tune_at "
                f"= 120, is past this base's {len(base.layers)} layers)")
    if not found and want:
        return ("no layer of the model's base became trainable -- set base.trainable = True (True, not None) on the "
                "base in `model` (its keras.Model layer), then unfreeze the top of base.layers, not of model.layers")
    others = {w.path for layer in base.layers if not isinstance(layer, layers.BatchNormalization)
              for w in layer.weights}
    if found & norms and found >= others and n_layers < len(base.layers):
        return (f"every layer of the base trains, its batch-norm layers too: after base.trainable = True, freeze the "
                f"layers below the top {n_layers} of base.layers (not model.layers) and every BatchNormalization")
    if found & norms:
        return "batch-norm layers became trainable: keep every BatchNormalization frozen"
    if found > want and n_layers == 0:
        return ("with n_layers=0 no layer of the base should train, but base.layers[-0:] is the whole list: take "
                "base.layers[max(len(base.layers) - n_layers, 0):]")
    if found < want and n_layers > len(base.layers):
        return (f"n_layers={n_layers} is more than the base's {len(base.layers)} layers, so every layer trains: "
                f"len(base.layers) - n_layers is negative there and counts from the end -- start at max(len("
                f"base.layers) - n_layers, 0)")
    if found > want:
        return (f"{len(found - want)} weights too many train: only the top {n_layers} layers, base.layers[-n_layers:], "
                f"and freeze the rest")
    return f"the wrong layers train: the top {n_layers} are base.layers[-n_layers:]" if found - want else \
        f"{len(want - found)} weights of the top {n_layers} layers stay frozen: base.layers[-n_layers:] train"

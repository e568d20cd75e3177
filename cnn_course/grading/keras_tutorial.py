"""Graders of notebook 00, the Keras tutorial: a small CNN with the Sequential and the Functional API, and compiling
a classifier, checked by behaviour."""

from __future__ import annotations

import keras
import numpy as np

from cnn_course.fixtures import fixed_inputs
from cnn_course.grading.builder import BuilderExercise, builder_grader
from cnn_course.grading.grading_base import state, what_changed
from cnn_course.grading.report import Report, grader
from cnn_course.models.baseline import SmallCNN

# Two calls per builder: the notebook's shapes, and a non-square gray image that catches hard-coded numbers.
_BUILD_CASES = [((64, 64, 3), 6), ((32, 24, 1), 4)]
_SMALL_CNN = "four stages of 3x3 convolution, batch norm, ReLU and 2x2 max-pool, then Flatten and a softmax Dense"

check_sequential_cnn = builder_grader(BuilderExercise(
    exercise="sequential_cnn", reference=SmallCNN, cases=_BUILD_CASES, api="Sequential", saved=True,
    success=f"with keras.Sequential: {_SMALL_CNN}"))

check_functional_cnn = builder_grader(BuilderExercise(
    exercise="functional_cnn", reference=SmallCNN, cases=_BUILD_CASES, api="Functional",
    success=f"with the Functional API: {_SMALL_CNN}"))


@grader("compile_classifier")
def check_compile_classifier(compile_classifier, report) -> None:
    """``compile_classifier(model, learning_rate)``: Adam, sparse cross-entropy, accuracy; then a training step moves
    the weights as that compile does."""
    x = fixed_inputs((12, 5), seed=1, low=-1, high=1)
    for learning_rate, right in ((1e-3, 5), (0.05, 7)):
        model = _classifier()
        # labels that it gets 5 of 12 right, then 7: no constant metric passes for accuracy
        guesses = np.asarray(model(x)).argmax(1)
        y = np.where(np.arange(len(x)) < right, guesses, (guesses + 1) % 3)
        kept = state(model)
        returned = report.call(compile_classifier, model, learning_rate=learning_rate)
        report.require(returned is model, "returns the compiled model",
                       "should return the model it compiled (end with `return model`)")
        what = f"compile_classifier(model, {learning_rate})"
        change = what_changed(kept, model)
        report.precondition(not change, f"{what}: {change} -- compile only chooses how the model trains: leave its "
                                        f"weights and layers as they are")
        check_compiled(model, learning_rate, x, y, report, what=what)
        report.call(model.fit, x, y, epochs=1, batch_size=len(x), verbose=0, what=f"a training step after {what}")
        reference = _classifier()
        reference.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                          run_eagerly=True)
        reference.fit(x, y, epochs=1, batch_size=len(x), verbose=0)
        report.require(all(np.allclose(got, want, atol=1e-6) for got, want in zip(model.get_weights(),
                                                                                   reference.get_weights())),
                       "a training step moves the weights as Adam on the cross-entropy does",
                       f"{what}: after one training step the weights differ from those of {COMPILE} -- compile the "
                       f"model as it is: every weight trainable, no constraint, Keras' own training step")


def _classifier():
    """A tiny softmax classifier with fixed weights (the notebook's global random state untouched)."""
    return keras.Sequential([keras.Input((5,)), keras.layers.Dense(
        3, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=0))])


COMPILE = ("model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss='sparse_categorical_crossentropy', "
           "metrics=['accuracy'])")


def check_compiled(model, learning_rate: float, x, y, report: Report, what: str = "the model") -> None:
    """`model` (ending in a softmax) compiled as `COMPILE` says, checked by behaviour on a batch `x`, `y` whose labels
    it gets partly right, so that no constant metric passes for accuracy (notebook 10's `unfreeze_top` uses it too)."""
    optimizer = getattr(model, "optimizer", None)
    report.require(optimizer is not None and getattr(model, "compiled", False), "the model is compiled",
                   f"{what}: the model is not compiled: call model.compile(...)")
    report.require(type(optimizer) is keras.optimizers.Adam, "the optimizer is Adam",
                   f"{what}: the optimizer is {type(optimizer).__name__}; use keras.optimizers.Adam")
    number = "pass the number learning_rate to Adam"
    config = report.attempt(lambda: dict(optimizer.get_config()), f"{what}: Adam's settings cannot be read: {number}")
    report.precondition(not isinstance(config.get("learning_rate"), dict),
                        f"{what}: the learning rate is a schedule: {number}")
    changed = _changed_settings(config, keras.optimizers.Adam().get_config(), free=("name", "learning_rate"))
    report.precondition(not changed, f"{what}: Adam has {', '.join(changed)}: this exercise asks for Adam with the "
                                     f"given learning rate and its other settings left at their defaults")
    rate = report.attempt(lambda: float(np.asarray(optimizer.learning_rate)), f"{what}: Adam's learning rate is not "
                          f"a number: {number}")
    report.require(np.isclose(rate, learning_rate, rtol=1e-5), f"learning rate {learning_rate} as asked",
                   f"{what}: learning rate {rate:g} instead of {learning_rate:g}: pass the learning_rate argument "
                   f"to keras.optimizers.Adam (the string 'adam' and Adam() always use 0.001)")
    loss = _one_loss(model.loss)
    from_logits = getattr(loss, "from_logits", False) or getattr(getattr(loss, "fn", None), "from_logits", False)
    report.require(not from_logits, "the loss reads probabilities (from_logits=False)",
                   f"{what}: the loss is told it receives logits (from_logits=True), but the model ends in a "
                   "softmax and outputs probabilities")
    model.run_eagerly = True  # the grader's own small model (a training step follows in unfreeze_top): no tracing
    probabilities = np.asarray(model(x, training=False))
    want_loss = float(np.mean(-np.log(probabilities[np.arange(len(y)), y])))
    _check_loss_on_probabilities(loss, y, probabilities, want_loss, what, report)
    results = report.attempt(lambda: model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True),
                             f"{what}: model.evaluate on integer labels failed; integer labels need the loss "
                             "'sparse_categorical_crossentropy'" + " (alone: Keras cannot train this model with a dict "
                             "of losses)" * isinstance(model.loss, dict) + " and the metric 'accuracy'" + (
                                 ", passed by name (compile's third argument is loss_weights)"
                                 if _loss_weights(model) else "") + ": metrics=['accuracy']")
    report.require(np.isclose(results["loss"], want_loss, rtol=1e-4),
                   "the loss is sparse categorical cross-entropy on probabilities",
                   f"{what}: compiled, the loss is {results['loss']:.4f}, {results['loss'] / want_loss:.3g} times the "
                   f"cross-entropy of the softmax outputs, which the loss alone gives: compile is given loss_weights? "
                   f"leave them out (one output, one loss)")
    want_accuracy = float(np.mean(probabilities.argmax(1) == y))
    others = {k: v for k, v in results.items() if k != "loss"}
    shown = ", ".join(f"{name} {float(np.mean(value)):.4f}" for name, value in others.items())
    report.require(any(np.isclose(v, want_accuracy) for v in others.values()) and others,
                   "accuracy is reported as a metric", f"{what}: no metric reports the accuracy, "
                   f"{want_accuracy:.4f} on this batch" + f" (found {shown})" * bool(others) + ": add metrics="
                   "['accuracy'] -- on TensorFlow a metric object made once, outside the function, counts on across "
                   "models")
    named = [name for name, value in others.items() if np.isclose(value, want_accuracy)]
    if named:  # the history's key: notebook 00's next cells and plots.learning_curves read history['accuracy']
        report.require("accuracy" in named, "the accuracy is logged as 'accuracy'", f"{what}: the accuracy is logged "
                       f"as {named[0]!r}, and the text asks for the metric 'accuracy', the name history.history and "
                       f"the course's learning curves read: metrics=['accuracy'] (a metric object needs "
                       f"name='accuracy')")
    report.attempt(lambda: keras.saving.deserialize_keras_object(model.get_compile_config()),
                   f"{what}: the loss is a function of your own, and a model compiled with it cannot be saved and "
                   f"loaded back (notebook 00 does both): pass Keras' own, loss='sparse_categorical_"
                   f"crossentropy'")


def _loss_weights(model):
    """What compile was given as loss_weights (the metrics, when they were passed third, by position)."""
    return getattr(getattr(model, "_compile_config", None), "config", {}).get("loss_weights")


def _one_loss(loss):
    """The loss of the model's one output: alone, or the one entry of a list or of a dict."""
    if isinstance(loss, str) or callable(loss):
        return loss
    entries = list(loss.values()) if hasattr(loss, "values") else list(loss) if isinstance(loss, (list, tuple)) else []
    return entries[0] if len(entries) == 1 else loss


def _changed_settings(config: dict, defaults: dict, free: tuple) -> list[str]:
    """The settings in `config` that differ from the `defaults`, those `free` (or checked on their own) apart."""
    return [f"{key}={value!r}" for key, value in config.items() if key not in free and value != defaults.get(key)]


def _loss_settings(loss) -> list[str]:
    """The settings of a Keras loss object that differ from its class's defaults (from_logits and the reduction are
    checked on their own); none read for a loss that is no such object, whose values are checked."""
    try:
        config, defaults = dict(loss.get_config()), type(loss)().get_config()
    except Exception:  # a function, or a class that needs arguments
        return []
    return _changed_settings(config, defaults, free=("name", "from_logits", "reduction"))


def _check_loss_on_probabilities(loss, y, probabilities, want_loss, what, report) -> None:
    """Apply the compiled loss to probabilities as plain numbers, outside the model's graph (where TensorFlow would
    quietly read the softmax's logits and hide from_logits=True), and require one number: the mean cross-entropy."""
    loss_function = report.attempt(lambda: keras.losses.get(loss) if isinstance(loss, str) else loss,
                                   f"{what}: Keras knows no loss {loss!r}: use 'sparse_categorical_crossentropy'")
    name = getattr(loss_function, "__name__", "")
    report.precondition(not isinstance(loss_function, type), f"{what}: the loss is the class {name} itself: make one, "
                        f"{name}() with parentheses -- a model compiled with the class cannot be saved (notebook 00 "
                        f"saves it)")
    changed = _loss_settings(loss_function)
    report.precondition(not changed, f"{what}: the loss has {', '.join(changed)}: leave its settings at their defaults"
                        + " (ignore_class drops every example of that class from the loss)" * any(
                            setting.startswith("ignore_class=") for setting in changed))
    value = report.attempt(lambda: np.asarray(loss_function(keras.ops.convert_to_tensor(y), keras.ops.convert_to_tensor(
                           probabilities)), dtype=np.float64),
                           f"{what}: the loss cannot be applied to integer labels and probabilities: use "
                           "'sparse_categorical_crossentropy'")
    if isinstance(loss_function, keras.losses.Loss):
        report.precondition(value.ndim == 0, f"{what}: the loss returns one value per example (reduction="
                                             f"{loss_function.reduction!r}): keep the default reduction, the mean")
    report.precondition(value.ndim > 0 or not np.isclose(float(value), want_loss * len(y), rtol=1e-4),
                        f"{what}: on probabilities the loss gives {float(np.sum(value)):.4f}, {len(y)} times their "
                        f"mean cross-entropy: it sums over the batch -- keep the default reduction, the mean")
    report.precondition(np.isclose(float(np.mean(value)), want_loss, rtol=1e-4),
                        f"{what}: on probabilities the loss gives {float(np.mean(value)):.4f}, but their cross-entropy "
                        f"is {want_loss:.4f}: use sparse_categorical_crossentropy with from_logits=False (the model "
                        "already ends in a softmax)")

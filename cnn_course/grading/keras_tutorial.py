"""Graders of notebook 00, the Keras tutorial."""

from __future__ import annotations

import numpy as np

from cnn_course.fixtures import fixed_inputs
from cnn_course.grading.generic import check_builder
from cnn_course.grading.report import grader
from cnn_course.models.baseline import SmallCNN

# Two calls per builder: the notebook's shapes, and others that catch hard-coded numbers.
_BUILD_CASES = [((64, 64, 3), 6), ((32, 32, 1), 4)]


@grader("sequential_cnn", answer_key=["cnn_course.models.baseline.SmallCNN"])
def check_sequential_cnn(sequential_cnn, report) -> None:
    """Grade ``sequential_cnn(input_shape, classes)``: the four-stage CNN with keras.Sequential."""
    check_builder(sequential_cnn, SmallCNN, _BUILD_CASES, report, api="Sequential")


@grader("functional_cnn", answer_key=["cnn_course.models.baseline.SmallCNN"])
def check_functional_cnn(functional_cnn, report) -> None:
    """Grade ``functional_cnn(input_shape, classes)``: the same CNN with the Functional API."""
    check_builder(functional_cnn, SmallCNN, _BUILD_CASES, report, api="Functional")


def _probe_model():
    """A tiny softmax classifier the learner's compile function is tried on (fixed weights,
    without touching the notebook's global random state)."""
    import keras

    dense = keras.layers.Dense(3, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=0))
    return keras.Sequential([keras.Input((5,)), dense])


@grader("compile_classifier")
def check_compile_classifier(compile_classifier, report) -> None:
    """Grade ``compile_classifier(model, learning_rate)``: Adam, sparse cross-entropy, accuracy."""
    import keras

    x = fixed_inputs((12, 5), seed=1, low=-1, high=1)
    for learning_rate in (1e-3, 0.05):
        model = _probe_model()
        # Labels that the probe gets exactly half right, so no constant metric can pass for accuracy.
        guesses = np.asarray(model(x)).argmax(1)
        y = np.where(np.arange(len(x)) % 2 == 0, guesses, (guesses + 1) % 3)
        returned = report.call(compile_classifier, model, learning_rate=learning_rate)
        report.require(returned is model, "returns the compiled model",
                       "should return the model it compiled (end with `return model`)")
        optimizer = getattr(model, "optimizer", None)
        report.require(optimizer is not None and getattr(model, "compiled", False), "the model is compiled",
                       "the model is not compiled: call model.compile(...)")
        report.require(type(optimizer) is keras.optimizers.Adam, "the optimizer is Adam",
                       f"the optimizer is {type(optimizer).__name__}; use keras.optimizers.Adam")
        report.precondition(not isinstance(optimizer.get_config()["learning_rate"], dict),
                            "the learning rate is a schedule: pass the number learning_rate to Adam")
        changed = _changed_settings(optimizer)
        report.precondition(not changed, f"Adam has {', '.join(changed)}: this exercise asks for Adam with the "
                                         f"given learning rate and its other settings left at their defaults")
        rate = float(np.asarray(optimizer.learning_rate))
        report.require(np.isclose(rate, learning_rate, rtol=1e-5),
                       f"learning rate {learning_rate} as asked",
                       f"learning rate {rate:g} instead of {learning_rate:g}: pass the learning_rate argument "
                       f"to keras.optimizers.Adam (the string 'adam' and Adam() always use 0.001)")
        from_logits = getattr(model.loss, "from_logits", False) or \
            getattr(getattr(model.loss, "fn", None), "from_logits", False)
        report.require(not from_logits, "the loss reads probabilities (from_logits=False)",
                       "the loss is told it receives logits (from_logits=True), but the model ends in a "
                       "softmax and outputs probabilities")
        probabilities = np.asarray(model(x))
        want_loss = float(np.mean(-np.log(probabilities[np.arange(len(y)), y])))
        _check_loss_on_probabilities(model.loss, y, probabilities, want_loss, report)
        try:
            results = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
        except Exception as error:
            report.fail(f"model.evaluate on integer labels failed ({type(error).__name__}: "
                        f"{str(error).strip().splitlines()[0][:160]}); integer labels need the loss "
                        f"'sparse_categorical_crossentropy' and the metric 'accuracy'")
        report.require(np.isclose(results["loss"], want_loss, rtol=1e-4),
                       "the loss is sparse categorical cross-entropy on probabilities",
                       f"the loss is {results['loss']:.4f}, but the cross-entropy of the softmax outputs is "
                       f"{want_loss:.4f}: use sparse_categorical_crossentropy (the model already ends in a "
                       f"softmax, so from_logits must stay False)")
        want_accuracy = float(np.mean(probabilities.argmax(1) == y))
        others = {k: v for k, v in results.items() if k != "loss"}
        report.require(any(np.isclose(v, want_accuracy) for v in others.values()) and others,
                       "accuracy is reported as a metric",
                       "no metric reports the accuracy: add metrics=['accuracy']")


def _changed_settings(optimizer) -> list[str]:
    """Adam's settings that differ from the defaults, the learning rate apart."""
    import keras

    defaults = keras.optimizers.Adam().get_config()
    config = optimizer.get_config()
    return [f"{key}={value!r}" for key, value in config.items()
            if key not in ("name", "learning_rate") and value != defaults.get(key)]


def _check_loss_on_probabilities(loss, y, probabilities, want_loss, report) -> None:
    """Apply the compiled loss to probabilities given as plain numbers, outside the model's graph
    (where TensorFlow would quietly read the softmax's logits and hide from_logits=True), and
    require one number: the mean cross-entropy."""
    import keras

    loss_function = keras.losses.get(loss) if isinstance(loss, str) else loss
    try:
        value = np.asarray(loss_function(keras.ops.convert_to_tensor(y), keras.ops.convert_to_tensor(probabilities)))
    except Exception as error:  # a loss that cannot read integer labels and probabilities
        report.fail(f"the loss cannot be applied to integer labels and probabilities ({type(error).__name__}): use "
                    f"'sparse_categorical_crossentropy'")
    if isinstance(loss_function, keras.losses.Loss):
        report.precondition(value.ndim == 0, f"the loss returns one value per example (reduction="
                                             f"{loss_function.reduction!r}): keep the default reduction, the mean")
    report.precondition(np.isclose(float(np.mean(value)), want_loss, rtol=1e-4),
                        f"on probabilities the loss gives {float(np.mean(value)):.4f}, but their cross-entropy is "
                        f"{want_loss:.4f}: use sparse_categorical_crossentropy with from_logits=False (the model "
                        f"already ends in a softmax)")

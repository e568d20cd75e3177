"""Graders of notebook 00, the Keras tutorial."""

from __future__ import annotations

import numpy as np

from cnn_course.grading.core import (
    compare_outputs,
    copy_weights,
    describe_difference,
    fixed_inputs,
    grader,
    layer_signature,
    randomize_weights,
)
from cnn_course.models.baseline import SmallCNN

# Two calls per builder: the notebook's shapes, and others that catch hard-coded numbers.
_BUILD_CASES = [((64, 64, 3), 6), ((32, 32, 1), 4)]


def _check_builder(build, report, want_sequential: bool) -> None:
    """Shared checks of the two model builders: API, shapes, layers, behaviour."""
    import keras

    api = "Sequential" if want_sequential else "Functional"
    for case, (input_shape, classes) in enumerate(_BUILD_CASES):
        model = report.call(build, input_shape=input_shape, classes=classes,
                            what=f"{getattr(build, '__name__', 'your builder')}(input_shape={input_shape}, "
                                 f"classes={classes})")
        report.require(isinstance(model, keras.Model), "returns a Keras model", _not_a_model(model))
        report.require(_has_input(model), "the model starts from keras.Input",
                       "the model has no input shape yet: start it with keras.Input(input_shape)")
        is_sequential = isinstance(model, keras.Sequential)
        if case == 0:
            report.require(is_sequential == want_sequential, f"built with the {api} API",
                           "built with keras.Sequential: this exercise asks for the Functional API "
                           "(keras.Input, calling layers on tensors, keras.Model(inputs, outputs))"
                           if is_sequential else
                           "not a keras.Sequential model: this exercise asks for the Sequential API")
        reference = SmallCNN(input_shape, classes)
        shape_ok = tuple(model.input_shape[1:]) == input_shape and tuple(model.output_shape) == (None, classes)
        report.require(shape_ok, f"input {input_shape} and output (None, {classes}) for classes={classes}",
                       f"with input_shape={input_shape}, classes={classes} the model maps "
                       f"{model.input_shape} to {model.output_shape}; expected (None, *{input_shape}) to "
                       f"(None, {classes}): use the arguments, not fixed numbers")
        difference = describe_difference(layer_signature(model), layer_signature(reference))
        if difference and _reuses_layers(model):
            difference += (" -- one layer object is used in several places (e.g. a single ReLU() for every "
                           "stage); create a new layer at each step")
        report.require(not difference, "layers in the right order with the right settings", difference)
        report.require(model.count_params() == reference.count_params(),
                       f"{reference.count_params():,} parameters",
                       f"{model.count_params():,} parameters, expected {reference.count_params():,}")
        randomize_weights(reference, seed=case)
        copy_weights(reference, model, report)
        inputs = fixed_inputs((4, *input_shape), seed=case)
        for training in (False, True):
            compare_outputs(model, reference, inputs, report, training=training)


def _not_a_model(answer) -> str:
    if type(answer).__name__ == "KerasTensor":
        return "returned a tensor: wrap it in keras.Model(inputs, outputs) and return the model"
    return f"should return a keras.Model, got {type(answer).__name__} (did you forget `return model`?)"


def _has_input(model) -> bool:
    try:
        return bool(model.inputs)
    except (AttributeError, ValueError):
        return False


def _reuses_layers(model) -> bool:
    return any(len(getattr(layer, "_inbound_nodes", ())) > 1 for layer in model.layers)


@grader("sequential_cnn")
def check_sequential_cnn(sequential_cnn, report) -> None:
    """Grade ``sequential_cnn(input_shape, classes)``: the four-stage CNN with keras.Sequential."""
    _check_builder(sequential_cnn, report, want_sequential=True)


@grader("functional_cnn")
def check_functional_cnn(functional_cnn, report) -> None:
    """Grade ``functional_cnn(input_shape, classes)``: the same CNN with the Functional API."""
    _check_builder(functional_cnn, report, want_sequential=False)


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
        try:
            results = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
        except Exception as error:
            report.require(False, "", f"model.evaluate on integer labels failed ({type(error).__name__}: "
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

"""Graders of notebook 00, the Keras tutorial."""

from __future__ import annotations

import numpy as np

from cnn_course.fixtures import fixed_inputs
from cnn_course.grading.builder import BuilderExercise, builder_grader
from cnn_course.grading.compiled import check_compiled
from cnn_course.grading.report import grader
from cnn_course.models.baseline import SmallCNN

# Two calls per builder: the notebook's shapes, and others that catch hard-coded numbers.
_BUILD_CASES = [((64, 64, 3), 6), ((32, 32, 1), 4)]
_SMALL_CNN = "four stages of 3x3 convolution, batch norm, ReLU and 2x2 max-pool, then Flatten and a softmax Dense"

check_sequential_cnn = builder_grader(BuilderExercise(
    exercise="sequential_cnn", reference=SmallCNN, cases=_BUILD_CASES, api="Sequential",
    success=f"with keras.Sequential: {_SMALL_CNN}"))

check_functional_cnn = builder_grader(BuilderExercise(
    exercise="functional_cnn", reference=SmallCNN, cases=_BUILD_CASES, api="Functional",
    success=f"with the Functional API: {_SMALL_CNN}"))


def _probe_model():
    """A tiny softmax classifier the learner's compile function is tried on (fixed weights,
    without touching the notebook's global random state)."""
    import keras

    dense = keras.layers.Dense(3, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=0))
    return keras.Sequential([keras.Input((5,)), dense])


@grader("compile_classifier")
def check_compile_classifier(compile_classifier, report) -> None:
    """Grade ``compile_classifier(model, learning_rate)``: Adam, sparse cross-entropy, accuracy."""
    x = fixed_inputs((12, 5), seed=1, low=-1, high=1)
    for learning_rate in (1e-3, 0.05):
        model = _probe_model()
        # Labels that the probe gets exactly half right, so no constant metric can pass for accuracy.
        guesses = np.asarray(model(x)).argmax(1)
        y = np.where(np.arange(len(x)) % 2 == 0, guesses, (guesses + 1) % 3)
        returned = report.call(compile_classifier, model, learning_rate=learning_rate)
        report.require(returned is model, "returns the compiled model",
                       "should return the model it compiled (end with `return model`)")
        check_compiled(model, learning_rate, x, y, report, what=f"compile_classifier(model, {learning_rate})")

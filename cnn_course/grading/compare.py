"""The behaviour check every block and model grader ends with: the learner's network and the course's reference,
loaded with the same distinct random weights, give the same outputs in inference and in training mode."""

from __future__ import annotations

import numpy as np

from cnn_course.fixtures import randomize_weights, relative_difference, weight_shapes
from cnn_course.grading.report import Report
from cnn_course.grading.vocabulary import expand
from cnn_course.graph import call_arguments

KERAS_EPSILON = 1e-3  # BatchNormalization's default
ATOL = 1e-4


def compare_with_reference(model, reference, inputs, report: Report, seed: int = 0, paths=None, what: str = "",
                           advice: str = "") -> None:
    """The reference's random weights copied into `model` (in order, or by role with `paths`); outputs compared."""
    randomize_weights(reference, seed=seed)
    if paths is None:
        copy_weights(reference, model, report)
    else:
        copy_weights_by_role(*paths, report, what, advice)
    for mode, training in (("inference", False), ("training", True)):
        got, want = (np.asarray(network(inputs, training=training)) for network in (model, reference))
        if got.shape != want.shape:
            report.fail(f"outputs in {mode} mode have shape {got.shape}, expected {want.shape}")
        error = float(np.max(np.abs(got - want))) if got.size else 0.0
        report.check(relative_difference(got, want) <= ATOL,
                     f"same outputs as the reference with identical weights ({mode} mode)",
                     f"outputs differ from the reference with identical weights in {mode} mode (max difference "
                     f"{error:.3g})")


def check_trainable(model, report: Report, what: str) -> None:
    """Every weight trains (a batch norm's moving statistics apart), and no layer is called with a fixed `training`."""
    frozen = [v.path for v in model.weights if not v.trainable and "moving_" not in v.path]
    report.precondition(not frozen, f"{what}: {', '.join(frozen)} {'is' if len(frozen) == 1 else 'are'} frozen "
                                    f"(trainable=False): every layer trains")
    for layer in expand(model.layers):
        for arguments in call_arguments(layer):
            report.precondition(arguments.get("training") is None, f"{what}: {layer.name} is called with training="
                                f"{arguments.get('training')}: leave `training` out -- Keras passes the mode, batch "
                                f"statistics while it trains and moving statistics when it predicts")


def copy_weights(source, target, report: Report) -> None:
    """Copy `source`'s weights into `target`; stop with a message if their shapes differ."""
    have, want = weight_shapes(target), weight_shapes(source)
    if have != want:
        index = next((i for i, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
        report.fail(f"the weights differ from the expected ones: {len(have)} weight tensors "
                    f"instead of {len(want)}; first difference at tensor {index} "
                    f"(yours {have[index] if index < len(have) else 'missing'}, "
                    f"expected {want[index] if index < len(want) else 'none'})")
    target.set_weights(source.get_weights())
    _adopt_epsilons(source.layers, target.layers)


def copy_weights_by_role(reference_paths, answer_paths, report: Report, what: str, advice: str) -> None:
    """Each reference layer's weights into the answer's layer of the same role: the paths (e.g. main path and
    shortcut) pair up in order, and so do the layers with weights within a path."""
    for reference_path, answer_path in zip(reference_paths, answer_paths):
        weighted = zip(*([layer for layer in expand(path) if getattr(layer, "weights", None)]
                         for path in (reference_path, answer_path)))
        for reference_layer, answer_layer in weighted:
            have, want = weight_shapes(answer_layer), weight_shapes(reference_layer)
            report.precondition(have == want, f"{what}: {type(answer_layer).__name__} weights {have}, expected "
                                              f"{want} -- {advice}")
            answer_layer.set_weights(reference_layer.get_weights())
        _adopt_epsilons(reference_path, answer_path)


def free_epsilon(epsilon: float) -> bool:
    """A batch-norm epsilon up to Keras' default 1e-3 is free (keras.applications' 1.001e-5, PyTorch's 1e-5)."""
    return epsilon <= KERAS_EPSILON * (1 + 1e-6)


def _adopt_epsilons(reference_layers, answer_layers) -> None:
    """The reference's batch norms take the answer's epsilon where it is free; a larger one shows in the outputs."""
    from keras import layers

    norms = zip(*([layer for layer in expand(stack) if isinstance(layer, layers.BatchNormalization)]
                  for stack in (reference_layers, answer_layers)))
    for reference_layer, answer_layer in norms:
        if free_epsilon(answer_layer.epsilon):
            reference_layer.epsilon = answer_layer.epsilon

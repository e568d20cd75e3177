"""The behaviour check every block and model grader ends with: the learner's network and the course's reference,
loaded with the same distinct random weights, give the same outputs in inference and in training mode, and the same
gradient reaches the input and every weight -- so a network trains as the reference does."""

from __future__ import annotations

import keras
import numpy as np

from cnn_course.autodiff import gradients
from cnn_course.fixtures import fixed_inputs, randomize_weights, relative_difference, weight_shapes
from cnn_course.grading.report import Report
from cnn_course.grading.vocabulary import expand
from cnn_course.graph import call_arguments, every_layer

KERAS_EPSILON = 1e-3  # BatchNormalization's default
ATOL = 1e-4


def compare_with_reference(model, reference, inputs, report: Report, seed: int = 0, paths=None, what: str = "",
                           advice: str = "", differentiate: bool = True) -> None:
    """The reference's random weights copied into `model` (in order, or by role with `paths`); outputs compared,
    then, with `differentiate`, the gradients of one loss (`compare_gradients`), once per grading."""
    check_own_start(model, reference, report, what)
    randomize_weights(reference, seed=seed)
    if paths is None:
        pairs = copy_weights(reference, model, report)
    else:
        pairs = copy_weights_by_role(*paths, report, what, advice)
    for mode, training in (("inference", False), ("training", True)):
        got = np.asarray(report.attempt(lambda t=training: model(inputs, training=t), f"{what}: the network fails when "
                                        f"it runs ({mode} mode, on {keras.backend.backend()}): build it from Keras' "
                                        f"layers and keras.ops, which every backend runs"))
        want = np.asarray(reference(inputs, training=training))
        if got.shape != want.shape:
            report.fail(f"outputs in {mode} mode have shape {got.shape}, expected {want.shape}")
        error = float(np.max(np.abs(got - want))) if got.size else 0.0
        report.check(relative_difference(got, want) <= ATOL,
                     f"same outputs as the reference with identical weights ({mode} mode)",
                     f"outputs differ from the reference with identical weights in {mode} mode (max difference "
                     f"{error:.3g})")
    refuse_additions(model, report, what, "the lecture's layers have none")
    if differentiate and not report.differentiated and not any(map(_hits_a_onednn_fault, (model, reference))):
        compare_gradients(model, reference, inputs, pairs, report, what)
        report.differentiated = True


def check_own_start(model, reference, report: Report, what: str) -> None:
    """The network is the learner's own (not the grader's reference) and no kernel but the last layer's starts with
    all its values equal: every filter would compute the same and get the same gradient (none at all before a ReLU),
    so the network could not learn."""
    shared = {id(layer) for layer in every_layer(reference)} & {id(layer) for layer in every_layer(model)}
    report.precondition(not shared, f"{what}: the model is made of the grader's own reference layers: build yours")
    weighted = [layer for layer in every_layer(model) if layer.weights and not isinstance(layer, keras.Model)]
    for layer in weighted[:-1]:
        for kernel in (np.asarray(weight) for weight in layer.trainable_weights):
            report.precondition(kernel.ndim < 2 or kernel.size < 2 or np.ptp(kernel) > 0, f"{what}: {layer.name}'s "
                                f"kernel starts with all its values equal (kernel_initializer='zeros'?): every filter "
                                f"would compute the same thing and the network could not learn -- leave "
                                f"kernel_initializer at its default")


def refuse_additions(model, report: Report, what: str, lecture: str) -> None:
    """No loss of the network's own (a regularizer of 0 adds none) and no weight constraint: the `lecture` says what
    to build instead."""
    losses = [loss for loss in model.losses if np.any(np.asarray(loss))]
    constrained = [v.path for v in model.weights if getattr(v, "constraint", None) is not None]
    for found, what_it_is in ((losses, f"adds {len(losses)} loss(es) of its own (a regularizer)"),
                              (constrained, f"has a constraint on {', '.join(constrained)}")):
        report.precondition(not found, f"{what}: the network {what_it_is}: {lecture} -- leave kernel_regularizer, "
                            f"kernel_constraint and the like out")


def _hits_a_onednn_fault(model) -> bool:
    """Whether `model` has a strided 1x1 convolution on fewer than 16 channels, whose kernel gradient TensorFlow 2.21's
    oneDNN kernels (on an AVX2 CPU, where the course turns them on) get wrong, or crash on: such a network is not
    differentiated here."""
    return any(isinstance(layer, keras.layers.Conv2D) and tuple(layer.kernel_size) == (1, 1) and max(layer.strides) > 1
               and layer.kernel.shape[2] < 16 for layer in every_layer(model))


class InputGradient(keras.layers.Layer):
    """Adds a trainable zero to its input: that weight's gradient is the gradient reaching the network's input."""

    def build(self, input_shape):
        self.offset = self.add_weight(shape=tuple(input_shape[1:]), initializer="zeros", name="offset")

    def call(self, x):
        return x + self.offset


def compare_gradients(model, reference, inputs, pairs, report: Report, what: str) -> None:
    """The gradient of one loss in training mode reaches the input and each trainable weight as the reference's does:
    a cut gradient (``keras.ops.stop_gradient``) or an activation that differs only while training shows here."""
    trained = [(answer, mine) for answer, mine in pairs if mine.trainable]
    targets = fixed_inputs((len(inputs), *model.output_shape[1:]), seed=1, low=-1, high=1)
    got = report.attempt(lambda: _input_and_weight_gradients(model, inputs, targets, [a for a, _ in trained]),
                         f"{what}: the network cannot be differentiated on {keras.backend.backend()}: build it from "
                         f"Keras' layers and keras.ops, which every backend differentiates")
    want = _input_and_weight_gradients(reference, inputs, targets, [mine for _, mine in trained])
    for name, mine, theirs in zip(["the input", *(answer.path for answer, _ in trained)], got, want):
        if relative_difference(mine, theirs) > 1e-3:
            cut = not np.any(mine) and np.any(theirs)
            report.fail(f"{what}: the gradient reaching {name} differs from the reference's, so the network would "
                        f"not train as the lecture's does" + (" -- it is zero: something cuts the gradient on its way "
                                                             "(keras.ops.stop_gradient?); leave it out" if cut else ""))
    report.success("the same gradient reaches the input and every weight as the reference's")


def _input_and_weight_gradients(network, inputs, targets, variables) -> list:
    """The gradients of sum(targets * outputs) with respect to the input, then to each of `variables`."""
    source, offset = keras.Input(inputs.shape[1:]), InputGradient()
    wrapped = keras.Model(source, network(offset(source)))
    return gradients(wrapped, inputs, targets, [offset.offset, *variables],
                     loss=lambda y, p: keras.ops.sum(y * p, axis=-1))


def check_trainable(model, report: Report, what: str) -> None:
    """Every weight trains (a batch norm's moving statistics apart), and no layer with weights whose call takes
    `training` is called with a fixed one (a weightless layer's own default, ``call(x, training=False)``, is what Keras
    records there; a convolution's call takes none, and Keras drops it)."""
    statistics = {id(v) for layer in every_layer(model) if isinstance(layer, keras.layers.BatchNormalization)
                  for v in (layer.moving_mean, layer.moving_variance)}
    frozen = [v.path for v in model.weights if not v.trainable and id(v) not in statistics]
    report.precondition(not frozen, f"{what}: {', '.join(frozen)} {'is' if len(frozen) == 1 else 'are'} frozen "
                                    f"(trainable=False): every layer trains")
    for layer in (layer for layer in expand(model.layers) if getattr(layer, "weights", None)
                  and "training" in getattr(layer, "call_signature_parameters", ["training"])):
        for arguments in call_arguments(layer):
            report.precondition(arguments.get("training") is None, f"{what}: {layer.name} is called with training="
                                f"{arguments.get('training')}: leave `training` out -- Keras passes the mode, batch "
                                f"statistics while it trains and moving statistics when it predicts")


def copy_weights(source, target, report: Report) -> list:
    """Copy `source`'s weights into `target` (stop with a message if their shapes differ); the (target, source)
    pairs."""
    have, want = weight_shapes(target), weight_shapes(source)
    if have != want:
        index = next((i for i, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
        report.fail(f"the weights differ from the expected ones: {len(have)} weight tensors "
                    f"instead of {len(want)}; first difference at tensor {index} "
                    f"(yours {have[index] if index < len(have) else 'missing'}, "
                    f"expected {want[index] if index < len(want) else 'none'})")
    target.set_weights(source.get_weights())
    _adopt_epsilons(source.layers, target.layers)
    return list(zip(target.weights, source.weights))


def copy_weights_by_role(reference_paths, answer_paths, report: Report, what: str, advice: str) -> list:
    """Each reference layer's weights into the answer's layer of the same role: the paths (e.g. main path and
    shortcut) pair up in order, and so do the layers with weights within a path. Returns the (answer, reference)
    variable pairs."""
    pairs = []
    for reference_path, answer_path in zip(reference_paths, answer_paths):
        weighted = zip(*([layer for layer in expand(path) if getattr(layer, "weights", None)]
                         for path in (reference_path, answer_path)))
        for reference_layer, answer_layer in weighted:
            have, want = weight_shapes(answer_layer), weight_shapes(reference_layer)
            report.precondition(have == want, f"{what}: {type(answer_layer).__name__} weights {have}, expected "
                                              f"{want} -- {advice}")
            answer_layer.set_weights(reference_layer.get_weights())
            pairs += zip(answer_layer.weights, reference_layer.weights)
        _adopt_epsilons(reference_path, answer_path)
    return pairs


def free_epsilon(epsilon: float) -> bool:
    """A positive batch-norm epsilon up to Keras' default 1e-3 is free (keras.applications' 1.001e-5, PyTorch's
    1e-5)."""
    return 0 < epsilon <= KERAS_EPSILON * (1 + 1e-6)


def _adopt_epsilons(reference_layers, answer_layers) -> None:
    """The reference's batch norms take the answer's epsilon where it is free; a larger one shows in the outputs."""
    from keras import layers

    norms = zip(*([layer for layer in expand(stack) if isinstance(layer, layers.BatchNormalization)]
                  for stack in (reference_layers, answer_layers)))
    for reference_layer, answer_layer in norms:
        if free_epsilon(answer_layer.epsilon):
            reference_layer.epsilon = answer_layer.epsilon

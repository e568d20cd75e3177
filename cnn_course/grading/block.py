"""The block engine: a function from a Keras tensor to a tensor (a VGG block, a residual block, an Inception module,
MobileNet's blocks), read by role like the package's own block (`paths`, `vocabulary`): path by path its steps, each
layer's settings, the padding, the shape, that every layer trains, and the outputs with the reference's weights."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras

from cnn_course.fixtures import fixed_inputs
from cnn_course.grading import paths
from cnn_course.grading.compare import check_trainable, compare_with_reference
from cnn_course.grading.report import Report, Stop, case_by_case, described_by
from cnn_course.grading.vocabulary import read
from cnn_course.graph import nested_models, output_index, producer, reused_layers

ROLES = {"chain": "block", "main": "main path", "shortcut": "shortcut"}


@dataclass(frozen=True)
class BlockExercise:
    """What a block exercise asks for; its grader is ``check_<exercise>``."""

    exercise: str
    reference: Callable  # the package's block, reference(x, *args, **kwargs)
    cases: Sequence[tuple]  # (input_shape, args) or (input_shape, args, kwargs)
    success: str  # what a passing answer did
    paths: Callable = paths.chain  # (output, input, report, what) -> {role: layers}: paths.chain, paths.residual, ...
    advice: Callable | None = None  # (role, index, expected word, found word, case) -> advice on a step that differs
    setting_advice: Callable | None = None  # (word, ordinal, setting, got, want, case) -> advice on a setting
    added_advice: tuple = ("this block has no shortcut: return the main path alone",  # the answer adds one
                           "add the block's input to its output, layers.Add()([shortcut, x])")  # the answer has none
    padding_advice: Callable = lambda case: "pad as the exercise text says"  # case -> advice on a depthwise padding
    shape_advice: Callable | None = None  # (got, want) -> advice when the output's shape differs
    hints: Sequence[tuple] = ()  # (text, advice) for errors the answer raises
    returns: str = "a block returns the output tensor of its last layer (x = layer(x) ... return x)"
    nested: str | None = None  # advice for a block with a model inside (or one called on x); None: read through
    repeated: str | None = None  # the network that stacks the block in one model: two must not clash; None: unchecked


def block_grader(spec: BlockExercise, answer_key=()):
    return described_by(spec, case_by_case(spec, grade_case), answer_key)


def unwrapped(output, source) -> tuple:
    """(output, input) inside a block written as a model and called on x; a model built for any image size is
    rebuilt on x's shape, its own layers called again, so that its paddings can be read."""
    layer, inputs = producer(output)
    while isinstance(layer, keras.Model) and getattr(layer, "outputs", None) and len(inputs) == 1 and \
            inputs[0] is source:  # a subclassed model has no graph to read: read as one layer
        index = output_index(output)
        if tuple(layer.inputs[0].shape) != tuple(source.shape):
            layer = keras.models.clone_model(layer, input_tensors=keras.Input(batch_shape=source.shape),
                                             clone_function=lambda same: same)
        output, source = layer.outputs[index], layer.inputs[0]
        layer, inputs = producer(output)
    return output, source


def grade_case(answer, spec: BlockExercise, case, seed: int, report: Report) -> None:
    input_shape, args, kwargs = (*case, {})[:3]
    shown = ", ".join([*map(repr, args), *(f"{key}={value!r}" for key, value in kwargs.items())])
    what = f"{spec.exercise}(x, {shown}) on x of shape {input_shape}"
    inputs = keras.Input(input_shape)
    output = report.call(answer, inputs, *args, what=what, hints=spec.hints, **kwargs)
    report.require(issubclass(type(output), keras.KerasTensor), "returns a tensor",
                   f"{what} returned {type(output).__name__}: {spec.returns}")
    reused = ", ".join(layer.name for layer in reused_layers([output]) if layer.weights)  # a ReLU may serve twice
    report.precondition(not reused, f"{what}: one layer object is used in several places ({reused}): create a new "
                                    f"layer at each step -- a layer called twice shares its weights")
    found = spec.paths(*unwrapped(output, inputs), report, what)
    reference_inputs = keras.Input(input_shape)
    reference_output = spec.reference(reference_inputs, *args, **kwargs)
    want = reference_paths(spec, reference_output, reference_inputs)
    for role, reference_path in want.items():
        compare_path(spec, case, found.get(role), reference_path, ROLES.get(role, f"{role} branch"), what, report)
    for role, reference_path in want.items():
        padding = paths.depthwise_padding(reference_path or [])
        got = paths.depthwise_padding(found[role]) if padding else ()
        if got is not None and got != padding:
            report.fail(f"{what}: the depthwise convolution pads {_sides(got)}; expected {_sides(padding)} -- "
                        + spec.padding_advice(case))
    got_shape, want_shape = tuple(output.shape[1:]), tuple(reference_output.shape[1:])
    advice = f" ({spec.shape_advice(got_shape, want_shape)})" if spec.shape_advice and got_shape != want_shape else ""
    report.require(got_shape == want_shape, f"{what} -> {want_shape}",
                   f"{what} gives shape {got_shape}, expected {want_shape}{advice}")
    model = report.attempt(lambda: keras.Model(inputs, output), f"{what}: Keras cannot make a model of the block "
                           f"(two layers of one name?)")
    nested = [layer.name for layer in nested_models(model)]
    report.precondition(not (spec.nested and nested), f"{what}: the block holds a model of its own "
                        f"({', '.join(nested)}) -- {spec.nested}")
    check_trainable(model, report, what)
    roles = [role for role in want if want[role]]
    compare_with_reference(model, keras.Model(reference_inputs, reference_output),
                           fixed_inputs((2, *input_shape), seed=seed, low=-1, high=1), report, seed=seed,
                           paths=([want[r] for r in roles], [found[r] for r in roles]), what=what,
                           advice="check the filters of each convolution")
    if spec.repeated and seed == 0:  # a second block on the first's output, as the network stacks them
        again = report.call(answer, output, *args, what=what, hints=spec.hints, **kwargs)
        report.attempt(lambda: keras.Model(inputs, again), f"{what}: two of these blocks stacked in one model clash "
                       f"-- leave out name= and keras.backend.clear_session() (Keras names each layer anew): "
                       f"{spec.repeated}")
        kept = ", ".join(layer.name for layer in reused_layers([again]) if layer.weights)
        report.precondition(not kept, f"{what}: a second call uses the first one's layers again ({kept}), so stacked "
                                      f"blocks would share their weights: create new layers at each call -- "
                                      f"{spec.repeated}")


def reference_paths(spec: BlockExercise, output, source) -> dict:
    """The reference read like an answer; one that cannot be read is the grader's bug, never the learner's."""
    try:
        return spec.paths(output, source, Report("the reference"), "the reference")
    except Stop as error:
        raise RuntimeError(f"the reference {spec.exercise} cannot be read as the grader expects") from error


def compare_path(spec: BlockExercise, case, path, reference_path, role: str, what: str, report: Report) -> None:
    """The answer's path has the reference's steps, then its layers the reference's settings."""
    if (path is None) != (reference_path is None):
        report.fail(f"{what}: " + (spec.added_advice[0] if path is not None else spec.added_advice[1]))
    if path is None:
        return
    got, want = read(path), read(reference_path)
    fused = next((step for step in got if step.fused), None)
    if fused and not any(step.fused for step in want):
        name = getattr(fused.layers[0].activation, "__name__", fused.word)
        report.fail(f"{what}: a convolution on the {role} applies activation='{name}' itself: leave the convolution "
                    f"linear (no activation=) -- BatchNormalization comes before the activation")
    got_words, want_words = [step.word for step in got], [step.word for step in want]
    if got_words != want_words:
        index = next((i for i, (a, b) in enumerate(zip(got_words, want_words)) if a != b),
                     min(len(got_words), len(want_words)))
        expected = want_words[index] if index < len(want_words) else None
        found = got_words[index] if index < len(got_words) else None
        hint = (spec.advice(role, index, expected, found, case) if spec.advice else "") or step_advice(expected, found)
        where = (f"the {role} should be the input itself" if not want_words else
                 f"step {index + 1} of the {role} should be {expected}" if expected else
                 f"the {role} should end after step {len(want_words)}")
        yours = " -> ".join(got_words) or "the input itself"
        report.fail(f"{what}: {where}, found {found or 'nothing'} (your {role}: {yours})" + (f" -- {hint}" if hint
                                                                                            else ""))
    advice = (lambda *difference: spec.setting_advice(*difference, case)) if spec.setting_advice else None
    difference = paths.setting_difference(got, want, role, advice)
    report.precondition(not difference, f"{what}: {difference}")


def step_advice(expected, found) -> str:
    """What the usual step mix-ups mean, for every block."""
    if found == "SeparableConv2D":
        return ("SeparableConv2D fuses the depthwise and the pointwise convolution with nothing between them; the "
                "block puts BatchNormalization and ReLU6 after each: use DepthwiseConv2D, then a 1x1 Conv2D")
    if expected == "DepthwiseConv2D" and found == "grouped Conv2D":
        return ("a Conv2D with one group per channel computes a depthwise convolution too, but the block is written "
                "with layers.DepthwiseConv2D, as the text says (the layer keras.applications' weights load into)")
    if expected == "DepthwiseConv2D" and found == "Conv2D":
        return ("an ordinary Conv2D mixes all the channels; the depthwise step is layers.DepthwiseConv2D(3, ...), "
                "one 3x3 filter per input channel")
    if expected == "ReLU6" and found in ("ReLU", "tanh", "sigmoid", "swish"):
        return "MobileNet's activation is ReLU6, min(max(z, 0), 6): layers.ReLU(6.0)"
    if expected == "BatchNormalization":
        return "every convolution is followed by BatchNormalization, then the activation"
    return ""


def _sides(pads) -> str:
    return "top {}, bottom {}, left {}, right {}".format(*pads[0], *pads[1]) if pads else "nothing"

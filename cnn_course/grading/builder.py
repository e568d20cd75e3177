"""The builder engine: a whole model, ``builder(input_shape, classes)``, checked on every case for a Keras model from
``keras.Input`` with the API asked for and the right shapes, then its structure against the package's builder, the
parameter count, that every layer trains, and the outputs with the reference's weights."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras

from cnn_course.fixtures import fixed_inputs
from cnn_course.grading.compare import check_trainable, compare_with_reference
from cnn_course.grading.paths import setting_difference
from cnn_course.grading.report import Report, case_by_case, described_by
from cnn_course.grading.vocabulary import read
from cnn_course.graph import branch, nested_models, operations, reused_layers


@dataclass(frozen=True)
class BuilderExercise:
    """What a model-building exercise asks for; its grader is ``check_<exercise>``."""

    exercise: str
    reference: Callable  # the package's builder, reference(input_shape=..., classes=...)
    cases: Sequence[tuple]  # (input_shape, classes) pairs
    success: str  # what a passing answer did
    api: str | None = None  # "Sequential", "Functional" or None for either
    # (model, reference, report, what) -> None to copy the weights in order, or (reference paths, answer paths) to
    # copy them by role, after checking the structure; by default the layer lists are compared step by step
    compare: Callable | None = None
    saved: bool = False  # the notebook saves the model and loads it back (keras.models.load_model, safe mode)


def builder_grader(spec: BuilderExercise, answer_key=(), seconds: float = 120):
    return described_by(spec, case_by_case(spec, grade_case), answer_key, seconds)


def grade_case(answer, spec: BuilderExercise, case, number: int, report: Report) -> None:
    input_shape, classes = case
    what = f"{spec.exercise}(input_shape={input_shape}, classes={classes})"
    model = report.call(answer, input_shape=input_shape, classes=classes, what=what)
    report.require(issubclass(type(model), keras.Model), "returns a Keras model",  # an object can say any __class__
                   "returned a tensor: wrap it in keras.Model(inputs, outputs) and return the model"
                   if isinstance(model, keras.KerasTensor) else
                   f"should return a keras.Model, got {type(model).__name__} (did you forget `return model`?)")
    report.require(_has_input(model), "the model starts from keras.Input",
                   "the model has no input shape yet: start it with keras.Input(input_shape)")
    outputs = getattr(model, "output", None)
    if isinstance(outputs, (list, tuple)) and len(outputs) == 1 and not isinstance(model, keras.Sequential):
        # keras.Model(inputs=[x], outputs=[y]): Keras calls it like a model of one output; graded as one
        model = keras.Model(model.inputs[0] if len(model.inputs) == 1 else model.inputs, outputs[0], name=model.name)
    structure = type(getattr(model, "output", None))
    report.precondition(structure not in (dict, list, tuple), f"{what}: the model's output is a {structure.__name__} "
                        f"of tensors: build it on the tensor itself, keras.Model(inputs, outputs)")
    sequential = isinstance(model, keras.Sequential)
    if number == 0 and spec.api is not None:
        report.require(sequential == (spec.api == "Sequential"), f"built with the {spec.api} API",
                       "built with keras.Sequential: this exercise asks for the Functional API (keras.Input, calling "
                       "layers on tensors, keras.Model(inputs, outputs))" if sequential else
                       "not a keras.Sequential model: this exercise asks for the Sequential API")
        nested = nested_models(model)
        names = ", ".join(inner.name for inner in nested)
        mixed = any(isinstance(inner, keras.Sequential) != sequential for inner in nested)
        report.precondition(not nested, f"the layers are inside models nested in this one ({names})"
                            f"{', built with the other API' if mixed else ''}: this exercise asks for the "
                            f"{spec.api} API layer by layer: the layers themselves in the model")
    reference = _reference(spec.reference, input_shape, classes)
    report.require(tuple(model.input_shape[1:]) == input_shape and tuple(model.output_shape) == (None, classes),
                   f"input {input_shape} and output (None, {classes}) for classes={classes}",
                   _shape_advice(model, input_shape, classes))
    dtype = str(getattr(model.inputs[0], "dtype", keras.config.floatx()))
    report.require(dtype == keras.config.floatx(), f"{keras.config.floatx()} inputs", f"{what}: the input is {dtype}: "
                   f"build keras.Input(input_shape) without dtype= -- the network computes in {keras.config.floatx()}")
    role_paths = (spec.compare or compare_layers)(model, reference, report, what)
    report.require(model.count_params() == reference.count_params(), f"{reference.count_params():,} parameters",
                   f"{what} has {model.count_params():,} parameters, expected {reference.count_params():,}")
    check_trainable(model, report, what)
    if spec.saved and number == 0:
        report.attempt(lambda: keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model)),
                       f"{what}: keras.models.load_model cannot load this model back once saved (the notebook does): "
                       f"it finds no Python lambda, nor a function or layer of your own -- use Keras' layers, ReLU()")
    # a whole model is differentiated once, on its smallest case, in a batch of 4: there ResNet-50's last stage has
    # 1 x 1 pixels, and a batch norm of 2 values makes them -1 and 1 whatever they are, its gradient rounding noise
    smallest = min(spec.cases, key=lambda other: math.prod(other[0]))
    inputs = fixed_inputs((4 if case == smallest else 2, *input_shape), seed=number, low=-1, high=1)
    compare_with_reference(model, reference, inputs, report, seed=number, paths=role_paths, what=what,
                           advice="check the filters of each layer", differentiate=case == smallest)


def _references(size: int = 4):
    """``reference(build, input_shape, classes)``: the package's model for a case, built once (each grading gives it
    fresh random weights). Its cache is reached only through that Python function, so an answer that asks it for a
    model trips the answer key's watch (a hit of a bare cache would run no Python code)."""
    built = functools.lru_cache(maxsize=size)(lambda build, shape, classes: build(input_shape=shape, classes=classes))

    def reference(build, input_shape, classes):
        return built(build, input_shape, classes)

    return reference


_reference = _references()


def compare_layers(model, reference, report: Report, what: str):
    """The model's layers, read as steps, equal the reference's in order, their settings too (batch norm's);
    weights are then copied in order."""
    steps, reference_steps = _steps(model), _steps(reference)
    difference = describe_difference([step.token for step in steps], [step.token for step in reference_steps])
    if difference and reused_layers(model.outputs):
        difference += (" -- one layer object is used in several places (e.g. a single ReLU() for every stage); "
                       "create a new layer at each step")
    report.require(not difference, "layers in the right order with the right settings", difference)
    setting = setting_difference(steps, reference_steps, "model")
    report.precondition(not setting, f"{what}: {setting}")


def _steps(model) -> list:
    """The model's layers read as steps: along its one chain from input to output, an activation of several
    operations as one (``keras.ops.where(x > 0, x, 0)``); operation by operation, each layer once, for a model that
    is no chain or that calls a layer object in several places (the notebook reads ``model.layers``)."""
    chain = None if reused_layers(model.outputs) else branch(model.outputs[0], model.inputs[0])
    return read(chain or operations(model))


def describe_difference(answer_tokens: list[str], reference_tokens: list[str]) -> str:
    """The first place where two lists of steps differ, in words ('' when equal)."""
    for i, (got, want) in enumerate(zip(answer_tokens, reference_tokens)):
        if got != want:
            return f"step {i + 1} of the layer list: expected {want}, found {got}"
    if len(answer_tokens) < len(reference_tokens):
        missing = reference_tokens[len(answer_tokens)]
        if missing == "softmax" and len(answer_tokens) == len(reference_tokens) - 1:
            return "the model ends without a softmax: give the last Dense activation='softmax'"
        return f"missing layers after step {len(answer_tokens)}: expected {missing} next"
    if len(answer_tokens) > len(reference_tokens):
        return f"extra layers after step {len(reference_tokens)}: {answer_tokens[len(reference_tokens)]}"
    return ""


def _shape_advice(model, input_shape, classes) -> str:
    """What a wrong input or output shape most likely means."""
    said = (f"with input_shape={input_shape}, classes={classes} the model maps {model.input_shape} to "
            f"{model.output_shape}; expected (None, {', '.join(map(str, input_shape))}) to (None, {classes})")
    if model.input_shape[0] is not None:
        return f"{said}: call keras.Input(input_shape) without batch_size -- the batch dimension stays None"
    if tuple(model.input_shape[1:]) != input_shape:
        return f"{said}: build the keras.Input from the input_shape argument, not fixed numbers"
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if dense and dense[-1].units == classes and model.layers[-1] is not dense[-1]:
        return f"{said}: end with the Dense({classes}) classifier -- the layers after it change the output"
    if len(model.output_shape) != 2:
        return f"{said}: flatten the feature maps (layers.Flatten()) before the Dense classifier"
    return f"{said}: give the last Dense layer `classes` units, the argument, not a fixed number"


def _has_input(model) -> bool:
    try:
        return bool(model.inputs)
    except (AttributeError, ValueError):
        return False

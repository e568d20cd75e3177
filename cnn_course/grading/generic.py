"""Graders for the two shapes an exercise takes: a model builder, and a block on a tensor.

Both compare the learner's answer with the course's reference layer by layer (in order, see
`signature`) and then on behaviour (`compare.compare_with_reference`). Graders that must find
paths by role instead of by order (residual blocks, Inception branches) have their own modules.
"""

from __future__ import annotations

from cnn_course.fixtures import fixed_inputs
from cnn_course.grading.compare import compare_with_reference, symbolic_call
from cnn_course.grading.report import Report
from cnn_course.grading.signature import describe_difference, layer_signature
from cnn_course.graph import reused_layers


def check_builder(build, reference_builder, cases, report: Report, api: str | None = None) -> None:
    """Check a learner's model builder against a reference, case by case.

    For each ``(input_shape, classes)`` in `cases`: it returns a Keras model with a
    ``keras.Input``, built with the requested `api` ("Sequential", "Functional" or None
    for either), mapping ``input_shape`` to ``classes`` outputs, with the reference's layers,
    parameter count, and outputs on identical weights in inference and training mode.
    """
    import keras

    for case, (input_shape, classes) in enumerate(cases):
        model = report.call(build, input_shape=input_shape, classes=classes,
                            what=f"{getattr(build, '__name__', 'your builder')}(input_shape={input_shape}, "
                                 f"classes={classes})")
        report.require(isinstance(model, keras.Model), "returns a Keras model", _not_a_model(model))
        report.require(_has_input(model), "the model starts from keras.Input",
                       "the model has no input shape yet: start it with keras.Input(input_shape)")
        is_sequential = isinstance(model, keras.Sequential)
        if case == 0 and api is not None:
            report.require(is_sequential == (api == "Sequential"), f"built with the {api} API",
                           "built with keras.Sequential: this exercise asks for the Functional API "
                           "(keras.Input, calling layers on tensors, keras.Model(inputs, outputs))"
                           if is_sequential else
                           "not a keras.Sequential model: this exercise asks for the Sequential API")
        reference = reference_builder(input_shape=input_shape, classes=classes)
        report.require(tuple(model.input_shape[1:]) == input_shape and tuple(model.output_shape) == (None, classes),
                       f"input {input_shape} and output (None, {classes}) for classes={classes}",
                       _shape_advice(model, input_shape, classes))
        difference = describe_difference(layer_signature(model), layer_signature(reference))
        if difference and reused_layers(model.outputs):
            difference += (" -- one layer object is used in several places (e.g. a single ReLU() for every "
                           "stage); create a new layer at each step")
        report.require(not difference, "layers in the right order with the right settings", difference)
        report.require(model.count_params() == reference.count_params(),
                       f"{reference.count_params():,} parameters",
                       f"{model.count_params():,} parameters, expected {reference.count_params():,}")
        compare_with_reference(model, reference, fixed_inputs((4, *input_shape), seed=case), report, seed=case)


def check_block(block, reference_block, cases, report: Report, shape_advice=None) -> None:
    """Check a learner's block -- a function from a tensor to a tensor -- against a reference.

    For each ``(input_shape, args)`` in `cases`: ``block(x, *args)`` returns a tensor of the
    reference's shape, made of the reference's layers in order (equivalent spellings of
    ReLU are equal), and with identical weights gives the same outputs.

    Args:
        shape_advice: optional ``f(got_shape, want_shape) -> str`` explaining a wrong shape.
    """
    import keras

    name = getattr(block, "__name__", "block")
    for case, (input_shape, args) in enumerate(cases):
        call = f"{name}(x, {', '.join(map(repr, args))}) on x of shape {input_shape}"
        inputs, outputs = symbolic_call(block, input_shape, args, report, what=call)
        reference_inputs = keras.Input(input_shape)
        reference = keras.Model(reference_inputs, reference_block(reference_inputs, *args))
        model = keras.Model(inputs, outputs)
        got, want = tuple(model.output_shape[1:]), tuple(reference.output_shape[1:])
        advice = f" ({shape_advice(got, want)})" if shape_advice and got != want else ""
        report.require(got == want, f"{call} -> {want}", f"{call} gives shape {got}, expected {want}{advice}")
        difference = describe_difference(layer_signature(model), layer_signature(reference))
        report.require(not difference, "the right layers in the right order", f"{call}: {difference}")
        compare_with_reference(model, reference, fixed_inputs((2, *input_shape), seed=case, low=-1, high=1), report,
                               seed=case)


def _shape_advice(model, input_shape, classes) -> str:
    """What a wrong input or output shape most likely means."""
    expected = f"expected (None, {', '.join(map(str, input_shape))}) to (None, {classes})"
    said = f"with input_shape={input_shape}, classes={classes} the model maps {model.input_shape} to " \
           f"{model.output_shape}; {expected}"
    from keras import layers

    if model.input_shape[0] is not None:
        return f"{said}: call keras.Input(input_shape) without batch_size -- the batch dimension stays None"
    if tuple(model.input_shape[1:]) != input_shape:
        return f"{said}: build the keras.Input from the input_shape argument, not fixed numbers"
    dense = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
    if dense and dense[-1].units == classes and model.layers[-1] is not dense[-1]:
        return f"{said}: end with the Dense({classes}) classifier -- the layers after it change the output"
    if len(model.output_shape) != 2:
        return f"{said}: flatten the feature maps (layers.Flatten()) before the Dense classifier"
    return f"{said}: give the last Dense layer `classes` units, the argument, not a fixed number"


def _not_a_model(answer) -> str:
    import keras

    if isinstance(answer, keras.KerasTensor):
        return "returned a tensor: wrap it in keras.Model(inputs, outputs) and return the model"
    return f"should return a keras.Model, got {type(answer).__name__} (did you forget `return model`?)"


def _has_input(model) -> bool:
    try:
        return bool(model.inputs)
    except (AttributeError, ValueError):
        return False

"""The machinery every grader shares: reports that never raise, and behaviour checks.

A grader is a function decorated with `grader`. It receives the learner's answer and a
`Report`, and records checks on it. Whatever happens -- a stub that raises
``NotImplementedError``, a crash, a wrong type -- the decorated grader returns the
`Report`, which displays in a notebook as a short pass/fail list and carries a
machine-readable summary for ``python -m cnn_course grade``.
"""

from __future__ import annotations

import functools
import html
import json
import traceback

import numpy as np

MIME_TYPE = "application/vnd.cnn-course.grade+json"


class _Stop(Exception):
    """Ends a grader early when a failed check makes the next ones meaningless."""


class Report:
    """The outcome of grading one exercise: an ordered list of (passed, message) checks."""

    def __init__(self, exercise: str):
        self.exercise = exercise
        self.checks: list[tuple[bool, str]] = []
        self.status = "graded"  # or "not implemented", "error"

    @property
    def passed(self) -> bool:
        """True when the answer was graded and every check passed."""
        return self.status == "graded" and bool(self.checks) and all(ok for ok, _ in self.checks)

    @property
    def first_failure(self) -> str:
        """The first failing check's message, or '' when all passed."""
        return next((message for ok, message in self.checks if not ok), "")

    def check(self, ok: bool, passed: str, failed: str) -> bool:
        """Record one check; `passed`/`failed` say what was verified or what is likely wrong.

        A passing check with an empty `passed` message is a precondition: it is not listed.
        """
        if ok and not passed:
            return True
        self.checks.append((bool(ok), passed if ok else failed))
        return bool(ok)

    def require(self, ok: bool, passed: str, failed: str) -> None:
        """Like `check`, but stop grading here when it fails (later checks depend on it)."""
        if not self.check(ok, passed, failed):
            raise _Stop

    def call(self, function, *args, what: str = "", hints=(), **kwargs):
        """Call the learner's function; a stub or a crash becomes a failed check that stops grading.

        `hints` are ``(text, advice)`` pairs: advice added when the error message contains text.
        """
        if not callable(function):
            self.require(False, "", f"expected a function, got {type(function).__name__}")
        try:
            return function(*args, **kwargs)
        except NotImplementedError:
            self.status = "not implemented"
            self.checks.append((False, "not implemented yet: replace the `raise NotImplementedError` stub"))
            raise _Stop from None
        except Exception as error:  # a crash in the learner's code is a finding, not a grader failure
            advice = "".join(f" -- {advice}" for text, advice in hints if text in str(error))
            self.require(False, "", f"{what or getattr(function, '__name__', 'your function')} raised "
                                    f"{type(error).__name__}: {_first_line(error)}{advice}")

    # -- display ---------------------------------------------------------------------------
    def summary(self) -> dict:
        """A JSON-able summary: exercise, passed, status, first failure, check count."""
        return {"exercise": self.exercise, "passed": self.passed, "status": self.status,
                "first_failure": self.first_failure, "checks": len(self.checks)}

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else ("NOT IMPLEMENTED" if self.status == "not implemented" else "FAILED")
        lines = [f"{self.exercise}: {verdict} ({sum(ok for ok, _ in self.checks)}/{len(self.checks)} checks)"]
        lines += [f"  {'✓' if ok else '✗'} {message}" for ok, message in self.checks]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_mimebundle_(self, include=None, exclude=None):
        colour = "#1a7f37" if self.passed else "#cf222e"
        items = "".join(f"<li style='color:{'#1a7f37' if ok else '#cf222e'}'>{'✓' if ok else '✗'} "
                        f"{html.escape(message)}</li>" for ok, message in self.checks)
        head = html.escape(str(self).splitlines()[0])
        return {"text/plain": str(self),
                "text/html": f"<div><b style='color:{colour}'>{head}</b><ul style='list-style:none'>{items}</ul></div>",
                MIME_TYPE: json.dumps(self.summary())}


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else "(no message)"


def grader(exercise: str):
    """Turn ``check(answer, report)`` into ``check_<exercise>(answer) -> Report`` that never raises."""

    def decorate(check):
        @functools.wraps(check)
        def run(answer=None) -> Report:
            report = Report(exercise)
            try:
                check(answer, report)
            except _Stop:
                pass
            except Exception as error:  # a grader bug must not break the learner's notebook
                report.status = "error"
                report.checks.append((False, f"the grader could not finish ({type(error).__name__}: "
                                             f"{_first_line(error)}); please report this with your code"))
                traceback.print_exc(limit=0)
            return report

        run.exercise = exercise
        return run

    return decorate


# -- behaviour helpers --------------------------------------------------------------------------

def fixed_inputs(shape, seed: int = 0, low: float = 0.0, high: float = 255.0) -> np.ndarray:
    """A deterministic batch of inputs, uniform in [low, high)."""
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype("float32")


def randomize_weights(model, seed: int = 0) -> None:
    """Give every weight (BN statistics included) distinct random values, so that two
    models agree on outputs only if they compute the same function.

    Kernels get He-scaled values (std sqrt(2 / fan_in)) so activations keep a moderate
    size through many layers and a final softmax does not saturate; batch-norm scales and
    variances stay in [0.5, 1.5].
    """
    rng = np.random.default_rng(seed)
    values = []
    for weight in model.weights:
        shape = tuple(weight.shape)
        if "variance" in weight.path or "gamma" in weight.path:
            value = rng.uniform(0.5, 1.5, size=shape)
        elif len(shape) >= 2:
            value = rng.normal(0.0, np.sqrt(2.0 / np.prod(shape[:-1])), size=shape)
        else:
            value = rng.normal(0.0, 0.3, size=shape)
        values.append(value.astype("float32"))
    model.set_weights(values)


def weight_shapes(model) -> list[tuple]:
    return [tuple(w.shape) for w in model.weights]


def copy_weights(source, target, report: Report) -> None:
    """Copy `source`'s weights into `target`; stop with a message if their shapes differ."""
    have, want = weight_shapes(target), weight_shapes(source)
    if have != want:
        index = next((i for i, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
        report.require(False, "", f"the weights differ from the expected ones: {len(have)} weight tensors "
                                  f"instead of {len(want)}; first difference at tensor {index} "
                                  f"(yours {have[index] if index < len(have) else 'missing'}, "
                                  f"expected {want[index] if index < len(want) else 'none'})")
    target.set_weights(source.get_weights())


def copy_weights_by_role(reference_paths, answer_paths, report: Report, what: str, advice: str) -> None:
    """Load each reference layer's weights into the learner's layer of the same role: paths (lists
    of layers, e.g. a block's main path and shortcut, or a module's branches) pair up in order, and
    within a path the layers that have weights pair up in order. A batch-norm epsilon is not a
    mistake: the reference adopts the learner's."""
    for reference_path, answer_path in zip(reference_paths, answer_paths):
        weighted = zip([layer for layer in reference_path if layer.weights],
                       [layer for layer in answer_path if layer.weights])
        for reference_layer, answer_layer in weighted:
            have, want = weight_shapes(answer_layer), weight_shapes(reference_layer)
            report.require(have == want, "", f"{what}: {type(answer_layer).__name__} weights {have}, expected "
                                             f"{want} -- {advice}")
            answer_layer.set_weights(reference_layer.get_weights())
            if hasattr(reference_layer, "epsilon"):
                reference_layer.epsilon = answer_layer.epsilon


def compare_outputs(answer, reference, inputs, report: Report, training: bool = False,
                    atol: float = 1e-4, what: str = "outputs") -> bool:
    """Check that two models give the same outputs on `inputs` (same weights assumed)."""
    mode = "training" if training else "inference"
    got = np.asarray(answer(inputs, training=training))
    want = np.asarray(reference(inputs, training=training))
    if got.shape != want.shape:
        return report.check(False, "", f"{what} in {mode} mode have shape {got.shape}, expected {want.shape}")
    error = float(np.max(np.abs(got - want))) if got.size else 0.0
    scale = float(np.max(np.abs(want))) if want.size else 1.0
    return report.check(error <= atol * max(1.0, scale),
                        f"same {what} as the reference with identical weights ({mode} mode)",
                        f"{what} differ from the reference with identical weights in {mode} mode "
                        f"(max difference {error:.3g})")


def layer_signature(model) -> list[str]:
    """The layers that define what a model (or a list of layers) computes, as short tokens.

    ``ReLU()``, ``Activation("relu")`` and ``Conv2D(..., activation="relu")`` all give
    ``relu``, and a 1x1 convolution's padding is ignored ("same" and "valid" compute the same),
    so that equivalent spellings compare equal.
    """
    from keras import layers

    tokens = []
    for layer in getattr(model, "layers", model):
        if isinstance(layer, layers.InputLayer):
            continue
        kind = type(layer).__name__
        if isinstance(layer, layers.Conv2D):
            kernel, strides = "x".join(map(str, layer.kernel_size)), "x".join(map(str, layer.strides))
            padding = "valid" if tuple(layer.kernel_size) == (1, 1) else layer.padding  # 1x1: no padding needed
            tokens.append(f"Conv2D({layer.filters}, {kernel}, strides {strides}, {padding}, bias={layer.use_bias})")
        elif isinstance(layer, layers.Dense):
            tokens.append(f"Dense({layer.units})")
        elif isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D)):
            tokens.append(f"{kind}({'x'.join(map(str, layer.pool_size))}, strides "
                          f"{'x'.join(map(str, layer.strides))}, {layer.padding})")
        elif isinstance(layer, layers.ReLU):
            tokens.append("relu")
        elif isinstance(layer, layers.Softmax):
            tokens.append("softmax")
        elif isinstance(layer, layers.Activation):
            tokens.append(getattr(layer.activation, "__name__", str(layer.activation)))
        elif isinstance(layer, layers.Rescaling):
            scale = float(np.asarray(layer.scale))
            shown = f"1/{round(1 / scale)}" if scale and abs(1 / scale - round(1 / scale)) < 1e-6 else f"{scale:g}"
            offset = float(np.asarray(layer.offset))
            tokens.append(f"Rescaling({shown}{f', offset={offset:g}' if offset else ''})")
        else:
            tokens.append(kind)
        activation = getattr(layer, "activation", None)
        name = getattr(activation, "__name__", None)
        if not isinstance(layer, layers.Activation) and name not in (None, "linear"):
            tokens.append(name)
    return tokens


def describe_difference(answer_tokens: list[str], reference_tokens: list[str]) -> str:
    """Name the first place where two layer signatures differ, in words.

    Steps count layers and fused activations (``Dense(..., activation="softmax")`` is two
    steps: ``Dense`` then ``softmax``).
    """
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
        inputs = keras.Input(input_shape)
        outputs = report.call(block, inputs, *args, what=call)
        report.require(type(outputs).__name__ == "KerasTensor", "returns a tensor",
                       f"{call} returned {type(outputs).__name__}: a block returns the output tensor of its "
                       f"last layer (x = layer(x) ... return x)")
        reference_inputs = keras.Input(input_shape)
        reference = keras.Model(reference_inputs, reference_block(reference_inputs, *args))
        model = keras.Model(inputs, outputs)
        got, want = tuple(model.output_shape[1:]), tuple(reference.output_shape[1:])
        advice = f" ({shape_advice(got, want)})" if shape_advice and got != want else ""
        report.require(got == want, f"{call} -> {want}", f"{call} gives shape {got}, expected {want}{advice}")
        difference = describe_difference(layer_signature(model), layer_signature(reference))
        report.require(not difference, "the right layers in the right order", f"{call}: {difference}")
        randomize_weights(reference, seed=case)
        copy_weights(reference, model, report)
        compare_outputs(model, reference, fixed_inputs((2, *input_shape), seed=case, low=-1, high=1), report)


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

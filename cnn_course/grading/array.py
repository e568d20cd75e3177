"""The array engine: array transforms (a 1x1 convolution in NumPy, a kernel's layout, a colour shift, the ten crops,
an ensemble's average), on small cases first, then fresh ones; each check has its own message: the inputs left as
they were, an array of numbers, the reference's shape, its values (the likely mistake named), the inputs' dtype."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from cnn_course.grading.grading_base import state, what_changed
from cnn_course.grading.mistakes import named, precision_lost, same_value
from cnn_course.grading.report import Report, described, described_by

FRESH_CASES = 2


@dataclass(frozen=True)
class ArrayExercise:
    """What an array exercise asks for; its grader is ``check_<exercise>``."""

    exercise: str
    reference: Callable  # the package's function, called with a case's arguments
    cases: Sequence  # fixed cases (any description of one: a shape, a dtype, ...)
    draw: Callable  # rng -> a fresh case; FRESH_CASES are drawn at every grading
    arguments: Callable  # (case, rng) -> the tuple of arguments the answer receives
    describe: Callable  # (case, arguments) -> the call as the learner reads it
    success: str  # what a passing answer did
    atol: float | Callable = 1e-4  # the tolerance on values, or (arguments) -> it
    mistakes: Sequence[tuple] = ()  # (advice, compute): compute(*arguments) is what the mistake returns
    advise: Callable | None = None  # (arguments, got) -> advice when no mistake matches
    shape_advice: Callable | None = None  # (arguments, got shape, expected shape) -> advice
    keeps_dtype: bool = False  # the answer has the reference's dtype
    # answer -> np.ndarray, or None when it is not an array; run while the answer is watched, so a function of
    # this module (`numpy_only`, `shaped`), whose calls do not count as the answer's
    as_array: Callable | None = None
    hints: Sequence[tuple] = ()  # (text, advice) for errors the answer raises
    inputs: Sequence[str] = ()  # the arguments' names in messages, e.g. ("the images", "crop_size")
    result: str = "the result"  # what the answer returns, in messages ("views")
    leave_advice: str = "return a new array and leave the inputs as they were"
    dtype_advice: str = "convert with .astype(...) at the end"  # how to keep the inputs' dtype
    ragged_advice: str = ""  # what arrays of different shapes in a returned list most likely mean


def array_grader(spec: ArrayExercise, answer_key=(), seconds: float = 30):

    def check(answer, report: Report) -> None:
        rng = np.random.default_rng()
        for case in spec.cases:  # their arguments the same at every grading
            grade_case(answer, spec, case, np.random.default_rng(0), report)
        for _ in range(FRESH_CASES):  # fresh shapes, and fresh values
            grade_case(answer, spec, spec.draw(rng), rng, report)
        report.success(spec.success)

    return described_by(spec, check, answer_key, seconds)


def grade_case(answer, spec: ArrayExercise, case, rng, report: Report) -> None:
    """Every check of one case, its arguments drawn with `rng`; stops at the first that fails."""
    arguments = spec.arguments(case, rng)
    originals, what = [snapshot(argument) for argument in arguments], spec.describe(case, arguments)
    want = np.asarray(spec.reference(*arguments))  # before the answer runs: nothing it does to the inputs counts
    returned, got = report.call(answer, *arguments, what=what, hints=spec.hints,
                                read=lambda returned: (returned, (spec.as_array or to_array)(returned)))
    for index, (argument, original) in enumerate(zip(arguments, originals)):
        how = changed(original, snapshot(argument))
        name = spec.inputs[index] if index < len(spec.inputs) else f"argument {index + 1}"
        report.precondition(not how, f"{what} changed {name} it was given ({how}): {spec.leave_advice}")
    shapes = {_shape(item) for item in returned} if isinstance(returned, (list, tuple)) else set()
    report.precondition(len(shapes) < 2, f"{what} returned arrays of different shapes {sorted(shapes)}" +
                        (f": {spec.ragged_advice}" if spec.ragged_advice else ""))
    report.precondition(got is not None and got.dtype.kind in "uifb", f"{what} returned {described(returned)}: "
                        f"return {spec.result} as a NumPy array of numbers")
    if got.shape != want.shape:
        advice = spec.shape_advice(arguments, got.shape, want.shape) if spec.shape_advice else ""
        report.fail(f"{what} returned shape {got.shape}, expected {want.shape}" + (f" -- {advice}" if advice else ""))
    atol = spec.atol(arguments) if callable(spec.atol) else spec.atol
    if not same_value(got, want, atol):
        hint = named(got, spec.mistakes, *arguments, same=lambda a, b: same_value(a, b, atol)) or \
            precision_lost(got, want, atol) or (spec.advise(arguments, got) if spec.advise else "")
        error = np.abs(got.astype("float64") - want.astype("float64")).max()
        report.fail(f"{what} differs from the expected result (largest difference {error:.3g})" +
                    (f" -- {hint}" if hint else ""))
    source = spec.inputs[0] if spec.inputs else "the input"
    report.precondition(not spec.keeps_dtype or got.dtype == want.dtype,
                        f"{what} returned {spec.result} of {got.dtype} for {source} of {want.dtype}: keep its dtype "
                        "-- " + ("return an array: Python lists lose it" if isinstance(returned, list)
                                 else spec.dtype_advice))


def _shape(item) -> tuple:
    try:
        return tuple(np.shape(item))
    except (ValueError, TypeError):  # a ragged item itself
        return ("ragged",)


def to_array(answer):
    """A learner's answer as a NumPy array (a NumPy array, a backend tensor, a list of arrays), or None."""
    import keras

    try:
        if keras.ops.is_tensor(answer):
            return keras.ops.convert_to_numpy(answer)
        return None if answer is None or np.isscalar(answer) or callable(answer) else np.asarray(answer)
    except Exception:  # anything that cannot be read as an array is not one
        return None


def numpy_only(answer):
    """A NumPy array as NumPy holds it (a subclass's own dtype or __class__ aside), anything else None (an exercise
    that asks for NumPy)."""
    return np.asarray(answer) if issubclass(type(answer), np.ndarray) else None


def shaped(answer):
    """`to_array` of an array or a tensor of any library (a shape, and indexing), else None: not a list, nor an object
    that only has a shape and values, which the notebook cannot index (read all the same, as the answer is watched)."""
    array = to_array(answer) if hasattr(answer, "shape") else None
    return array if hasattr(type(answer), "__getitem__") else None


class Model(NamedTuple):
    """A model given to the answer, and its `state` before the answer ran."""

    model: object
    state: tuple


def snapshot(value):
    """What `value` holds, to tell later whether it changed: arrays copied, sequences item by item, models' `state`."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value), [id(item) for item in value], [snapshot(item) for item in value]
    if hasattr(value, "get_weights"):
        return Model(value, state(value))
    return value


def changed(before, after) -> str:
    """How a value changed between two snapshots, in words ('' when it did not)."""
    if isinstance(before, np.ndarray) or isinstance(after, np.ndarray):
        both = isinstance(before, np.ndarray) and isinstance(after, np.ndarray)
        if both and (before.dtype, before.shape) != (after.dtype, after.shape):
            return f"its {'shape' if before.dtype == after.dtype else 'dtype'}: reshape or convert a copy"
        return "" if both and np.array_equal(before, after, equal_nan=True) else "its values"
    if isinstance(before, Model):
        return what_changed(before.state, before.model)
    if isinstance(before, tuple) and len(before) == 3 and before[0] in (list, tuple):
        if before[:2] != after[:2]:
            return "which items it holds: popped, appended or sorted?"
        return next((how for how in map(changed, before[2], after[2]) if how), "")
    return "" if before is after or before == after else "its value"

"""The formula engine: numbers from numbers (an output size, a count of multiplications, a rounded channel count).
The answer is called on the lecture's cases and on fresh ones, so that a table of fixed answers cannot pass; its form
is checked, then its values, and the likely mistake is named: the description's, the parts or arguments reordered."""

from __future__ import annotations

import decimal
import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from keras.ops import is_tensor

from cnn_course.grading.mistakes import named, named_everywhere
from cnn_course.grading.report import Report, described, described_by

FRESH_CASES = 5


@dataclass(frozen=True)
class Formula:
    """What a formula exercise asks for; its grader is ``check_<exercise>``."""

    exercise: str
    reference: Callable  # the package's function: a case's arguments -> the right answer
    arguments: Sequence[str]  # the arguments' names, in order
    cases: Sequence[tuple]  # fixed argument tuples: the lecture's numbers and the edge cases
    draw: Callable  # rng -> a fresh case; FRESH_CASES are drawn at every grading
    success: str  # what a passing answer did
    parts: Sequence[str] = ()  # names of the returned numbers, e.g. ("depthwise", "pointwise"); () for one number
    integers: bool = True  # counts (ints, compared exactly) or measures (reals, relative tolerance 1e-6)
    mistakes: Sequence[tuple] = ()  # (advice, formula) of the whole answer: on every case, then on the first wrong one
    part_mistakes: dict = field(default_factory=dict)  # {part: [(advice, formula of that part)]}
    one_number: Sequence[tuple] = ()  # (advice, formula) of one number returned where a tuple is due
    parts_advice: str = ""  # said after "return them as (parts)" when the parts come in another order
    advise: Callable | None = None  # (case, answer) -> advice when no table names the mistake
    call: Callable = tuple  # case -> the arguments the answer is called with (e.g. a default left out)


IN_INT32 = ("computed in int32 (np.prod's integers on Windows), which wraps round above 2,147,483,647: multiply "
            "Python ints")


def product_in(dtype: str, *factors) -> int:
    """The product as np.prod computes it in `dtype`: int32 wraps round past 2**31, float32 keeps 24 bits."""
    return int(np.prod(factors, dtype=dtype))


def formula_grader(spec: Formula, answer_key=()):

    def check(answer, report: Report) -> None:
        rng = np.random.default_rng()
        cases = [*spec.cases, *(tuple(spec.draw(rng)) for _ in range(FRESH_CASES))]
        answers = {case: _answer(answer, spec, case, report) for case in cases}
        wrong = [case for case in cases if not _equal(answers[case], spec.reference(*case), spec.integers)]
        if wrong:
            report.fail(_wrong_message(spec, wrong[0], answers))
        for case, got in answers.items():
            values = got if spec.parts else (got,)
            if spec.integers and not all(isinstance(value, numbers.Integral) for value in values):
                report.fail(f"{_what(spec, case)} returned {got!r}" + (": return ints (they count)" if spec.parts else
                            ", a float: return an int (integer division // keeps ints)"))
        report.success(spec.success)

    return described_by(spec, check, answer_key, seconds=5)


def _what(spec: Formula, case) -> str:
    return f"{spec.exercise}({', '.join(map(repr, spec.call(case)))})"


def _plain(value):
    """Numbers as Python's own ints and floats (from 0-d arrays, NumPy scalars, subclasses, a Decimal), in a tuple too
    -- a list or a 1-D NumPy array is read as one, since the notebook unpacks it; a tensor or a fraction is left as it
    is (and refused)."""
    if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return tuple(_plain(item) for item in value)
    if getattr(value, "ndim", None) == 0 and hasattr(value, "__array__") and not is_tensor(value):
        value = np.asarray(value).item()
    if isinstance(value, decimal.Decimal) and value.is_finite():  # not registered as a Real, but printed as one
        value = int(value) if value == value.to_integral_value() else float(value)
    try:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return int(value)
        plain = isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Rational))
        return float(value) if plain else value
    except (TypeError, ValueError, OverflowError):  # registered as a number, but not one Python can convert
        return value


def _finite(value) -> bool:
    """A finite number; an int always is (``math.isfinite`` would overflow converting a large one), and an integral
    `_plain` could not make an int is none."""
    try:
        return isinstance(value, int) or not isinstance(value, numbers.Integral) and math.isfinite(value)
    except (OverflowError, TypeError, ValueError):  # a Real of its own kind too large for a float, or none at all
        return False


def _answer(answer, spec: Formula, case, report: Report):
    """The answer's value for one case, of the exercise's form (or grading stops)."""
    what = _what(spec, case)
    returned, got = report.call(answer, *spec.call(case), what=what, read=lambda value: (value, _plain(value)))
    values = got if isinstance(got, tuple) else (got,)
    tensors = [type(value).__name__ for value in values if is_tensor(value)]
    report.precondition(not tensors, f"{what} returned a tensor ({tensors[0] if tensors else ''}): return plain "
                        f"numbers, float(...) or int(...) of it -- the notebook computes and prints with them")
    ratios = [type(value).__name__ for value in values if isinstance(value, numbers.Rational)
              and not isinstance(value, numbers.Integral)]  # a Fraction, sympy's or gmpy2's: no float
    report.precondition(not ratios, f"{what} returned a {ratios[0] if ratios else ''}: return "
                        f"{'int' if spec.integers else 'float'}(...) of it -- the notebook prints it with a format a "
                        f"fraction lacks")
    number = isinstance(got, numbers.Real) and not isinstance(got, bool)
    if not spec.parts:
        report.precondition(number, f"{what} returned {described(returned)}: return one number" +
                            (", an int" if spec.integers else ""))
        report.precondition(_finite(got), f"{what} returned {_repr(got)}")
        return got
    count, listed = len(spec.parts), ", ".join(spec.parts)
    if number:
        hint = named(got, spec.one_number, *case)
        report.fail(f"{what} returned one number, {_repr(got)}" + (f": that is {hint}" if hint else "") +
                    f"; return the {count} as a tuple, `return {listed}`")
    report.precondition(isinstance(got, tuple) and len(got) == count,
                        f"{what} returned {described(returned)}: return a tuple of {count} numbers, `return {listed}`")
    report.precondition(all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in got),
                        f"{what} returned ({', '.join(type(v).__name__ for v in got)}): return {count} numbers"
                        + _complex_hint(got, spec, case))
    report.precondition(all(_finite(v) for v in got), f"{what} returned {_repr(got)}")
    return got


def _complex_hint(got, spec: Formula, case) -> str:
    """The named mistake that gives these complex numbers (a negative number to a fractional power), else ''."""
    hint = any(isinstance(v, complex) for v in got) and named(got, spec.mistakes, *case)
    return f" -- it {hint}" if hint else ""


def _equal(got, want, integers: bool) -> bool:
    """Same form, and equal numbers: exactly for counts, within a relative 1e-6 for measures."""
    pairs = zip(got, want) if isinstance(want, tuple) else [(got, want)]
    try:
        return np.shape(got) == np.shape(want) and all(a == b if integers else abs(a - b) <= 1e-6 * abs(b)
                                                       for a, b in pairs)
    except OverflowError:  # an int too large to compare with a float: not the number
        return False


def _show(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_show, value)) + ")"
    if isinstance(value, numbers.Integral):
        return f"{value:,}" if abs(value) < 10**18 else f"a number of about {int(value.bit_length() * 0.30103)} digits"
    return f"{value:.6g}"


def _repr(value) -> str:
    """repr, but an int too long to print by its size."""
    if isinstance(value, int) and abs(value) >= 10**18:
        return _show(value)
    try:
        return repr(value)
    except ValueError:
        return _show(value)


def _wrong_message(spec: Formula, case, answers: dict) -> str:
    """What is wrong on the first wrong case, the likely mistake named."""
    got, want, what = answers[case], spec.reference(*case), _what(spec, case)
    same = lambda a, b: _equal(a, b, spec.integers)  # noqa: E731
    order = named_everywhere(answers, _parts_orders(spec), same=same)
    if order:
        return f"{what} returned {_show(got)}: {order} -- return them as ({', '.join(spec.parts)}){spec.parts_advice}"
    # a mistake is named when it gives the answer on every case, or at least on every case the answer gets wrong
    wrong = {case: got for case, got in answers.items() if not same(got, spec.reference(*case))}
    hint = named_everywhere(answers, spec.mistakes, same=same) or named_everywhere(wrong, spec.mistakes, same=same)
    if spec.parts:
        index = next(i for i, (a, b) in enumerate(zip(got, want)) if not _equal(a, b, spec.integers))
        part = spec.parts[index]
        wrong_part = {case: got[index] for case, got in wrong.items()
                      if not same(got[index], spec.reference(*case)[index])}
        hint = hint or named_everywhere(wrong_part, spec.part_mistakes.get(part, ()), same=same)
        shown = [_show(got[index]), _show(want[index])]
        shown = [_repr(got[index]), _repr(want[index])] if shown[0] == shown[1] else shown  # 6 digits alike
        message = f"{what} returned {_show(got)}: the {part} is {shown[0]}, expected {shown[1]}"
    else:
        message = f"{what} returned {_repr(got)}, expected {_show(want)}"
    hint = hint or named_everywhere(answers, _arguments_orders(spec), same=same) or \
        (spec.advise(case, got) if spec.advise else "")
    return message + (f": it {hint}" if hint else "")


def _parts_orders(spec: Formula) -> list:
    """A mistake for each other order of the reference's parts."""
    table = []
    for order in list(itertools.permutations(range(len(spec.parts))))[1:]:
        said = "the two numbers are swapped" if len(order) == 2 else \
            f"the {' and '.join(spec.parts)} in the order ({', '.join(spec.parts[i] for i in order)})"
        table.append((said, lambda *case, order=order: tuple(spec.reference(*case)[i] for i in order)))
    return table


def _arguments_orders(spec: Formula) -> list:
    """A mistake for each other order of the arguments."""
    advice = f"reads its arguments in another order: they are ({', '.join(spec.arguments)})"
    return [(advice, lambda *case, order=order: spec.reference(*(case[i] for i in order)))
            for order in list(itertools.permutations(range(len(spec.arguments))))[1:]]

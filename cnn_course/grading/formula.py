"""The formula engine: graders of exercises that compute numbers from numbers -- an output size, a count of
multiplications, scaling multipliers, a rounded channel count.

A grader is a `Formula`: the package's own function as the reference, the lecture's cases, a way to draw
fresh cases (so that a table of the fixed cases' answers cannot pass), and the named mistakes. The engine
calls the answer on every case, checks the form of what comes back (one number, or a tuple of named
parts), compares it with the reference, and names the likely mistake: one of the table's, the parts in
another order, or the arguments read in another order.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cnn_course.grading.mistakes import named, named_everywhere
from cnn_course.grading.report import Report, described, described_by

FRESH_CASES = 5


@dataclass(frozen=True)
class Formula:
    """What a formula exercise asks for.

    Attributes:
        exercise: its name; the grader is ``check_<exercise>``.
        reference: the package's function computing the right answer from a case's arguments.
        arguments: the arguments' names, in order (the argument-order hint reads them).
        cases: fixed argument tuples: the lecture's numbers and the edge cases.
        draw: ``rng -> case``, a fresh case; `FRESH_CASES` are drawn at every grading.
        parts: names of the returned numbers, e.g. ``("depthwise", "pointwise")``; () for one number.
        integers: the answer counts (ints, compared exactly) or measures (reals, relative tolerance 1e-6).
        mistakes: ``(advice, formula)`` pairs for the whole answer, looked up on every case, then on the
            first wrong one.
        part_mistakes: ``{part: [(advice, formula of that part)]}`` for one wrong part.
        one_number: ``(advice, formula)`` pairs for an answer that is one number where a tuple is due.
        parts_advice: said after "return them as (parts)" when the parts come in another order.
        advise: ``(case, answer) -> advice`` when no table names the mistake.
        call: ``case -> arguments`` passed to the answer (e.g. a default left out).
        success: what a passing answer did.
    """

    exercise: str
    reference: Callable
    arguments: Sequence[str]
    cases: Sequence[tuple]
    draw: Callable
    success: str
    parts: Sequence[str] = ()
    integers: bool = True
    mistakes: Sequence[tuple] = ()
    part_mistakes: dict = field(default_factory=dict)
    one_number: Sequence[tuple] = ()
    parts_advice: str = ""
    advise: Callable | None = None
    call: Callable = tuple


def formula_grader(spec: Formula, answer_key=()):
    """``check_<exercise>(answer) -> Report`` for `spec`."""

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
                report.fail(f"{_what(spec, case)} returned {got!r}" + (", a float" if not spec.parts else "") +
                            (": return ints (they count)" if spec.parts else ": return an int (integer division // "
                                                                             "keeps ints)"))
        report.success(spec.success)

    return described_by(spec, check, answer_key, seconds=5)


def _what(spec: Formula, case) -> str:
    return f"{spec.exercise}({', '.join(map(repr, spec.call(case)))})"


def _answer(answer, spec: Formula, case, report: Report):
    """The answer's value for one case, checked to have the exercise's form (or grading stops)."""
    what = _what(spec, case)
    got = report.call(answer, *spec.call(case), what=what)
    number = isinstance(got, numbers.Real) and not isinstance(got, bool)
    if not spec.parts:
        report.precondition(number, f"{what} returned {described(got)}: return one number" +
                            (", an int" if spec.integers else ""))
        report.precondition(math.isfinite(got), f"{what} returned {got!r}")
        return got
    count, listed = len(spec.parts), ", ".join(spec.parts)
    if number:
        hint = named(got, spec.one_number, *case)
        report.fail(f"{what} returned one number, {got!r}" + (f": that is {hint}" if hint else "") +
                    f"; return the {count} as a tuple, `return {listed}`")
    report.precondition(isinstance(got, tuple) and len(got) == count,
                        f"{what} returned {described(got)}: return a tuple of {count} numbers, `return {listed}`")
    report.precondition(all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in got),
                        f"{what} returned ({', '.join(type(v).__name__ for v in got)}): return {count} numbers")
    report.precondition(all(math.isfinite(v) for v in got), f"{what} returned {got!r}")
    return got


def _equal(got, want, integers: bool) -> bool:
    pairs = zip(got, want) if isinstance(want, tuple) else [(got, want)]
    return all(a == b if integers else abs(a - b) <= 1e-6 * abs(b) for a, b in pairs)


def _show(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_show, value)) + ")"
    return f"{value:,}" if isinstance(value, numbers.Integral) else f"{value:.6g}"


def _wrong_message(spec: Formula, case, answers: dict) -> str:
    """What is wrong on the first wrong case, with the likely mistake named."""
    got, want, what = answers[case], spec.reference(*case), _what(spec, case)
    order = _parts_order(spec, answers)
    if order:
        return (f"{what} returned {_show(got)}: " + ("the two numbers are swapped" if len(order) == 2 else
                f"the {' and '.join(spec.parts)} in the order ({', '.join(order)})") +
                f" -- return them as ({', '.join(spec.parts)}){spec.parts_advice}")
    same = lambda a, b: _equal(a, b, spec.integers) if np.shape(a) == np.shape(b) else False  # noqa: E731
    hint = named_everywhere(answers, spec.mistakes, same=same) or named(got, spec.mistakes, *case, same=same)
    if spec.parts:
        index = next(i for i, (a, b) in enumerate(zip(got, want)) if not _equal(a, b, spec.integers))
        part = spec.parts[index]
        hint = hint or named(got[index], spec.part_mistakes.get(part, ()), *case, same=same)
        message = f"{what} returned {_show(got)}: the {part} is {_show(got[index])}, expected {_show(want[index])}"
    else:
        message = f"{what} returned {got!r}, expected {_show(want)}"
    hint = hint or _arguments_order(spec, answers) or (spec.advise(case, got) if spec.advise else "")
    return message + (f": it {hint}" if hint else "")


def _parts_order(spec: Formula, answers: dict):
    """The order of the parts when every answer is the reference's parts in another order, else None."""
    for order in itertools.permutations(range(len(spec.parts))):
        if order != tuple(range(len(spec.parts))) and all(
                _equal(got, tuple(spec.reference(*case)[i] for i in order), spec.integers)
                for case, got in answers.items()):
            return [spec.parts[i] for i in order]
    return None


def _arguments_order(spec: Formula, answers: dict) -> str:
    """The hint when every answer is the reference's for the same reordering of its arguments."""
    same = lambda a, b: np.shape(a) == np.shape(b) and _equal(a, b, spec.integers)  # noqa: E731
    for order in itertools.permutations(range(len(spec.arguments))):
        reordered = [(f"reads its arguments in another order: they are ({', '.join(spec.arguments)})",
                      lambda *case, order=order: spec.reference(*(case[i] for i in order)))]
        if order != tuple(range(len(order))) and named_everywhere(answers, reordered, same=same):
            return reordered[0][0]
    return ""

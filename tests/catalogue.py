"""Shared machinery of the grader catalogues: every wrong answer rejected with the hint it deserves, every right
one accepted -- each answer graded once."""

import numbers

import pytest

from cnn_course.grading import report as report_module

ANSWER_KEY = "answer key: "  # a wrong answer so named calls the course's own implementation
TIMED_OUT = "did not finish"  # the hint of an answer that never returns


class Lazy:
    """An array that computes itself only when the grader reads it: an answer that calls the course's own function
    from here must still be told it calls a ready-made answer."""

    shape = None

    def __init__(self, compute):
        self.compute = compute

    def __array__(self, dtype=None, copy=None):
        return self.compute()


class LazyNumber(Lazy):
    """A number that computes itself only when the grader reads it, as `Lazy`."""

    def __int__(self):
        return int(self.compute())

    __index__ = __int__

    def __float__(self):
        return float(self.compute())


numbers.Integral.register(LazyNumber)


def pretender(kind, **attributes):
    """An object that says it is a `kind` (its ``__class__``), with `attributes`, and is none: what a grader reads of
    it must go by its type."""
    return type("Pretender", (), {"__class__": property(lambda self: kind), **attributes})()


class BrokenMessage(Exception):
    """A learner's exception whose message itself raises (its ``__str__`` reads an attribute never set)."""

    def __str__(self):
        return f"bad value {self.value}"


def raises_a_broken_message(*args, **kwargs):
    raise BrokenMessage()


BROKEN_MESSAGE = "its message cannot be shown"  # the hint of `raises_a_broken_message`


class Anything:
    """Registered as an integer, equal to everything, and no number int() can read: it computes nothing."""

    __hash__ = object.__hash__

    def __eq__(self, other):
        return True

    def __int__(self):
        raise TypeError("not a number")


numbers.Integral.register(Anything)


def stub(*args, **kwargs):
    """The learner's untouched exercise."""
    raise NotImplementedError()


def assert_rejected(report):
    """Rejected for a reason the learner can read -- not because the grader itself broke."""
    assert not report.passed and report.first_failure, str(report)
    assert report.status != "error", str(report)


def catalogue(check, wrong: dict, right: dict, hints: dict | None = None):
    """Two parametrized tests for a grader: ``test_rejects`` over `wrong`, ``test_accepts`` over `right`.

    A wrong entry is an answer, or ``(answer, hint)``; `hints` may also give ``{name: hint}``. A hint (a string,
    or a tuple of strings) must appear in the first failing check: the mistake is named, not only caught. A wrong
    answer whose name starts with `ANSWER_KEY` must be told it calls a ready-made answer.
    """
    unknown = set(hints or {}) - set(wrong)
    assert not unknown, f"hints for answers the catalogue does not hold: {unknown}"

    @pytest.mark.parametrize("name", list(wrong))
    def test_rejects(name, monkeypatch):
        answer, hints_ = wrong[name] if isinstance(wrong[name], tuple) else (wrong[name], (hints or {}).get(name, ()))
        if TIMED_OUT in hints_:  # an answer that never returns: stopped by the grader's limits, here a tenth as long
            limit = report_module.time_limit
            monkeypatch.setattr(report_module, "time_limit", lambda seconds, boundary: limit(seconds / 10, boundary))
        report = check(answer)
        assert_rejected(report)
        if answer is stub:
            assert report.status == "not implemented" and "not implemented" in report.first_failure
        if name.startswith(ANSWER_KEY):
            assert "ready-made answer" in report.first_failure, str(report)
        for hint in (hints_,) if isinstance(hints_, str) else hints_:
            assert hint in report.first_failure, str(report)

    @pytest.mark.parametrize("name", list(right))
    def test_accepts(name):
        report = check(right[name])
        assert report.passed, str(report)

    return test_rejects, test_accepts

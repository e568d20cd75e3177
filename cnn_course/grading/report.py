"""The `Report` every grader fills in, and `grader`, the decorator that makes a grader never raise: a stub, a crash,
a hang, a call of the answer key or a wrong type all become a failed check with a message that names it -- a pass/fail
list in a notebook, a summary for ``python -m cnn_course grade``."""

from __future__ import annotations

import functools
import html
import json
import re
import sys
import time
import traceback

from cnn_course.grading.answer_key import Watch, out_of_reach, tripped
from cnn_course.grading.limits import TimeLimit, raised_by_the_answer, settings_kept, time_limit

MIME_TYPE = "application/vnd.cnn-course.grade+json"
# What a learner's stub raises (notebooks.contract.stub writes it), so a grader can tell which exercise is missing.
STUB_MESSAGE = "{exercise} is not written yet: replace this line with your code"
_STUB = re.compile(r"(Exercise \d+ — (\w+)) is not written yet")
_MARK, _COLOUR = {True: "✓", False: "✗"}, {True: "#1a7f37", False: "#cf222e"}


class Stop(Exception):
    """Ends a grader early when a failed check makes the next ones meaningless."""


class Report:
    """The outcome of grading one exercise: an ordered list of (passed, message) checks."""

    def __init__(self, exercise: str, answer_key=(), seconds: float = 60):
        self.exercise = exercise
        self.answer_key = tuple(answer_key)  # library functions the answer may not call, besides `answer_key`'s own
        self.seconds = seconds  # the time limit of each call of the learner's code; three times that in all
        self.deadline = time.monotonic() + 3 * seconds
        self.checks: list[tuple[bool, str]] = []
        self.status = "graded"  # or "not implemented", "error"
        self.differentiated = False  # a network's gradients compared once (a cut is in its structure, in every case)

    @property
    def passed(self) -> bool:
        return self.status == "graded" and bool(self.checks) and all(ok for ok, _ in self.checks)

    @property
    def first_failure(self) -> str:
        return next((message for ok, message in self.checks if not ok), "")

    def assert_passed(self) -> Report:
        """The report itself when every check passed, else AssertionError carrying it: an autograder such as
        nbgrader gives a test cell its points only when the cell raises nothing."""
        if not self.passed:
            raise AssertionError(str(self))
        return self

    def check(self, ok: bool, passed: str, failed: str) -> bool:
        """A listed check: `passed` says what was verified, `failed` what is likely wrong."""
        if not passed:
            raise ValueError("a listed check says what passed; use precondition() for a silent one")
        self.checks.append((bool(ok), passed if ok else failed))
        return bool(ok)

    def require(self, ok: bool, passed: str, failed: str) -> None:
        """Like `check`, but stop grading here when it fails (later checks depend on it)."""
        if not self.check(ok, passed, failed):
            raise Stop

    def precondition(self, ok: bool, failed: str) -> None:
        """A condition later checks rely on: silent when it holds, a failed check that stops when not."""
        if not ok:
            self.fail(failed)

    def fail(self, failed: str):
        self.checks.append((False, failed))
        raise Stop

    def fail_quietly(self, failed: str) -> None:
        """Record a failed check where grading has already stopped (no `Stop` raised)."""
        self.checks.append((False, failed))

    def success(self, passed: str) -> None:
        """Record a passed check that sums up the silent ones before it."""
        self.checks.append((True, passed))

    def call(self, function, *args, what: str = "", hints=(), read=lambda returned: returned, **kwargs):
        """Call the learner's function under the time limit, the key out of reach; `hints`: ``(text, advice)`` added
        when the error message contains text (advice may be a function of the message); `read` converts what it
        returns there too (an object of the answer's may compute when it is read)."""
        if not callable(function):
            self.fail(f"expected a function, got {type(function).__name__}")
        what = what or getattr(function, "__name__", "your function")
        left, watch = self.deadline - time.monotonic(), Watch()
        try:
            limit = time_limit(max(min(self.seconds, left), 0.01), sys._getframe())
            with limit, out_of_reach(self.answer_key, watch), settings_kept():
                returned = read(function(*args, **kwargs))
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # a crash in the learner's code is a finding, not a grader failure
            self._refuse_the_key(tripped(error) or watch.tripped, what)
            message = message_of(error)
            if isinstance(error, TimeLimit):
                self.fail(f"{what} did not finish within {self.seconds:g} s" + (
                    " (each call)" if left > self.seconds else f" (the grading's {3 * self.seconds:g} s in all)") +
                    ": is there a loop that never ends, or work done pixel by pixel in Python that NumPy or Keras "
                    "could do at once?")
            if isinstance(error, NotImplementedError) and _stub(error, function, message):
                self.status = "not implemented"
                earlier = _STUB.search(message)
                if earlier and earlier.group(2) != self.exercise:
                    self.fail(f"{what} calls {earlier.group(2)}, and {earlier.group(1)} is not written yet: finish "
                              f"that exercise first")
                self.fail("not implemented yet: replace the `raise NotImplementedError` stub" if earlier or not
                          message else f"{what} raised NotImplementedError: {first_line(error, message)} -- a part of "
                          f"the exercise this call needs is not written yet")
            advice = "".join(f" -- {advice(message) if callable(advice) else advice}" for text, advice in hints
                             if text in message)
            self.fail(f"{what} raised {type(error).__name__}: {first_line(error, message)}{advice}")
        self._refuse_the_key(watch.tripped, what)  # tripped, caught by the answer, which went on
        return returned

    def _refuse_the_key(self, key: str | None, what: str) -> None:
        if key:
            self.fail(f"{what} calls {key}" + (": leave the grader's limits as they are" if key.endswith("watch off")
                      else ", a ready-made answer to this exercise or a part of it: write it yourself -- that is the "
                           "exercise"))

    def attempt(self, function, failed: str):
        """Run grader code on what the answer produced; an exception there is the answer's: `failed` and stop."""
        try:
            with time_limit(self.seconds, sys._getframe()):
                return function()
        except (Exception, TimeLimit) as error:
            self.fail(f"{failed} ({'too slow' if isinstance(error, TimeLimit) else type(error).__name__}: "
                      f"{first_line(error)})")

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else ("NOT IMPLEMENTED" if self.status == "not implemented" else "FAILED")
        lines = [f"{self.exercise}: {verdict} ({sum(ok for ok, _ in self.checks)}/{len(self.checks)} checks)"]
        return "\n".join(lines + [f"  {_MARK[ok]} {message}" for ok, message in self.checks])

    __repr__ = __str__

    def _repr_mimebundle_(self, include=None, exclude=None):
        items = "".join(f"<li style='color:{_COLOUR[ok]}'>{_MARK[ok]} {html.escape(message)}</li>"
                        for ok, message in self.checks)
        head = f"<b style='color:{_COLOUR[self.passed]}'>{html.escape(str(self).splitlines()[0])}</b>"
        summary = {"exercise": self.exercise, "passed": self.passed, "status": self.status,
                   "first_failure": self.first_failure, "checks": len(self.checks)}  # for `python -m cnn_course grade`
        return {"text/plain": str(self), "text/html": f"<div>{head}<ul style='list-style:none'>{items}</ul></div>",
                MIME_TYPE: json.dumps(summary)}


def _stub(error: NotImplementedError, function, message: str) -> bool:
    """Raised by the learner's function itself (not by a library it called), or naming an exercise in its `message`."""
    trace = error.__traceback__
    while trace.tb_next is not None:
        trace = trace.tb_next
    return trace.tb_frame.f_code is getattr(function, "__code__", None) or bool(_STUB.search(message))


def message_of(error: BaseException) -> str:
    """An error's message; a placeholder when the message itself raises or hangs (a learner's exception class with a
    broken ``__str__``)."""
    try:
        with time_limit(2, sys._getframe()):
            return str(error)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return "(its message cannot be shown: the exception's __str__ fails)"


def first_line(error: BaseException, message: str | None = None) -> str:
    """The first line of an error's message (`message_of`, unless already read), at most 300 characters."""
    text = (message_of(error) if message is None else message).strip().splitlines()
    return text[0][:300] if text else "(no message)"


def described(answer) -> str:
    """What a learner's function returned, for a message: "a list of 3 item(s)", "a float"."""
    if answer is None:
        return "None (is the return statement missing?)"
    if isinstance(answer, (tuple, list)):
        return f"a {type(answer).__name__} of {len(answer)} item(s)"
    return f"a {type(answer).__name__}"


def case_by_case(spec, grade_case):
    """``check(answer, report)``: ``grade_case(answer, spec, case, number, report)`` on every case, then success."""

    def check(answer, report: Report) -> None:
        for number, case in enumerate(spec.cases):
            grade_case(answer, spec, case, number, report)
        report.success(spec.success)

    return check


def described_by(spec, check, answer_key=(), seconds: float = 60):
    """An engine's ``check_<exercise>`` for `spec`, belonging to the module that describes it (the engine's caller)."""
    check.__name__ = check.__qualname__ = f"check_{spec.exercise}"
    check.__module__ = sys._getframe(2).f_globals["__name__"]
    run = grader(spec.exercise, answer_key, seconds)(check)
    run.spec = spec
    return run


def grader(exercise: str, answer_key=(), seconds: float = 60):
    """``check(answer, report)`` -> ``check_<exercise>(answer) -> Report``, which never raises. `answer_key`: library
    functions that would do the exercise (the course's and keras.applications' are always out of reach)."""

    def decorate(check):
        @functools.wraps(check)
        def run(answer=None) -> Report:
            report = Report(exercise, answer_key, seconds)
            try:
                with time_limit(4 * seconds, sys._getframe()):  # the calls' 3x, and the grader's own reading
                    check(answer, report)
            except Stop:
                pass
            except TimeLimit:
                report.fail_quietly(f"the grading took longer than {4 * seconds:g} s in all: does what your function "
                                    f"returns hang when it is read (a method that never returns)?")
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # a grader bug must not break the learner's notebook
                if not raised_by_the_answer(error):
                    report.status = "error"
                    report.checks.append((False, f"the grader could not finish ({type(error).__name__}: "
                                                 f"{first_line(error)}); please report this with your code"))
                    traceback.print_exc(limit=0)
                else:
                    report.fail_quietly(f"what your function returned raised {type(error).__name__} when the grader "
                                        f"read it: {first_line(error)}")
            return report

        run.exercise, run.answer_key = exercise, tuple(answer_key)
        return run

    return decorate

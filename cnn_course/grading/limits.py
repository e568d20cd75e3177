"""What bounds the learner's call: a time limit its code cannot swallow, its global settings undone afterwards (its
global random states watched), and whose code an exception came from."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sys
import tempfile
import threading
import time
import warnings

import numpy as np

from cnn_course.grading.answer_key import LIBRARIES, library_code

RETRY = 0.25  # seconds between alarms past the limit: Python ignores one that lands in a gc callback or a __del__


class TimeLimit(BaseException):
    """Raised in a learner's call past its time limit (a BaseException: ``except Exception`` cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float, boundary=None):
    """Interrupt the ``with`` block after `seconds` with `TimeLimit` (on POSIX, in the main thread; elsewhere it runs
    unlimited), raised again on every line below `boundary` (the ``with``'s frame) so that a bare ``except:`` cannot
    swallow it; the alarm rings again every `RETRY` seconds until the block is left, and the rings Python ignores are
    not printed. Limits nest. A long NumPy call stops only when it returns: graders try small inputs first."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    boundary, own = boundary or sys._getframe(2), sys._getframe().f_code

    def below(frame) -> bool:
        while frame is not None and frame is not boundary:
            frame = frame.f_back
        return frame is boundary

    def stop_line(frame, event, arg):  # not in Python's, a library's or this machinery's code: their cleanup runs
        if event == "line" and frame is not boundary and not library_code(frame.f_code.co_filename) and below(frame):
            raise TimeLimit
        return stop_line

    def expire(signum, frame):
        if frame is not None and (frame.f_code is own or frame.f_code.co_filename == contextlib.__file__):
            return  # the block is being left: its cleanup runs, and the next alarm, if any, raises
        while frame is not None and frame is not boundary:
            frame.f_trace, frame.f_trace_lines, frame = stop_line, True, frame.f_back
        sys.settrace(lambda frame, event, arg: stop_line if below(frame) else None)
        raise TimeLimit

    outer, started = signal.getitimer(signal.ITIMER_REAL)[0], time.monotonic()
    previous, tracing, unraisable = signal.signal(signal.SIGALRM, expire), sys.gettrace(), sys.unraisablehook
    sys.unraisablehook = lambda lost: None if isinstance(lost.exc_value, TimeLimit) else unraisable(lost)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds, RETRY)
    try:
        yield
    finally:  # builtins first: the Python behind signal.signal must run untraced
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.settrace(tracing)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = unraisable
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-3), RETRY)


def raised_by_the_answer(error: BaseException) -> bool:
    """Whether the learner's code (neither the course's, nor Python's, nor a library's) is among the frames `error`
    passed through -- a method of an object it returned."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if not filename.startswith("<frozen") and not os.path.abspath(filename).startswith((package, *LIBRARIES)):
            return True
        trace = trace.tb_next
    return not isinstance(error, Exception)  # a BaseException of its own: only an answer raises one


@contextlib.contextmanager
def settings_kept():
    """The answer's changes to warning filters, Keras' global config and the temporary folder end with its call."""
    import keras

    config = keras.config
    kept = config.floatx(), config.dtype_policy(), config.image_data_format(), config.epsilon(), tempfile.tempdir
    try:
        with warnings.catch_warnings():
            yield
    finally:
        for set_, value in zip((config.set_floatx, config.set_dtype_policy, config.set_image_data_format,
                                config.set_epsilon), kept):
            set_(value)
        tempfile.tempdir = kept[-1]


def random_states_changed(compute) -> tuple:
    """compute()'s result, and which global random state it changed, or "": each is set to one of the grader's own
    for the call (which no seed=0 gives back), then restored."""
    def states():
        numpy_state = np.random.get_state()
        return (numpy_state[1].tobytes(), numpy_state[2]), random.getstate()

    saved = np.random.get_state(), random.getstate()
    np.random.seed(1_000_003)
    random.seed(1_000_003)
    before = states()
    try:
        result = compute()
        names = ("NumPy's global random state (np.random.seed?)", "Python's global random state (random.seed?)")
        return result, next((name for name, was, now in zip(names, before, states()) if was != now), "")
    finally:
        np.random.set_state(saved[0])
        random.setstate(saved[1])

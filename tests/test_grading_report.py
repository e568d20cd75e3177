"""The Report's idioms, and the rules every grader follows (name, never raises, a catalogue)."""

import importlib
import pkgutil
import re
import signal
import sys

import pytest
from catalogue import BROKEN_MESSAGE, raises_a_broken_message

import cnn_course.grading
from cnn_course.config import REPO_ROOT
from cnn_course.grading import Report, grader
from cnn_course.notebooks.contract import grader_name


def test_idioms():
    report = Report("x")
    assert report.check(True, "listed pass", "unused") and report.checks == [(True, "listed pass")]
    report.precondition(True, "not listed")
    report.success("sums up the silent ones")
    assert not report.check(False, "unused", "listed failure")
    assert [ok for ok, _ in report.checks] == [True, True, False] and report.first_failure == "listed failure"
    with pytest.raises(ValueError, match="precondition"):
        report.check(True, "", "a listed check must say what passed")


@pytest.mark.parametrize("stop", [lambda r: r.require(False, "p", "stopped"),
                                  lambda r: r.precondition(False, "stopped"), lambda r: r.fail("stopped")])
def test_stopping_idioms_end_the_grader_with_a_report(stop):
    @grader("demo")
    def check_demo(answer, report):
        stop(report)
        report.success("never reached")

    report = check_demo(None)
    assert not report.passed and report.first_failure == "stopped" and len(report.checks) == 1


def test_a_stub_and_a_crash_become_findings_not_errors():
    @grader("demo")
    def check_demo(answer, report):
        report.call(answer, 1)

    def stub(_):
        raise NotImplementedError

    assert check_demo(stub).status == "not implemented"
    crashed = check_demo(lambda _: 1 / 0)
    assert crashed.status == "graded" and "ZeroDivisionError" in crashed.first_failure
    assert "expected a function" in check_demo(3).first_failure


def all_graders():
    for module in pkgutil.iter_modules(cnn_course.grading.__path__):
        loaded = importlib.import_module(f"cnn_course.grading.{module.name}")
        for value in vars(loaded).values():
            if callable(value) and hasattr(value, "exercise") and value.__module__ == loaded.__name__:
                yield module.name, value


@pytest.mark.parametrize("module, check", list(all_graders()), ids=lambda v: getattr(v, "__name__", v))
def test_every_grader_is_named_after_its_exercise_and_has_a_catalogue(module, check):
    assert check.__name__ == grader_name(check.exercise)
    catalogue_file = REPO_ROOT / "tests" / f"test_grading_{module}.py"
    assert catalogue_file.exists(), f"{check.__name__} needs its wrong-answer catalogue in {catalogue_file.name}"
    assert re.search(rf"catalogue\(\s*{check.__name__}\s*,", catalogue_file.read_text()), \
        f"{catalogue_file.name} should call catalogue({check.__name__}, WRONG, RIGHT)"


def test_answer_key_is_wired_only_during_the_learners_call_and_restored_after():
    import keras

    from cnn_course import blocks
    from cnn_course.blocks import vgg_block as imported_by_name
    from cnn_course.grading.answer_key import out_of_reach, tripped

    for call in (lambda: blocks.vgg_block(None, 1, 1), lambda: imported_by_name(None, 1, 1),
                 lambda: keras.layers.ReLU()(keras.ops.ones((1,))), lambda: keras.ops.conv(None, None)):
        with out_of_reach(["keras.layers.Layer.__call__", "keras.ops.conv"]), pytest.raises(RuntimeError) as caught:
            call()
        assert tripped(caught.value)
    assert "__call__" not in vars(keras.layers.ReLU) and "__call__" in vars(keras.layers.Layer)
    x = keras.Input((4, 4, 1))
    assert tuple(blocks.vgg_block(x, 1, 2).shape) == (None, 2, 2, 2)
    assert tuple(imported_by_name(x, 1, 2).shape) == (None, 2, 2, 2)


def test_every_grader_names_an_answer_key_that_exists():
    from cnn_course.grading.answer_key import resolve

    for _, check in all_graders():
        for path in check.answer_key:
            assert callable(resolve(path)[2]), path


def _random_stack(*args, **kwargs):
    """An answer of the right kind made of arbitrary layers, whatever the exercise asks for."""
    import keras
    import numpy as np
    from keras import layers

    rng = np.random.default_rng(len(args) + len(kwargs))
    stack = [lambda: layers.Conv2D(int(rng.integers(1, 5)), int(rng.choice([1, 3])), padding="same"),
             lambda: layers.BatchNormalization(), lambda: layers.ReLU(), lambda: layers.Dense(int(rng.integers(1, 5)))]
    if args and isinstance(args[0], keras.KerasTensor):
        x = args[0]
        for index in rng.integers(0, len(stack), size=4):
            x = stack[index]()(x)
        return x
    if args and isinstance(args[0], keras.Model):
        args[0].compile(optimizer="sgd", loss="mse")
        return args[0]
    if "input_shape" in kwargs:
        inputs = keras.Input(kwargs["input_shape"])
        x = layers.Flatten()(stack[int(rng.integers(0, 3))]()(inputs))
        return keras.Model(inputs, layers.Dense(int(rng.integers(1, 9)))(x))
    return rng.normal(size=(2, 3))


def _raises(*args, **kwargs):
    raise ValueError("the learner's own bug")


class Hostile(BaseException):
    """Not an Exception: raised by the methods of an object an answer returns."""


class Booby:
    """An object whose every reading raises `Hostile`: as a number, an array, a sequence, an attribute."""

    def __getattr__(self, name):
        raise Hostile(name)

    def __array__(self, *args, **kwargs):
        raise Hostile("__array__")

    __iter__ = __len__ = __eq__ = __float__ = __int__ = __index__ = __bool__ = __array__
    __hash__ = object.__hash__


ODD_ANSWERS = {"None": None, "a number": 42, "returns a string": lambda *a, **k: "model",
               "raises inside": _raises, "a random stack of layers": _random_stack,
               "returns an object whose reading raises": lambda *a, **k: Booby(),
               "raises an error whose message raises": raises_a_broken_message}


@pytest.mark.parametrize("answer", ODD_ANSWERS)
@pytest.mark.parametrize("module, check", list(all_graders()), ids=lambda v: getattr(v, "__name__", v))
def test_no_answer_makes_a_grader_crash(module, check, answer):
    """Whatever comes in, a grader returns a failing report that says why -- never a traceback
    or 'the grader could not finish'."""
    report = check(ODD_ANSWERS[answer])
    assert not report.passed and report.status != "error" and report.first_failure, str(report)


def test_an_earlier_stub_is_named_not_blamed_on_this_exercise():
    from cnn_course.grading.report import STUB_MESSAGE
    from cnn_course.grading.residual_networks import check_ResNet50

    def ResNet50(input_shape, classes):  # builds on the learner's identity_block, still a stub
        raise NotImplementedError(STUB_MESSAGE.format(exercise="Exercise 1 — identity_block"))

    report = check_ResNet50(ResNet50)
    assert "Exercise 1 — identity_block is not written yet: finish that exercise first" in report.first_failure


def test_the_time_limit_covers_the_whole_grading_and_survives_a_bare_except():
    """Each call of the answer has `seconds`, the grading three times that in all; an answer's bare `except:`
    cannot swallow the limit (the loop is stopped on its next line)."""
    import time

    @grader("demo", seconds=0.5)
    def check_demo(answer, report):
        for _ in range(8):
            report.call(answer)
        report.success("all calls returned")

    def slow():
        time.sleep(0.3)

    def stubborn():
        while True:
            try:
                time.sleep(0.2)
            except:  # noqa: E722
                continue

    started = time.monotonic()
    assert "1.5 s in all" in check_demo(slow).first_failure
    assert "did not finish within 0.5 s" in check_demo(stubborn).first_failure
    assert time.monotonic() - started < 5
    assert check_demo(lambda: None).passed


def test_an_alarm_that_lands_where_python_ignores_exceptions_rings_again(monkeypatch):
    """Python ignores an exception raised in a gc callback (JAX has one, where an answer that builds layers in a loop
    that never ends spends much of its time), and stops tracing when the limit raises on a line that ignores it:
    past the limit, the alarm rings again every RETRY seconds. The lost rings are not printed; other lost exceptions
    are, as before."""
    import gc
    import time

    @grader("demo", seconds=0.3)
    def check_demo(answer, report):
        report.call(answer)

    def collecting(phase, info):  # the first alarm rings in here, and is lost
        if not slept:
            slept.append(phase)
            time.sleep(0.5)

    def next_callback(phase, info):  # the limit raised on its line, lost too, and tracing stops
        return phase

    def allocating():
        while True:
            [[] for _ in range(1000)]

    slept, printed = [], []
    monkeypatch.setattr(sys, "unraisablehook", printed.append)  # Python's prints each lost exception
    gc.callbacks.extend([collecting, next_callback])
    started = time.monotonic()
    try:
        assert "did not finish within 0.3 s" in check_demo(allocating).first_failure
    finally:
        gc.callbacks[-2:] = []
    assert time.monotonic() - started < 5 and slept
    assert not printed and sys.unraisablehook == printed.append
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_python_s_frozen_modules_are_not_the_learner_s_code():
    """The limit raises on the learner's lines only: not in Python's frozen modules (codecs, importlib), whose
    files are named "<frozen ...>", nor in the machinery's or a library's."""
    import codecs

    from cnn_course.grading.answer_key import library_code

    assert codecs.getincrementaldecoder.__code__.co_filename.startswith("<frozen")
    assert library_code(codecs.getincrementaldecoder.__code__.co_filename) and library_code(pytest.__file__)
    assert not library_code(__file__) and not library_code("<string>")
    assert not library_code("<frozen spin>")  # an answer's code compiled under such a name is the learner's


def test_a_copy_of_the_answer_key_or_a_reload_trips_too():
    import importlib
    import types

    from cnn_course import costs
    from cnn_course.grading.answer_key import out_of_reach, tripped

    copy = types.FunctionType(costs.conv_multiplies.__code__, costs.conv_multiplies.__globals__, "copy")
    calls = (lambda: copy(1, 1, 1, 1, 1), lambda: importlib.reload(costs), lambda: costs.conv_multiplies(1, 1, 1, 1, 1))
    for call in calls:
        with out_of_reach(), pytest.raises(RuntimeError) as caught:
            call()
        assert tripped(caught.value)
    with out_of_reach():  # what a learner may call while debugging stays free
        from cnn_course import config, plots

        assert config.pick(full=1, quick=2) in (1, 2) and callable(plots.image_grid)
    assert copy(1, 2, 3, 1, 1) == costs.conv_multiplies(1, 2, 3, 1, 1) == 6


def test_the_key_s_source_read_or_its_code_copied_while_the_answer_runs_trips():
    """inspect.getsource (its lines cached or not) and open() of a key file, and code.replace, from the answer's own
    code; Python's import and the learner's own files stay free."""
    import inspect
    import linecache
    import types

    from cnn_course import costs
    from cnn_course.grading.answer_key import out_of_reach, tripped

    calls = {"getsource": lambda: inspect.getsource(costs.conv_multiplies),
             "getsource, cached": lambda: (linecache.getlines(costs.__file__), inspect.getsource(costs))[1],
             "open": lambda: open(costs.__file__).read(),
             "code.replace": lambda: costs.conv_multiplies.__code__.replace(co_filename="mine.py")}
    for name, call in calls.items():
        linecache.clearcache()
        with out_of_reach(), pytest.raises(RuntimeError) as caught:
            call()
        assert tripped(caught.value) and "cnn_course.costs" in tripped(caught.value), name
    with out_of_reach():
        assert inspect.getsource(test_idioms) and open(__file__).read()
        importlib.reload(importlib.import_module("cnn_course.grading.mistakes"))  # the key read by an import
    relabelled = types.FunctionType(costs.conv_multiplies.__code__.replace(co_filename="mine.py"), {})
    with out_of_reach():  # made before the answer ran: as the source pasted, the learner's own
        assert relabelled(1, 2, 3, 1, 1) == 6


def test_reading_the_stack_inside_an_answer_is_free():
    """A traceback of the stack (JAX's error filter makes one) reads the grader's own files: not the answer key."""
    import linecache
    import traceback

    from keras import layers

    from cnn_course.grading.classic_networks import check_vgg_block

    def vgg_block(x, num_convs, filters):
        linecache.clearcache()
        traceback.extract_stack()
        for _ in range(num_convs):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        return layers.MaxPooling2D(2, strides=2)(x)

    assert check_vgg_block(vgg_block).passed


def test_an_answer_that_catches_the_trip_and_goes_on_is_still_caught():
    from cnn_course import costs

    @grader("demo")
    def check_demo(answer, report):
        report.call(answer)
        report.success("returned")

    def stubborn():
        for _ in range(2):
            try:
                return costs.conv_multiplies(1, 1, 1, 1, 1)
            except RuntimeError:
                continue

    assert "calls cnn_course.costs.conv_multiplies, a ready-made answer" in check_demo(stubborn).first_failure


def test_the_key_run_in_a_thread_or_below_a_free_function_trips():
    import functools
    import threading

    from cnn_course import costs

    @grader("demo")
    def check_demo(answer, report):
        report.call(answer)
        report.success("returned")

    def in_a_thread():
        results = []

        def work():
            try:
                results.append(costs.conv_multiplies(1, 1, 1, 1, 1))
            except RuntimeError:  # the tripwire, swallowed: the watch saw it all the same
                results.append(1)

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        return results

    class Weights:  # costs.count_params is free; what it calls back into the learner's code is not
        built = True

        @property
        def weights(self):
            return [costs.conv_multiplies(1, 1, 1, 1, 1)]

    class Called:  # the key as a property getter that is no learner's code (functools.partial is C)
        built = True
        weights = property(functools.partial(costs.conv_multiplies, 1, 1, 1, 1))

    def after_a_nul_file_name():  # a profile hook that raises on such a name would be dropped by Python
        probe = (lambda: 1).__code__.replace(co_filename="nul\0name")
        exec(probe)
        return costs.conv_multiplies(1, 1, 1, 1, 1)

    for answer in (in_a_thread, lambda: costs.count_params(Weights()), lambda: costs.count_params(Called()),
                   after_a_nul_file_name):
        assert "calls cnn_course.costs.conv_multiplies, a ready-made" in check_demo(answer).first_failure


def test_what_the_answer_returned_cannot_hang_the_grading_or_keep_its_warning_filters():
    import time
    import warnings

    class Endless:
        def __array__(self, *args, **kwargs):
            while True:
                pass

    @grader("demo", seconds=0.5)
    def check_demo(answer, report):
        import numpy as np

        np.asarray(report.call(answer))
        report.success("read")

    def strict():
        warnings.simplefilter("error")
        return Endless()

    filters, started = list(warnings.filters), time.monotonic()
    report = check_demo(strict)
    assert "took longer than 2 s in all" in report.first_failure and report.status == "graded"
    assert time.monotonic() - started < 4 and warnings.filters == filters
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_time_limit_inside_the_grading_is_undone_when_it_expires():
    """Reading what the answer returned stops at its own limit; both limits are undone afterwards."""

    @grader("demo", seconds=0.5)
    def check_demo(answer, report):
        report.attempt(report.call(answer), "reading what it returned failed")

    def endless():
        while True:
            pass

    assert "(too slow" in check_demo(lambda: endless).first_failure
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert sys.gettrace() is None


def test_a_call_stopped_by_its_limit_undoes_the_watch_and_the_warning_filters():
    import threading
    import warnings

    import keras

    @grader("demo", answer_key=["keras.layers.Layer.__call__", "tensorflow.nn.conv2d"], seconds=0.5)
    def check_demo(answer, report):
        report.call(answer)

    def stubborn():
        warnings.simplefilter("error")
        while True:
            try:
                pass
            except:  # noqa: E722
                continue

    filters = list(warnings.filters)
    assert "did not finish within 0.5 s" in check_demo(stubborn).first_failure
    assert sys.getprofile() is None and threading.getprofile() is None and sys.gettrace() is None
    assert warnings.filters == filters and "__call__" not in vars(keras.layers.ReLU)
    assert keras.layers.ReLU()(keras.ops.ones((1,))).shape == (1,)


def test_global_settings_the_answer_changes_end_with_its_call():
    import tempfile

    import keras

    @grader("demo")
    def check_demo(answer, report):
        report.call(answer)
        report.success("returned")

    def meddles():
        keras.config.set_floatx("float16")
        keras.config.set_dtype_policy("mixed_float16")
        keras.config.set_image_data_format("channels_first")
        keras.config.set_epsilon(0.5)
        tempfile.tempdir = "/nonexistent"

    def settings():
        config = keras.config
        return (config.floatx(), config.dtype_policy().name, config.image_data_format(), config.epsilon(),
                tempfile.tempdir)

    before = settings()
    assert check_demo(meddles).passed and settings() == before


def test_a_library_s_not_implemented_error_is_not_taken_for_the_stub():
    @grader("demo")
    def check_demo(answer, report):
        report.call(answer)

    def unsupported():
        raise NotImplementedError("this operation is not supported on symbolic tensors")

    report = check_demo(lambda: unsupported())
    assert report.status == "graded" and "raised NotImplementedError: this operation" in report.first_failure


def test_the_key_loaded_again_from_its_file_under_another_name_trips():
    import importlib.util
    import inspect

    from cnn_course import blocks
    from cnn_course.grading.answer_key import out_of_reach, tripped

    def load_again():
        spec = importlib.util.spec_from_file_location("not_the_course", inspect.getfile(blocks.vgg_block))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.vgg_block

    for copy in (load_again(), None):  # loaded before the grading, or during it: its functions run the key's file
        with out_of_reach(), pytest.raises(RuntimeError) as caught:
            (copy or load_again())(None, 1, 1)
        assert tripped(caught.value) == "cnn_course.blocks.classic.vgg_block"


def test_the_key_cannot_be_hidden_by_renaming_or_removing_its_module(monkeypatch):
    import sys

    from cnn_course import costs
    from cnn_course.grading.answer_key import out_of_reach, tripped

    monkeypatch.setattr(costs, "__file__", "/elsewhere/costs.py")
    monkeypatch.delitem(sys.modules, "cnn_course.costs")
    with out_of_reach(), pytest.raises(RuntimeError) as caught:
        costs.conv_multiplies(1, 1, 1, 1, 1)
    assert tripped(caught.value) == "cnn_course.costs.conv_multiplies"


@pytest.mark.parametrize("tampering", ["signal.setitimer(signal.ITIMER_REAL, 0)", "signal.alarm(0)",
                                       "signal.signal(signal.SIGALRM, signal.SIG_IGN)", "sys.setprofile(None)",
                                       "sys.settrace(None)", "threading.setprofile(None)",
                                       "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})"])
def test_an_answer_cannot_switch_the_time_limit_or_the_watch_off(tampering):
    import signal
    import sys
    import threading
    import time

    @grader("demo", seconds=0.5)
    def check_demo(answer, report):
        report.call(answer)
        report.success("returned")

    def sabotage():
        exec(tampering, {"signal": signal, "sys": sys, "threading": threading})
        while True:
            time.sleep(0.05)

    started = time.monotonic()
    report = check_demo(sabotage)
    assert "would switch the grader's watch off" in report.first_failure and time.monotonic() - started < 3
    assert sys.getprofile() is None and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_error_whose_message_hangs_is_named_within_the_limit():
    """A learner's exception whose __str__ raises another, whose own __str__ never returns."""
    import time

    class Stuck(Exception):
        def __str__(self):
            while True:
                time.sleep(0.01)

    class Outer(Exception):
        def __str__(self):
            raise Stuck()

    @grader("demo", seconds=1)
    def check_demo(answer, report):
        report.call(answer)

    def answer():
        raise Outer()

    started = time.monotonic()
    report = check_demo(answer)
    assert BROKEN_MESSAGE in report.first_failure and "Outer" in report.first_failure, str(report)
    assert time.monotonic() - started < 5 and report.status != "error"

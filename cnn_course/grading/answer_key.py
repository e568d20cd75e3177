"""The answer key is out of reach: while a learner's answer runs, every function of the course's package and of
keras.applications' model code is a tripwire.

The functions are found mechanically -- every function and method defined in a loaded module of `cnn_course` or
`keras.src.applications` -- so a new block is covered the day it is written, however the learner imports it. Left
free are the helpers an exercise may use and the machinery that runs the answer (`FREE_MODULES`, `FREE_NAMES`); a
grader may add library functions that would do its whole exercise, ``@grader(..., answer_key=["keras.ops.conv"])``.
`Report.call` arms the wires around the learner's call only: the grader still builds its reference with the package,
and an answer that builds on the learner's own earlier functions is untouched. A plain function gets a tripwire's code
in place of its own (every name bound to it trips); a function with a closure is replaced on its module or class; a
Keras layer class of the package keeps its methods (the grader's models may hold one) and trips when constructed.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import sys

MARK = "cnn-course answer key"
ROOTS = ("cnn_course", "keras.src.applications")
# Free: the machinery, and what a learner may call while debugging (figures, data, results) -- never an answer.
FREE_MODULES = ("cnn_course.config", "cnn_course.fixtures", "cnn_course.graph", "cnn_course.grading.report",
                "cnn_course.grading.answer_key", "cnn_course.notebooks", "cnn_course.__main__", "cnn_course.plots",
                "cnn_course.results", "cnn_course.datasets", "cnn_course.fingers", "cnn_course.download",
                "cnn_course.floors", "keras.src.applications.imagenet_utils")
FREE_NAMES = {"preprocess_input", "decode_predictions", "count_params"}
ALWAYS = ("importlib.reload",)  # a fresh copy of a wired module would be out of the wires' reach


def _tripwire(*args, **kwargs):
    raise RuntimeError("cnn-course answer key")  # only builtins: this code runs with the key's module globals


def _wire_code(path: str):
    """A tripwire whose error names `path`."""
    code = _tripwire.__code__
    return code.replace(co_consts=tuple(f"{MARK}: {path}" if const == MARK else const for const in code.co_consts))


def _is_root(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in ROOTS) and not name.startswith(FREE_MODULES)


def answer_functions():
    """(owner, attribute, function, dotted path) of every function the answer may not call."""
    import keras

    for name, module in list(sys.modules.items()):
        if module is None or not _is_root(name):
            continue
        for attribute, value in list(vars(module).items()):
            if getattr(value, "__module__", None) != name or attribute in FREE_NAMES:
                continue
            if inspect.isfunction(value):
                yield module, attribute, value, f"{name}.{attribute}"
            elif inspect.isclass(value):
                methods = ["__init__"] if issubclass(value, keras.layers.Layer) else list(vars(value))
                for method in methods:
                    function = vars(value).get(method)
                    if inspect.isfunction(function):
                        yield value, method, function, f"{name}.{attribute}.{method}"


def resolve(path: str):
    """``"pkg.module.name"`` or ``"pkg.module.Class.method"`` -> (owner, attribute name, object)."""
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:-1]:
            owner = getattr(owner, name)
        return owner, parts[-1], getattr(owner, parts[-1])
    raise ImportError(f"cannot resolve {path}")


def _named(paths):
    """(owner, attribute, function, path) of extra key functions; one of a library not imported yet is skipped: the
    answer cannot be calling it (and importing, say, TensorFlow under JAX would be a side effect)."""
    for path in paths:
        if path.split(".")[0] in sys.modules:
            yield (*resolve(path), path)


@contextlib.contextmanager
def out_of_reach(paths=()):
    """Inside the ``with`` block, every `answer_functions` function and those named in `paths` trip."""
    restore, seen, codes = [], set(), {}
    try:
        for owner, name, function, path in [*answer_functions(), *_named((*paths, *ALWAYS))]:
            if id(function) in seen:
                continue
            seen.add(id(function))
            if isinstance(owner, type) or function.__closure__:
                own = name in vars(owner)  # else inherited: undo by deleting the wire again
                restore.append(lambda o=owner, n=name, f=function, own=own: setattr(o, n, f) if own else delattr(o, n))
                wire = _tripwire.__class__(_wire_code(path), {"__builtins__": __builtins__}, name)
                setattr(owner, name, wire)
            else:  # a plain function: its code is its own (a decorator's wrapper code is shared by many)
                codes[function.__code__] = path
                restore.append(lambda f=function, code=function.__code__: setattr(f, "__code__", code))
                function.__code__ = _wire_code(path)
        with _calls_of(codes):
            yield
    finally:
        for undo in reversed(restore):
            undo()


@contextlib.contextmanager
def _calls_of(codes: dict):
    """Trip on a call of any of `codes`, whatever function object runs it: a copy made with
    ``types.FunctionType(key.__code__, ...)`` before the wires were set runs the key's own code."""
    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            raise RuntimeError(f"{MARK}: {codes[frame.f_code]}")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(previous)


def tripped(error: BaseException) -> str | None:
    """The dotted path of the key function that `error` (or one it was raised from) comes from, else None."""
    while error is not None:
        if isinstance(error, RuntimeError) and str(error).startswith(MARK):
            return str(error)[len(MARK) + 2:] or "the answer key"
        error = error.__cause__ or error.__context__
    return None

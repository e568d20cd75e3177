"""The answer key out of reach: while a learner's answer runs, a call into the course's package or keras.applications'
model code trips, found by file with a profile hook (in the threads the answer starts too), however the function was
reached -- imported, copied, reloaded, loaded from its file under another name. Source text pasted out of the package
is the learner's own code, as it would be to a teacher reading it."""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import linecache
import os
import signal
import sys
import sysconfig
import threading
import types
from pathlib import Path

MARK = "cnn-course answer key"
ROOTS = ("cnn_course", "keras.src.applications")
# Free: the machinery (the engines that read an answer's result while it is watched), and what a learner may call
# while debugging (figures, data, results) -- never an answer.
FREE_MODULES = ("cnn_course.config", "cnn_course.fixtures", "cnn_course.graph", "cnn_course.grading.report",
                "cnn_course.grading.answer_key", "cnn_course.grading.limits", "cnn_course.grading.formula",
                "cnn_course.grading.array", "cnn_course.notebooks",
                "cnn_course.__main__", "cnn_course.plots", "cnn_course.results", "cnn_course.datasets",
                "cnn_course.fingers", "cnn_course.download", "cnn_course.floors",
                "keras.src.applications.imagenet_utils")
FREE_NAMES = {"preprocess_input", "decode_predictions", "count_params"}
# What would switch the grader's watch off: its profile hook, its time limit.
TAMPERING = (sys.setprofile, sys.settrace, signal.signal, signal.setitimer, signal.alarm, signal.pthread_sigmask,
             threading.setprofile,
             *filter(None, [getattr(threading, "setprofile_all_threads", None)]))
_TAMPERING_CODES = {function.__code__ for function in TAMPERING if hasattr(function, "__code__")}
_TAMPERING_IDS = {id(function) for function in TAMPERING if not hasattr(function, "__code__")}
# What reads a file's source for inspect.getsource, cached or not; an audit hook sees every file opened.
_SOURCE_READERS = {linecache.getlines.__code__, linecache.updatecache.__code__}
_OPENED = []  # the watch in force is told of every file opened (an audit hook, once added, stays)
sys.addaudithook(lambda event, args: _OPENED[-1](args[0], sys._getframe(1)) if event == "open" and _OPENED else None)
LIBRARIES = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")})
MACHINERY = tuple(os.path.join(os.path.dirname(__file__), f"{name}.py") for name in ("answer_key", "limits"))


@functools.cache
def key_files() -> dict:
    """{source file: module name} of the answer key, read from the disk (an answer can rename a loaded module)."""
    files = {}
    for root in ROOTS:
        folder = Path(importlib.util.find_spec(root).submodule_search_locations[0])
        for path in folder.rglob("*.py"):
            name = ".".join((root, *path.relative_to(folder).with_suffix("").parts)).removesuffix(".__init__")
            if not name.startswith(FREE_MODULES):
                files[os.path.realpath(path)] = name
    return files


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


class Watch:
    """What `out_of_reach` saw: the first key function the answer called ('' when none), even if it went on."""

    tripped = ""


@contextlib.contextmanager
def out_of_reach(paths=(), watch: Watch | None = None):
    """Inside the ``with`` block, a call into `key_files`, of a function named in `paths` (of a library already
    imported) or of `TAMPERING` by the answer trips."""
    named, restore, watch = {}, [], watch or Watch()
    try:
        for path in (path for path in paths if path.split(".")[0] in sys.modules):
            owner, name, function = resolve(path)
            if getattr(function, "__code__", None) and not function.__closure__:  # its code is its own: watched
                named[function.__code__] = path
                continue
            own = name in vars(owner)  # a decorator's wrapper (its code shared) or a builtin: replaced where it lives
            restore.append(lambda o=owner, n=name, f=function, own=own: setattr(o, n, f) if own else delattr(o, n))
            setattr(owner, name, _tripwire(path, watch))
        with _watched(key_files(), named, watch):
            yield watch
    finally:
        for undo in reversed(restore):
            undo()


def _tripwire(path: str, watch: Watch):
    def tripwire(*args, **kwargs):
        watch.tripped = watch.tripped or path  # an answer that catches the error is still caught: see Report.call
        raise RuntimeError(f"{MARK}: {path}")

    return tripwire


def library_code(filename: str) -> bool:
    """Python's or an installed library's code, or the grader's own machinery: not the learner's."""
    return filename.startswith(LIBRARIES) or filename in MACHINERY or _frozen(filename)


@functools.cache
def _frozen(filename: str) -> bool:
    """A module frozen into Python, "<frozen codecs>" (not code an answer compiled under such a name)."""
    spec = getattr(sys.modules.get(filename[8:-1]), "__spec__", None) if filename.startswith("<frozen ") else None
    return getattr(spec, "origin", None) == "frozen"


@contextlib.contextmanager
def _watched(files: dict, named: dict, watch: Watch):
    """Trip on a call of code from `files` (unless a function of `FREE_NAMES` makes it) or compiled into one of their
    modules' namespaces (tf.autograph.to_graph's copy, a function made from a key function's code), of a code in
    `named` {code: path}, of `TAMPERING` from the answer's code, and on the answer copying a key function's code or
    reading the source of its file (inspect.getsource, open)."""
    seen, special = {}, {*named, *_TAMPERING_CODES, *_SOURCE_READERS}  # seen: a file name -> its key module, or ""
    modules = set(files.values())

    def key_module(filename) -> str:
        if filename not in seen:
            try:
                seen[filename] = files.get(os.path.realpath(filename), "")
            except (ValueError, OSError, TypeError):  # no path (a NUL in it, a file descriptor): a hook that raised
                seen[filename] = ""  # would go
        return seen[filename]

    def module_of(frame) -> str:
        code, home = frame.f_code, frame.f_globals.get("__name__")
        return key_module(code.co_filename) or (home if home in modules and not library_code(code.co_filename)
                                                else "")

    def source_read(filename, frame, at=None) -> None:
        """A key file read by a library called from the answer's own code; not by an import, nor to show the stack
        (a traceback, JAX's error filter), which reads the files of the frames on it."""
        module, caller = key_module(filename), None
        while live and module and frame is not None:
            name = frame.f_code.co_filename
            if key_module(name) == module or caller is None and name.startswith("<frozen importlib"):
                return
            caller = caller or (None if library_code(name) else frame)
            frame = frame.f_back
        if caller is not None and not module_of(caller):
            trip(f"{module}, its source read", at)

    def freed(frame) -> bool:
        """A function of `FREE_NAMES`, or a private helper (``_index``, a lambda) of its module that one runs, with
        no learner's code between: a public function reached from one (through an object it was given) is not."""
        module, name = module_of(frame), frame.f_code.co_name
        if name not in FREE_NAMES and not name.startswith(("_", "<")):
            return False
        while frame is not None and (module_of(frame) or library_code(frame.f_code.co_filename)):
            if frame.f_code.co_name in FREE_NAMES and module_of(frame) == module:
                return True
            frame = frame.f_back
        return False

    def trip(path: str, frame=None):
        """A key function raises on its first line, through its frame's trace function (Python drops a profile hook
        that raises); a tampering call, before it runs."""
        watch.tripped = watch.tripped or path
        if frame is None:
            raise RuntimeError(f"{MARK}: {path}")
        frame.f_trace, frame.f_trace_lines = _raiser(path), True
        sys.settrace(_raiser(None))  # frames' trace functions run only while a global one is set

    def check_call(frame, code) -> None:
        if code in _SOURCE_READERS:
            source_read(frame.f_locals.get("filename"), frame.f_back, frame)
        elif code in named:
            trip(named[code], frame)
        elif code in _TAMPERING_CODES and not library_code(frame.f_back.f_code.co_filename):
            trip(f"{code.co_name}, which would switch the grader's watch off", frame)
        elif module_of(frame) and code.co_name != "<module>" and not freed(frame):  # importing it is free
            trip(f"{module_of(frame)}.{getattr(code, 'co_qualname', code.co_name)}", frame)

    def profile(frame, event, arg):  # on every call the answer makes: the common case returns at once
        if not live:  # a thread the answer started, still running after its call
            return
        if event == "call":
            code = frame.f_code
            if seen.get(code.co_filename) != "" or code in special or frame.f_globals.get("__name__") in modules:
                check_call(frame, code)
        elif event == "c_call" and id(arg) in _TAMPERING_IDS and not library_code(frame.f_code.co_filename):
            trip(f"{arg.__name__}, which would switch the grader's watch off")
        elif event == "c_call" and isinstance(getattr(arg, "__self__", None), types.CodeType) and \
                arg.__name__ == "replace" and key_module(arg.__self__.co_filename):  # the key under a new name
            trip(f"{key_module(arg.__self__.co_filename)}.{arg.__self__.co_name}, its code copied")

    previous, threads, live = sys.getprofile(), threading.getprofile(), True
    sys.setprofile(profile)
    threading.setprofile(profile)  # and in the threads the answer starts
    try:
        _OPENED.append(source_read)  # inside: an alarm landing before it leaves nothing behind
        yield
    finally:
        sys.setprofile(previous)
        threading.setprofile(threads)
        _OPENED[:] = [reader for reader in _OPENED if reader is not source_read]
        live = False


def _raiser(path: str | None):
    """A trace function that raises the answer key's error on the next line of its frame (None: traces nothing)."""

    def trace(frame, event, arg):
        if path is not None and event == "line":
            raise RuntimeError(f"{MARK}: {path}")

    return trace


def tripped(error: BaseException) -> str | None:
    """The dotted path of the key function that `error` (or one it was raised from) comes from, else None."""
    while error is not None:
        text = error.args[0] if isinstance(error, RuntimeError) and error.args else ""  # not str(): it may not print
        if isinstance(text, str) and text.startswith(MARK):
            return text[len(MARK) + 2:] or "the answer key"
        error = error.__cause__ or error.__context__
    return None

"""The answer key is out of reach: while a learner's answer runs, the course's own
implementation of that exercise (and any library function that would do the whole exercise,
such as ``keras.applications.ResNet50``) is replaced by a tripwire.

A grader names its answer key in ``@grader("identity_block", answer_key=["cnn_course.blocks.identity_block"])``;
`Report.call` arms it around the learner's call only, so the grader itself can still build its
reference. An answer that calls a key function fails with a message to build it from layers,
while an answer that builds on the learner's *own* earlier functions (ResNet50 from their
identity_block) is untouched.

Two ways to set the wire, so that no import style escapes it: a plain function gets the
tripwire's code in place of its own (every name bound to the function, ``from cnn_course.blocks
import identity_block`` included, then runs the tripwire); a method, whose code may need the
class's closure, is replaced on its class.
"""

from __future__ import annotations

import contextlib
import importlib
import sys

MARK = "cnn-course answer key"


def _tripwire(*args, **kwargs):
    raise RuntimeError("cnn-course answer key")  # only builtins: this code runs with the key's module globals


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


@contextlib.contextmanager
def out_of_reach(paths):
    """Replace every function named in `paths` by the tripwire inside the ``with`` block. A path in a
    library that is not imported yet is skipped: the answer cannot be calling it (and importing,
    say, TensorFlow under another Keras backend would be a side effect of grading)."""
    restore = []
    try:
        for path in paths:
            if path.split(".")[0] not in sys.modules:
                continue
            owner, name, function = resolve(path)
            if isinstance(owner, type) or function.__closure__:
                own = name in vars(owner)  # else inherited: undo by deleting the wire again
                restore.append(lambda o=owner, n=name, f=function, own=own: setattr(o, n, f) if own else delattr(o, n))
                setattr(owner, name, _tripwire)
            else:
                restore.append(lambda f=function, code=function.__code__: setattr(f, "__code__", code))
                function.__code__ = _tripwire.__code__
        yield
    finally:
        for undo in reversed(restore):
            undo()


def tripped(error: BaseException) -> bool:
    """Whether `error` (or one it was raised from) is the tripwire's."""
    while error is not None:
        if isinstance(error, RuntimeError) and MARK in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False

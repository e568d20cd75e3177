"""Course-wide settings: quick mode, seeds and where data is cached. Nothing else.

Quick mode (``CNN_COURSE_QUICK=1``, set by the test command) shrinks epochs and data so
that every notebook runs in under a minute on two CPU cores; full mode is what learners
run and what the README's results table reports. ``CNN_COURSE_SEED`` changes the seed every
notebook starts from (0 unless set): the benchmark runs each training notebook on several.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import warnings
from pathlib import Path

QUICK_VARIABLE = "CNN_COURSE_QUICK"
CACHE_VARIABLE = "CNN_COURSE_CACHE"
SEED_VARIABLE = "CNN_COURSE_SEED"
ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
REPO_ROOT = Path(__file__).resolve().parent.parent
# CPU features for which TensorFlow turns its oneDNN kernels on by itself (tensorflow/core/util/util.cc, IsMKLEnabled).
_ONEDNN_BY_DEFAULT = {"avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"}


def is_quick() -> bool:
    """True when ``CNN_COURSE_QUICK`` is set to something other than 0/false/empty."""
    return os.environ.get(QUICK_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


def run_seed() -> int:
    """The seed of this run: ``$CNN_COURSE_SEED``, or 0."""
    value = os.environ.get(SEED_VARIABLE, "").strip() or "0"
    if not value.isdigit():
        raise ValueError(f"{SEED_VARIABLE} must be a whole number >= 0, got {value!r}")
    return int(value)


def pick(full, quick):
    """Return `quick` in quick mode and `full` otherwise: ``EPOCHS = pick(full=10, quick=1)``."""
    return quick if is_quick() else full


@contextlib.contextmanager
def _variable(name: str, value: str):
    """Set an environment variable inside the ``with`` block, for this process and the kernels it
    starts; as it was afterwards."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def mode(quick: bool):
    """Quick or full mode inside the ``with`` block, for this process and the kernels it starts."""
    return _variable(QUICK_VARIABLE, "1" if quick else "0")


def seeded(seed: int):
    """Runs inside the ``with`` block (and the kernels it starts) start from `seed`: see `run_seed`."""
    return _variable(SEED_VARIABLE, str(seed))


def enable_fast_cpu_kernels() -> None:
    """Turn TensorFlow's oneDNN CPU kernels on, unless ``TF_ENABLE_ONEDNN_OPTS`` is already set.

    TensorFlow turns them on by itself only on x86-64 CPUs with AVX-512 VNNI, BF16 or AMX; elsewhere
    (AVX2 machines such as AMD EPYC Zen 2/3 and many laptops) it leaves them off, and a ResNet-50 step
    runs about 2.6x slower. TensorFlow reads the variable when it is imported, so `cnn_course` calls
    this on its own import; on other architectures the variable is left alone.
    """
    if platform.machine().lower() in ("x86_64", "amd64"):
        os.environ.setdefault(ONEDNN_VARIABLE, "1")


def cpu_description() -> str:
    """The CPU's model and whether TensorFlow's oneDNN kernels are on, for stamping measurements."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    except OSError:
        pass
    setting = os.environ.get(ONEDNN_VARIABLE, "").strip()
    default = f"TensorFlow's default on this CPU: {'on' if flags & _ONEDNN_BY_DEFAULT else 'off'}"
    if setting:
        state = "off" if setting.lower() in ("0", "false") else "on"
        return f"{model}, oneDNN {state} ({ONEDNN_VARIABLE}={setting}; {default})"
    return f"{model}, oneDNN {default.rsplit(' ', 1)[1]} ({default})"


def cache_dir() -> Path:
    """Folder for generated data sets and saved weights: ``$CNN_COURSE_CACHE`` or ``~/.cache/cnn_course``."""
    path = Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "cnn_course")
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _native_stderr_silenced():
    """Send the process's own stderr (file descriptor 2) to /dev/null for a moment.

    TensorFlow's C++ start-up lines ("Could not find cuda drivers", "failed call to cuInit")
    are written before its log settings apply, so no environment variable hides them on a
    machine without a GPU. Python errors still surface: they are raised, not printed here.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 (some embedded interpreters): nothing to silence
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def training_device() -> str:
    """Where Keras trains: "the CPU", or the accelerators it found ("1 GPU", "8 TPU")."""
    import keras

    devices = keras.distribution.list_devices()  # accelerators first, when there are any
    kind = devices[0].split(":")[0].upper()
    return "the CPU" if kind == "CPU" else f"{len(devices)} {kind}"


def setup(seed: int | None = None, verbose: bool = True) -> None:
    """Prepare a notebook: quiet TensorFlow logs, fix all seeds, report the mode.

    Args:
        seed: seed for Python, NumPy and the Keras backend (``keras.utils.set_random_seed``);
            None for `run_seed()`.
        verbose: print one line saying which mode is on and how to change it.
    """
    seed = run_seed() if seed is None else seed
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="keras")
    with _native_stderr_silenced():
        import keras

        keras.ops.zeros(())  # the first operation looks for a GPU: now, while its messages are silenced
        keras.utils.set_random_seed(seed)  # which imports TensorFlow to seed it too, on any backend
    if verbose:
        mode, other, value = ("QUICK (small data, few epochs)", "full", 0) if is_quick() else ("FULL", "quick", 1)
        print(f"cnn_course: {mode} mode, seed {seed}, Keras {keras.__version__} on {keras.backend.backend()}, "
              f"training on {training_device()}. "
              f"For {other} mode, run `%env {QUICK_VARIABLE}={value}` in a cell, then this cell again.")

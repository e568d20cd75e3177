"""Course-wide settings: quick mode, seeds and where data is cached. Nothing else.

Quick mode (``CNN_COURSE_QUICK=1``, set by the test command) shrinks epochs and data so
that every notebook runs in under a minute on two CPU cores; full mode is what learners
run and what the README's results table reports.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

QUICK_VARIABLE = "CNN_COURSE_QUICK"
CACHE_VARIABLE = "CNN_COURSE_CACHE"
SEED = 0
REPO_ROOT = Path(__file__).resolve().parent.parent


def is_quick() -> bool:
    """True when ``CNN_COURSE_QUICK`` is set to something other than 0/false/empty."""
    return os.environ.get(QUICK_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


def pick(full, quick):
    """Return `quick` in quick mode and `full` otherwise: ``EPOCHS = pick(full=10, quick=1)``."""
    return quick if is_quick() else full


def cache_dir() -> Path:
    """Folder for generated data sets: ``$CNN_COURSE_CACHE`` or ``~/.cache/cnn_course``."""
    path = Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "cnn_course")
    path.mkdir(parents=True, exist_ok=True)
    return path


def setup(seed: int = SEED, verbose: bool = True) -> None:
    """Prepare a notebook: quiet TensorFlow logs, fix all seeds, report the mode.

    Args:
        seed: seed for Python, NumPy and the Keras backend (``keras.utils.set_random_seed``).
        verbose: print one line saying which mode is on and how to change it.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="keras")
    import keras

    keras.utils.set_random_seed(seed)
    if verbose:
        mode = "QUICK (small data, few epochs)" if is_quick() else "FULL"
        print(f"cnn_course: {mode} mode, seed {seed}, Keras {keras.__version__} on {keras.backend.backend()}"
              f" -- set {QUICK_VARIABLE}=1 for quick mode, 0 for full mode.")

"""Installing requirements into a virtual environment: with uv, pip's interface in a faster installer, where it can
be had (pip installs it into the environment the first time), and with pip where it cannot or where uv fails.

Standard library only: course.py calls it before the environment has anything else.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

QUIET = ["--quiet", "--disable-pip-version-check"]
# compiled to bytecode once, as pip does: else every process compiles what it imports, each time where
# PYTHONDONTWRITEBYTECODE is set (as in some containers) -- 9 s more for each import of TensorFlow
UV_OPTIONS = ["--quiet", "--compile-bytecode"]


def uv(python: Path) -> Path | None:
    """The uv beside `python` in its virtual environment, installed there by pip the first time; None where pip
    cannot install it (offline, or no wheel for this machine)."""
    path = Path(python).parent / ("uv.exe" if os.name == "nt" else "uv")
    if not path.exists():
        subprocess.run([python, "-m", "pip", "install", *QUIET, "uv"], capture_output=True)
    return path if path.exists() else None


def install(python: Path, arguments: list, into: Path | None = None, cwd: Path | None = None) -> str:
    """``pip install arguments`` into the environment of `into` (by default `python`'s own), by the uv of `python`'s
    environment, or by pip where uv cannot be had or fails; '' when it is done, else what pip said last."""
    into = Path(into or python)
    found = uv(Path(python))
    if found and not subprocess.run([found, "pip", "install", *UV_OPTIONS, "--python", into, *arguments], cwd=cwd,
                                    capture_output=True).returncode:
        return ""
    done = subprocess.run([into, "-m", "pip", "install", *QUIET, *arguments], cwd=cwd, capture_output=True, text=True)
    return (done.stderr[-3000:] or done.stdout[-3000:]) if done.returncode else ""

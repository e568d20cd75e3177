"""The course's two commands, for any machine with Python 3.10+ and nothing else.

    python course.py lab      # set up .venv if needed, then open JupyterLab on notebooks/
    python course.py test     # set up .venv if needed, then run the whole test suite (quick mode)

Also ``python course.py grade notebooks/00_keras_tutorial.ipynb`` and
``python course.py build``: any other word is passed to ``python -m cnn_course``.
The environment is installed once from requirements.txt and reinstalled only when
requirements.txt or pyproject.toml change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from cnn_course.config import QUICK_VARIABLE  # noqa: E402 -- standard library only, importable before .venv exists

VENV = Path(os.environ.get("CNN_COURSE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def requirements_fingerprint() -> str:
    """Hash of what the environment is built from."""
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create .venv and install requirements.txt into it, unless that is already done."""
    if sys.version_info < (3, 10):  # noqa: UP036 -- this script may be started by an older python3
        sys.exit(f"the course needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    stamp = VENV / ".cnn-course-installed"
    fingerprint = requirements_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"course: creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("course: installing requirements.txt (the first time takes a few minutes)", flush=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "-r", "requirements.txt"], check=True, cwd=ROOT)
    stamp.write_text(fingerprint)


def lab_command(rest: list[str]) -> list:
    """JupyterLab on notebooks/; as root (Docker, many cloud machines) Jupyter refuses to start
    without --allow-root, so it is passed there."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return [BIN / "jupyter", "lab", "notebooks", *(["--allow-root"] if as_root else []), *rest]


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "lab":
        return subprocess.call(lab_command(rest), cwd=ROOT)
    if command == "test":
        env = {**os.environ, QUICK_VARIABLE: os.environ.get(QUICK_VARIABLE, "1")}
        return subprocess.call([PYTHON, "-m", "pytest", *rest], cwd=ROOT, env=env)
    return subprocess.call([PYTHON, "-m", "cnn_course", command, *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

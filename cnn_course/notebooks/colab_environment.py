"""Colab's runtime as a virtual environment: its published pins (``colab/runtime.txt``, from
googlecolab/backend-info), the Python nearest to Colab's, the packages of it the course uses, and a way back to
the pins after a notebook's setup cell has installed what Colab lacks. `colab` runs the notebooks in it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from cnn_course.config import REPO_ROOT
from cnn_course.installer import install

RUNTIME = REPO_ROOT / "colab" / "runtime.txt"
ENVIRONMENT = REPO_ROOT / ".venv-colab"
STAND_IN = '"""Stand-in for Colab\'s google.colab (python course.py test --colab): importable, as on Colab."""\n'
BASE = ("pip", "setuptools", "ipykernel", "ipython", "packaging")  # Colab's, beside the course's requirements


def normalised(name: str) -> str:
    """A distribution's name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str | None = None) -> dict[str, str]:
    """Colab's ``name==version`` pins, by normalised name."""
    text = RUNTIME.read_text() if text is None else text
    pairs = (line.split("==", 1) for line in text.splitlines() if "==" in line and not line.startswith("#"))
    return {normalised(name): version.strip() for name, version in pairs}


def colab_python() -> str:
    """The Python version Colab runs, as the runtime file records it."""
    return re.search(r"^# python (\S+)", RUNTIME.read_text(), re.MULTILINE).group(1)


def published() -> str:
    """Where and when Colab published the pins: 'backend-info a724079 of 2026-08-19'."""
    commit, date = re.search(r"^# at commit (\w+) of ([\d-]+)", RUNTIME.read_text(), re.MULTILINE).groups()
    return f"googlecolab/backend-info {commit} of {date}"


def interpreter() -> tuple[str, str]:
    """This machine's ``python3.N`` nearest to Colab's (on the PATH, or one pyenv installed), and a warning when
    it is not Colab's own."""
    wanted = int(colab_python().split(".")[1])
    for minor in sorted(range(10, 20), key=lambda minor: (abs(minor - wanted), -minor)):
        pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
        for path in [shutil.which(f"python3.{minor}"), *sorted(pyenv.glob(f"3.{minor}.*/bin/python3.{minor}"))]:
            if path and subprocess.run([path, "-c", ""], capture_output=True).returncode == 0:
                return str(path), "" if minor == wanted else f"no python3.{wanted} (Colab's) here: using {path}"
    return sys.executable, f"no python3.{wanted} (Colab's) nor another python3.N here: using {sys.executable}"


def requirements() -> list[str]:
    """requirements.txt's requirements (``"keras>=3.10"``, ...), without comments and pip options."""
    lines = (line.split("#")[0].strip() for line in (REPO_ROOT / "requirements.txt").read_text().splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def requirement_names() -> list[str]:
    """The normalised names of requirements.txt's packages (the course and its tests need them)."""
    return [normalised(re.split(r"[<>=!~;\[ ]", line)[0]) for line in requirements()]


def colab_packages() -> list[str]:
    """``name==version`` of what Colab has of the course's requirements (and its kernel and pip): what the
    environment installs. What Colab lacks is the setup cell's to install."""
    pinned = pins()
    return [f"{name}=={pinned[name]}" for name in dict.fromkeys([*requirement_names(), *BASE]) if name in pinned]


def environment() -> Path:
    """The virtual environment with Colab's packages (built the first time, again when the pins change); its
    Python."""
    python = ENVIRONMENT / "bin" / "python"
    interpreter_path, warning = interpreter()
    if warning:
        print(f"colab: {warning}", flush=True)
    stamp, fingerprint = ENVIRONMENT / ".colab-pins", hashlib.sha256(
        (RUNTIME.read_text() + "\n".join(colab_packages()) + interpreter_path).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == fingerprint and python.exists():
        return python
    shutil.rmtree(ENVIRONMENT, ignore_errors=True)
    print(f"colab: building {ENVIRONMENT.name} from {RUNTIME.relative_to(REPO_ROOT)} (the first time takes minutes)",
          flush=True)
    subprocess.run([interpreter_path, "-m", "venv", ENVIRONMENT], check=True)
    failed = install(Path(sys.executable), ["--constraint", RUNTIME, *colab_packages()], into=python)
    if failed:
        sys.exit(f"colab: pip could not install Colab's pins:\n{failed}")
    (stand_in(python) / "google" / "colab").mkdir(parents=True)
    (stand_in(python) / "google" / "colab" / "__init__.py").write_text(STAND_IN)
    stamp.write_text(fingerprint)
    return python


def stand_in(python: Path) -> Path:
    """The folder that holds the ``google.colab`` stand-in (put on the kernel's PYTHONPATH, not installed)."""
    return python.parent.parent / "colab-stand-in"


def installed(python: Path) -> dict[str, str]:
    """Every distribution in the environment, by normalised name."""
    listed = subprocess.run([python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
                            capture_output=True, text=True, check=True).stdout
    return {normalised(entry["name"]): entry["version"] for entry in json.loads(listed)}


def restore(python: Path, baseline: dict[str, str]) -> list[str]:
    """Put the environment back as `baseline` had it; return ``"name a -> b"`` for each version that changed."""
    now = installed(python)
    changed = [f"{name} {version} -> {now.get(name, 'removed')}" for name, version in baseline.items()
               if now.get(name) != version]
    extra = [name for name in now if name not in baseline]
    if extra:
        subprocess.run([python, "-m", "pip", "uninstall", "--quiet", "--yes", *extra], check=True)
    if changed:
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps",
                        *(f"{name}=={version}" for name, version in baseline.items() if now.get(name) != version)],
                       check=True)
    return changed

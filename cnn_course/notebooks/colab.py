"""Run the notebooks as Colab runs them, on Colab's published package set: ``python course.py test --colab``.

Colab's runtime is a fixed list of packages (``colab/runtime.txt``, from googlecolab/backend-info);
`colab_environment.environment` builds a virtual environment of those the course uses, at Colab's versions, and
`run` executes each notebook there as on a fresh Colab machine: ``google.colab`` importable (a
stand-in, a portion of the ``google`` namespace package beside the real ``google.protobuf``) and imported as the
kernel starts, the setup cell's ``git clone`` answered by a local clone of this checkout's last commit, an empty
cache, a scratch working folder for ``/content``. Each notebook ends by running its setup cell again. Afterwards
the environment goes back to the pins; a notebook fails if its setup cell changed a pinned version. A setup cell
identical to one already run (the build writes the same cell into every notebook) is not run again: its notebook
takes that run's outcome.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat

from cnn_course import results
from cnn_course.config import CACHE_VARIABLE, QUICK_VARIABLE, REPO_ROOT
from cnn_course.notebooks.build import repository_url, setup_cell
from cnn_course.notebooks.colab_environment import colab_python, environment, installed, published, restore, stand_in
from cnn_course.notebooks.contract import SOLUTIONS
from cnn_course.notebooks.run import errors

AGAIN = "colab-test: setup cell again in"
READY = "course: ready"  # what `hosted.prepare` says when it has nothing to install
SETUP = 1  # the setup cell's index, after the Colab badge


@dataclasses.dataclass
class Outcome:
    """One notebook's run: how much of it ran, how long, what the setup cell said, the first error."""

    name: str
    whole: bool
    seconds: float
    setup: str
    again: float | None
    again_said: str
    error: str
    same_as: str = ""  # the notebook whose run executed this one's setup cell, the same cell

    @property
    def passed(self) -> bool:
        """No error, and the setup cell, run again, installed nothing within 2 seconds."""
        return not self.error and self.again is not None and self.again < 2 and self.again_said.startswith(READY)

    def line(self) -> str:
        what = "whole notebook" if self.whole else "setup cell"
        if self.same_as:
            return f"{self.name:36} {what:14} the same cell as {self.same_as}'s: {'ok' if self.passed else 'FAILED'}"
        again = "not run" if self.again is None else f"{self.again:.2f} s"
        result = "ok" if self.passed else f"FAILED: {self.error or f'setup cell again: {again}, {self.again_said}'}"
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
        "env": {"PYTHONPATH": str(stand_in(python)), CACHE_VARIABLE: str(cache), QUICK_VARIABLE: "1",
                "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # quiets debugpy's warning about frozen modules
                "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.file://{origin}.insteadOf",
                "GIT_CONFIG_VALUE_0": repository_url(), "VIRTUAL_ENV": str(python.parent.parent),
                "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    }))


def first_error(notebook) -> str:
    """The run's first error, with its cell, on one line; '' when there was none."""
    found = errors(notebook)
    return f"cell {found[0][0]}: {found[0][1]}: {found[0][2]}".splitlines()[0][:300] if found else ""


def printed(cell, prefix: str) -> str:
    """The first line a cell printed that starts with `prefix`."""
    lines = [line for output in cell.get("outputs", []) if output.output_type == "stream"
             for line in output.text.splitlines() if line.startswith(prefix)]
    return lines[0] if lines else ""


def run_notebook(path: Path, whole: bool, python: Path, machine: Path) -> Outcome:
    """`path` on the stand-in Colab machine `machine` (a folder for /content, the cache, the kernel): whole, or
    its badge and setup cells only; then the setup cell again."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    if not whole:
        notebook.cells = notebook.cells[:SETUP + 1]
    notebook.cells.append(timed_setup_cell())
    os.environ["JUPYTER_PATH"] = str(machine / "jupyter")
    start = time.perf_counter()
    try:
        NotebookClient(notebook, timeout=600, allow_errors=True, kernel_name="colab",
                       resources={"metadata": {"path": str(machine / "content")}}).execute()
        error = first_error(notebook)
    except Exception as exception:  # the kernel died or a cell timed out: a failed notebook, not a stopped run
        error = f"{type(exception).__name__}: {exception}".splitlines()[0][:300]
    again = printed(notebook.cells[-1], AGAIN)
    return Outcome(path.stem, whole, time.perf_counter() - start,
                   printed(notebook.cells[SETUP], "course:") or "(the setup cell said nothing)",
                   float(again.split()[-2]) if again else None, printed(notebook.cells[-1], "course:"), error)


def setup_source(path: Path) -> str:
    """A notebook's setup cell (the one after its badge), as written."""
    return nbformat.read(path, as_version=4).cells[SETUP].source


def machines(paths: list[Path], is_whole: dict[Path, bool]) -> tuple[list[list[Path]], dict[Path, str]]:
    """The notebooks each fresh machine runs: a whole notebook each, then one machine for the others' setup cells,
    each distinct cell once; and, for each notebook whose setup cell is not run, the one whose run executes that same
    cell."""
    source = {path: setup_source(path) for path in paths}
    first_run = {}
    for path in sorted(paths, key=lambda path: not is_whole[path]):  # the whole notebooks' setup cells run first
        first_run.setdefault(source[path], path.stem)
    setups = [path for path in paths if not is_whole[path]]
    first = {path: first_run[source[path]] for path in setups}
    return ([[path] for path in paths if is_whole[path]] + [[path for path in setups if first[path] == path.stem]],
            {path: first[path] for path in setups if first[path] != path.stem})


def same_setup(name: str, ran: Outcome) -> Outcome:
    """Notebook `name`'s outcome where its setup cell is the very cell another run (`ran`) executed: that run's,
    less an error in a later cell of a whole notebook."""
    later = ran.error.startswith("cell ") and not ran.error.startswith(f"cell {SETUP}:")
    return dataclasses.replace(ran, name=name, whole=False, seconds=0.0, same_as=ran.name,
                               error="" if later else ran.error)


def fresh_machine(folder: Path, python: Path, origin: Path) -> Path:
    """`folder` made a fresh stand-in Colab machine: an empty /content and cache, the "colab" kernel."""
    (folder / "content").mkdir(parents=True)
    kernel_spec(folder / "jupyter", python, origin, folder / "cache")
    return folder


def run(whole: list[str] | None = None) -> int:
    """Every solution notebook on Colab's runtime: the numbered ones in `whole` (all when None) whole, each on a
    fresh machine; the others' setup cells only (each distinct cell once), one after another on one more machine.
    Prints one line per notebook; 0 when all pass."""
    python = environment()
    baseline = installed(python)
    here = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    print(f"colab: Python {here} (Colab's: {colab_python()}), " + ", ".join(f"{name} {baseline.get(name, 'missing')}"
                                                     for name in ("tensorflow", "keras", "numpy")), flush=True)
    if subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True).stdout:
        print("colab: the setup cells clone the last commit; uncommitted changes are not in it", flush=True)
    paths = sorted(SOLUTIONS.glob("*.ipynb"))
    is_whole = {path: whole is None or path.name[:2] in whole for path in paths}
    groups, alike = machines(paths, is_whole)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="colab-") as scratch:
        origin = Path(scratch) / "origin"
        subprocess.run(["git", "clone", "--quiet", REPO_ROOT, origin], check=True)
        for index, group in enumerate(filter(None, groups)):
            machine = fresh_machine(Path(scratch) / f"machine-{index}", python, origin)
            ran = [run_notebook(path, is_whole[path], python, machine) for path in group]
            changed = restore(python, baseline)
            for outcome in ran:
                outcome.error = outcome.error or ("the setup cell changed " + ", ".join(changed) if changed else "")
                print(outcome.line(), flush=True)
            outcomes += ran
    for path, name in alike.items():
        outcomes.append(same_setup(path.stem, next(outcome for outcome in outcomes if outcome.name == name)))
        print(outcomes[-1].line(), flush=True)
    failed = [outcome.name for outcome in outcomes if not outcome.passed]
    print(f"colab: {len(outcomes) - len(failed)} of {len(outcomes)} notebooks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    if whole is None:  # a release's run of every notebook: what the README's Colab paragraph reads
        record(outcomes, baseline, here)
    return 1 if failed else 0


def record(outcomes: list[Outcome], versions: dict[str, str], here: str) -> None:
    """Write the run (on Python `here`) to results/colab.json and re-render the README."""
    from cnn_course.notebooks.readme import update

    results.write("colab", {
        "date": datetime.date.today().isoformat(), "machine": results.machine_description(),
        "runtime": published(), "colab_python": colab_python(), "python": here,
        "versions": {name: versions.get(name) for name in ("tensorflow", "keras", "numpy")},
        "notebooks": [dataclasses.asdict(outcome) | {"passed": outcome.passed} for outcome in outcomes]})
    update()

"""The notebooks the course has already executed, kept outside git in ``results/executed/`` for reading and for
the site (``python -m cnn_course site``), which executes nothing itself.

- ``results/executed/tests/NN_topic.ipynb``: the test run's one execution of each solution notebook (quick mode),
  kept by conftest.py from nbval's outputs, or from nbgrader's autograde for the notebooks it runs;
- ``results/executed/NN_topic.{quick,full}.seed{N}.ipynb``: the benchmark's runs (``python -m cnn_course
  benchmark``); the full-mode ones on seed 0 are the published site's.
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import nbformat

from cnn_course.config import REPO_ROOT

EXECUTED = REPO_ROOT / "results" / "executed"
TESTS = EXECUTED / "tests"


def benchmark_copy(stem: str, quick: bool, seed: int = 0) -> Path:
    """Where the benchmark keeps its run of notebook `stem` in one mode, on one seed."""
    return EXECUTED / f"{stem}.{'quick' if quick else 'full'}.seed{seed}.ipynb"


def fingerprint(solution: Path) -> str:
    """What identifies the solution notebook a run executed: its file's hash."""
    return hashlib.sha256(solution.read_bytes()).hexdigest()[:16]


def keep(notebook, path: Path, run: str, quick: bool, solution: Path) -> Path:
    """Write an executed `notebook` to `path`, noting in its metadata which run executed it, in which mode, when,
    and which version of its `solution` notebook (`fingerprint`)."""
    notebook.metadata["cnn_course"] = {"run": run, "mode": "quick" if quick else "full",
                                       "date": datetime.date.today().isoformat(), "solution": fingerprint(solution)}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def with_outputs_of(run_notebook, solution: Path):
    """The solution notebook at `solution` carrying the outputs of `run_notebook`, a run of a notebook with the same
    cells (nbgrader's version of it), cell by cell."""
    notebook = nbformat.read(solution, as_version=4)
    ran = [cell for cell in run_notebook.cells if cell.cell_type == "code"]
    mine = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if len(ran) != len(mine):
        raise ValueError(f"{solution.name}: the executed notebook has {len(ran)} code cells, the solution {len(mine)}")
    for cell, run in zip(mine, ran):
        cell.outputs, cell.execution_count = run.outputs, run.execution_count
    return notebook

"""Measure every solution notebook in quick and full mode: ``python -m cnn_course benchmark``.

It runs each notebook headless in both modes, records the wall time and every printed result line
(starting with "test accuracy", "final training loss", "measured speed-up", "measured overhead",
"validation accuracy at" or "training accuracy by arm", and the paired comparisons of `experiments`: "a vs b,
paired over n seeds: ...") in ``results/benchmarks.json``, and re-renders the README's tables from it
(`readme.update`, which ``python -m cnn_course readme`` runs alone).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from cnn_course import results
from cnn_course.notebooks import executed, readme
from cnn_course.notebooks.contract import SOLUTIONS
from cnn_course.notebooks.run import errors, execute

RESULT_LINE = re.compile(r"^((?:test accuracy|final training loss|measured (?:speed-up|overhead)"
                         rf"|validation accuracy at).*|{results.COMPARISON}.*)$", re.MULTILINE | re.IGNORECASE)
SEEDS = 3


def run(path: Path, quick: bool, seed: int = 0) -> dict:
    """Execute one notebook, keep the executed copy (`executed.benchmark_copy`), and return its seed, wall
    time, errors and result lines."""
    start = time.perf_counter()
    notebook = execute(path, quick=quick, seed=seed)
    seconds = time.perf_counter() - start
    executed.keep(notebook, executed.benchmark_copy(path.stem, quick, seed), "benchmark", quick, path)
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    raised = [f"{name}: {message[:120]}" for _, name, message in errors(notebook)]
    return {"seed": seed, "seconds": round(seconds, 1), "errors": raised, "results": RESULT_LINE.findall(text)}


def runs_of(path: Path, quick: bool, seeds: int = SEEDS) -> list[dict]:
    """One run; in full mode, when the notebook reports a trained network's test accuracy, one
    run per seed 0 .. seeds - 1 (the data and the validation split stay the same)."""
    runs = [run(path, quick)]
    print(f"  {runs[0]}", flush=True)
    if not quick and results.headline(runs):
        for seed in range(1, seeds):
            runs.append(run(path, quick, seed))
            print(f"  {runs[-1]}", flush=True)
    return runs


def benchmark(names: list[str] | None = None, modes=("quick", "full"), seeds: int = SEEDS) -> dict:
    """Run the chosen notebooks (all by default), merge the figures into results/benchmarks.json and
    re-render the README."""
    data = results.read(results.BENCHMARKS)
    data["machine"] = results.machine_description()
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        if names and not any(n in path.stem for n in names):
            continue
        entry = data.setdefault(path.stem, {})
        for mode in modes:
            print(f"benchmark: {path.name} in {mode} mode ...", flush=True)
            entry[mode] = runs_of(path, quick=(mode == "quick"), seeds=seeds)
            results.write(results.BENCHMARKS, data)  # after each mode: a long run keeps its figures
    readme.update()
    return data

"""Measure every solution notebook in quick and full mode and write the README's table.

``python -m cnn_course benchmark`` runs each notebook headless in both modes, records the
wall time and every printed result line (starting with "test accuracy", "final training
loss", "measured speed-up", "measured overhead" or "validation accuracy at"), stores them in
``results/benchmarks.json`` and rewrites the README's generated blocks (between
``<!-- name:start -->`` and ``<!-- name:end -->`` markers) from the JSON files in ``results/``.
Nothing in those blocks is typed by hand; a test checks they match.
"""

from __future__ import annotations

import json
import platform
import re
import statistics
import time
from pathlib import Path

import nbformat

from cnn_course.config import REPO_ROOT, is_quick
from cnn_course.notebooks.contract import SOLUTIONS, exercises
from cnn_course.notebooks.run import execute

RESULTS = REPO_ROOT / "results" / "benchmarks.json"
FINGERS = REPO_ROOT / "results" / "fingers_difficulty.json"
STEP_TIMES = REPO_ROOT / "results" / "step_times.json"
README = REPO_ROOT / "README.md"
EXECUTED = REPO_ROOT / "results" / "executed"
RESULT_LINE = re.compile(r"^((?:test accuracy|final training loss|measured (?:speed-up|overhead)"
                         r"|validation accuracy at).*)$", re.MULTILINE | re.IGNORECASE)
HEADLINE = re.compile(r"^test accuracy: ([\d.]+)")  # a trained network's figure: measured on several seeds
SEEDS = 3


def run(path: Path, quick: bool, seed: int = 0) -> dict:
    """Execute one notebook, keep the executed copy in results/executed/, and return its seed, wall
    time, errors and result lines."""
    start = time.perf_counter()
    notebook = execute(path, quick=quick, seed=seed)
    seconds = time.perf_counter() - start
    EXECUTED.mkdir(parents=True, exist_ok=True)  # the run with its outputs, to read (not committed)
    nbformat.write(notebook, EXECUTED / f"{path.stem}.{'quick' if quick else 'full'}.seed{seed}.ipynb")
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    errors = [f"{o['ename']}: {o['evalue'][:120]}" for c in notebook.cells if c.cell_type == "code"
              for o in c.outputs if o.get("output_type") == "error"]
    return {"seed": seed, "seconds": round(seconds, 1), "errors": errors, "results": RESULT_LINE.findall(text)}


def runs_of(path: Path, quick: bool, seeds: int = SEEDS) -> list[dict]:
    """One run; in full mode, when the notebook reports a trained network's test accuracy, one
    run per seed 0 .. seeds - 1 (the data and the validation split stay the same)."""
    runs = [run(path, quick)]
    print(f"  {runs[0]}", flush=True)
    if not quick and any(HEADLINE.match(line) for line in runs[0]["results"]):
        for seed in range(1, seeds):
            runs.append(run(path, quick, seed))
            print(f"  {runs[-1]}", flush=True)
    return runs


def benchmark(names: list[str] | None = None, modes=("quick", "full"), seeds: int = SEEDS) -> dict:
    """Run the chosen notebooks (all by default) and merge the figures into results/benchmarks.json."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["machine"] = machine_description()
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        if names and not any(n in path.stem for n in names):
            continue
        entry = data.setdefault(path.stem, {})
        for mode in modes:
            print(f"benchmark: {path.name} in {mode} mode ...", flush=True)
            entry[mode] = runs_of(path, quick=(mode == "quick"), seeds=seeds)
            RESULTS.parent.mkdir(exist_ok=True)
            RESULTS.write_text(json.dumps(data, indent=2) + "\n")  # after each mode: a long run keeps its figures
    update_readme()
    return data


def headline(runs: list[dict]) -> list[float]:
    """The test accuracy each run printed (none for notebooks that train nothing)."""
    return [float(match.group(1)) for r in runs for line in r["results"] if (match := HEADLINE.match(line))]


def recorded_accuracies(name: str) -> list[float]:
    """The test accuracies the benchmark measured for a notebook in full mode, one per seed (empty
    when it has not run), for another notebook to compare with: e.g. notebook 07 with 02's ResNet-50."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    return headline(data.get(name, {}).get("full", []))


def recorded(name: str) -> str:
    """What the benchmark measured for a notebook in full mode, for the notebook to quote beside its
    own run: e.g. "course benchmark (full mode; x86_64, 2 CPU cores, ...) -- test accuracy: 0.925
    (0.867–0.933, 3 seeds)". In quick mode it adds that a quick run does not compare."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if "full" not in data.get(name, {}):
        return f"the course benchmark has not measured {name} in full mode yet"
    quick = " -- your quick-mode run trains on less, so it does not compare" if is_quick() else ""
    return f"course benchmark (full mode; {data['machine']}) -- {summary(data[name]['full'])}{quick}"


def summary(runs: list[dict]) -> str:
    """The result lines of a run; over several seeds, the test accuracy as median (range, seeds)."""
    lines = runs[0]["results"]
    if len(runs) > 1:
        values = headline(runs)
        spread = f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f}, {len(values)} seeds)"
        lines = [f"test accuracy: {spread}" if HEADLINE.match(line) else line for line in lines]
    return "; ".join(lines) or "—"


def report_figures(figures: dict, out: str | None) -> None:
    """A measuring script's last step: stamp `figures` with the machine, print them, and with `out`
    write them there as JSON and rewrite the README's generated blocks."""
    figures["machine"] = machine_description()
    print(json.dumps(figures, indent=2))
    if out:
        Path(out).write_text(json.dumps(figures, indent=2) + "\n")
        update_readme()


def machine_description() -> str:
    """E.g. 'x86_64, 2 CPU cores (AMD EPYC 7B13, oneDNN on (TF_ENABLE_ONEDNN_OPTS=1)), Python 3.11.7': where a
    figure was measured -- TensorFlow's CPU speed depends on whether its oneDNN kernels are on."""
    import os

    from cnn_course.config import cpu_description

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{platform.machine()}, {cores} CPU cores ({cpu_description()}), Python {platform.python_version()}"


def readme_table(data: dict) -> str:
    """The README's notebook table from measured figures."""
    rows = ["| # | notebook | exercises | quick run | full run | full-mode results |",
            "| --- | --- | --- | --- | --- | --- |"]
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        title = next(c.source.splitlines()[0].lstrip("# ") for c in notebook.cells
                     if c.cell_type == "markdown" and c.source.startswith("# "))
        names = ", ".join(f"`{name}`" for _, name in exercises(notebook))
        entry = data.get(path.stem, {})
        results = summary(entry["full"]) if "full" in entry else "—"
        rows.append(f"| {path.stem[:2]} | [{title}](notebooks/{path.name}) | {names} "
                    f"| {_seconds(entry, 'quick')} | {_seconds(entry, 'full')} | {results} |")
    rows.append(f"\nMeasured by `python -m cnn_course benchmark` on {data.get('machine', 'this machine')}: "
                f"times are the median of the runs; a test accuracy is the median over seeds 0 to {SEEDS - 1} "
                "(`CNN_COURSE_SEED`: the initial weights and the order of the batches change, the data "
                "and the validation split do not), with the lowest and highest in brackets.")
    return "\n".join(rows)


def _seconds(entry: dict, mode: str) -> str:
    """The median wall time of the mode's runs."""
    if mode not in entry:
        return "not measured"
    seconds = statistics.median(r["seconds"] for r in entry[mode])
    return f"{seconds:.0f} s" if seconds < 600 else f"{seconds / 60:.0f} min"


def fingers_table(figures: dict) -> str:
    """The README's fingers-difficulty figures, from scripts/fingers_difficulty.py's JSON."""
    return "\n".join([
        "| model | test accuracy | time on this machine |",
        "| --- | --- | --- |",
        f"| logistic regression on raw pixels (best C = {figures['logistic_regression_C']}) "
        f"| {figures['logistic_regression_test_accuracy']:.1%} | — |",
        f"| small CNN: 4 × (conv 3×3 → BN → ReLU → max-pool), Adam, {figures['small_cnn_epochs']} epochs "
        f"| {figures['small_cnn_test_accuracy']:.1%} | {figures['small_cnn_train_seconds']:.0f} s of training |",
        "",
        f"{figures['train_images']:,} training and {figures['test_images']} test images, generated in "
        f"{figures['generation_seconds']:.0f} s; measured on {figures.get('machine', 'this machine')}.",
    ])


def step_times_table(figures: dict) -> str:
    """The README's per-step times on each backend, from scripts/step_times.py's JSON."""
    times = figures["seconds_per_step"]
    backends = list(times)
    rows = [f"| one training step of ResNet-50 | {' | '.join(backends)} |", "| --- |" + " --- |" * len(backends)]
    for way in times[backends[0]]:
        rows.append(f"| {way} | " + " | ".join(f"{times[backend][way]:.2f} s" for backend in backends) + " |")
    shape = "×".join(map(str, figures["image_shape"]))
    rows.append(f"\nBatches of {figures['batch_size']} images of {shape}, Adam; the median step after the first "
                f"(which compiles); measured by `scripts/step_times.py` on {figures['machine']}.")
    return "\n".join(rows)


def readme_blocks() -> dict[str, str]:
    """Each generated README block, from the measured JSON files that exist."""
    blocks = {}
    if RESULTS.exists():
        blocks["notebooks"] = readme_table(json.loads(RESULTS.read_text()))
    if FINGERS.exists():
        blocks["fingers"] = fingers_table(json.loads(FINGERS.read_text()))
    if STEP_TIMES.exists():
        blocks["backends"] = step_times_table(json.loads(STEP_TIMES.read_text()))
    return blocks


def block_of(text: str, name: str) -> str:
    """The text between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    return text.split(f"<!-- {name}:start -->\n", 1)[1].split(f"\n<!-- {name}:end -->", 1)[0]


def update_readme() -> None:
    """Rewrite the README's generated blocks from results/*.json."""
    text = README.read_text()
    for name, block in readme_blocks().items():
        text = text.replace(block_of(text, name), block)
    README.write_text(text)

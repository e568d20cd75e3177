"""The course's measured figures: the JSON files in ``results/``, a measurement repeated over seeds as its
median and range (`Spread`), and what a notebook quotes of the course's benchmark (`recorded`).

``results/benchmarks.json`` holds what ``python -m cnn_course benchmark`` measured: for each solution
notebook, its quick- and full-mode runs (seed, seconds, errors and the result lines it printed). The
README's tables are rendered from these files by ``python -m cnn_course readme``.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cnn_course import config

FOLDER = config.REPO_ROOT / "results"
BENCHMARKS = "benchmarks"
HEADLINE = re.compile(r"^test accuracy: ([\d.]+)")  # a trained network's figure: measured on several seeds
# An experiment's recorded reading (`experiments.Paired.sentence`, `experiments.training_fit`): the README lists
# these under its notebook rather than in the table.
COMPARISON = r"(?:training accuracy by arm: |.+ vs .+, paired over \d+ seeds?: )"


def path_of(name: str) -> Path:
    """Where the figures called `name` are stored: ``results/<name>.json``."""
    return FOLDER / f"{name}.json"


def read(name: str) -> dict:
    """The figures stored as ``results/<name>.json``; empty when nothing has been measured."""
    path = path_of(name)
    return json.loads(path.read_text()) if path.exists() else {}


def write(name: str, figures: dict) -> Path:
    """Store `figures` as ``results/<name>.json`` (indented, one trailing newline); returns the path."""
    path = path_of(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n")
    return path


@dataclass(frozen=True)
class Spread:
    """A measurement repeated `n` times (over seeds, networks, ...): its median, lowest and highest value.

    ``format(Spread.of([0.867, 0.925, 0.933]), ".3f")`` reads "0.925 (0.867–0.933, 3 seeds)"; the format
    spec applies to each number ("+.3f" for differences), and one run reads "0.925 (1 seed)".
    """

    median: float
    low: float
    high: float
    n: int
    unit: str = "seed"

    @classmethod
    def of(cls, values: Iterable[float], unit: str = "seed") -> Spread:
        """The spread of `values` (at least one), each counted as one `unit`."""
        values = [float(value) for value in values]
        if not values:
            raise ValueError("a spread needs at least one value")
        return cls(statistics.median(values), min(values), max(values), len(values), unit)

    def __format__(self, spec: str) -> str:
        spec = spec or ".3f"
        count = f"{self.n} {self.unit}{'s' * (self.n != 1)}"
        if self.n == 1:
            return f"{self.median:{spec}} ({count})"
        return f"{self.median:{spec}} ({self.low:{spec}}–{self.high:{spec}}, {count})"

    def __str__(self) -> str:
        return format(self, "")


def headline(runs: list[dict]) -> list[float]:
    """The test accuracy each benchmark run printed (none for notebooks that train nothing)."""
    return [float(match.group(1)) for run in runs for line in run["results"] if (match := HEADLINE.match(line))]


def summary(runs: list[dict]) -> str:
    """The result lines of a notebook's runs but its experiments' `comparisons`; over several seeds, the test
    accuracy as a `Spread`."""
    lines = [line for line in runs[0]["results"] if not re.match(COMPARISON, line)]
    if len(runs) > 1:
        spread = format(Spread.of(headline(runs)), ".3f")
        lines = [f"test accuracy: {spread}" if HEADLINE.match(line) else line for line in lines]
    return "; ".join(lines) or "—"


def comparisons(runs: list[dict]) -> list[str]:
    """What a notebook's experiments read in its first run: each arm's training fit, and each paired comparison
    over seeds, as printed."""
    return [line for line in runs[0]["results"] if re.match(COMPARISON, line)]


def seeds_of(runs: list[dict]) -> str:
    """The seeds the runs started from, as a reader counts them: "seed 0", "seeds 0–2", "seeds 0, 3"."""
    seeds = sorted(run["seed"] for run in runs)
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    consecutive = seeds == list(range(seeds[0], seeds[0] + len(seeds)))
    return f"seeds {seeds[0]}–{seeds[-1]}" if consecutive else "seeds " + ", ".join(map(str, seeds))


def recorded(name: str) -> str:
    """What the course's benchmark measured for notebook `name` in full mode, as one labelled line for a
    notebook to print beside (never instead of) what it measured itself: e.g. "the course's benchmark,
    seeds 0–2 (full mode, on x86_64, 2 CPU cores, ...): test accuracy: 0.925 (0.867–0.933, 3 seeds)".
    In quick mode it adds that a quick run does not compare."""
    data = read(BENCHMARKS)
    runs = data.get(name, {}).get("full")
    if not runs:
        return f"the course's benchmark has not measured {name} in full mode yet"
    quick = " -- your quick-mode run trains on less, so it does not compare" if config.is_quick() else ""
    return f"the course's benchmark, {seeds_of(runs)} (full mode, on {data['machine']}): {summary(runs)}{quick}"


def machine_description() -> str:
    """E.g. 'x86_64, 2 CPU cores (AMD EPYC 7B13, oneDNN on (TF_ENABLE_ONEDNN_OPTS=1)), Python 3.11.7': where a
    figure was measured -- TensorFlow's CPU speed depends on whether its oneDNN kernels are on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{platform.machine()}, {cores} CPU cores ({config.cpu_description()}), Python {platform.python_version()}"

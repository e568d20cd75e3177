"""The README tells the two commands, and its measured tables match results/*.json."""

import json
import re
import statistics

import nbformat
import pytest

from cnn_course.config import REPO_ROOT
from cnn_course.notebooks import benchmark

README = (REPO_ROOT / "README.md").read_text()


def test_two_commands_and_ci_uses_the_test_one():
    assert "python course.py lab" in README and "python course.py test" in README
    assert "course.py test" in (REPO_ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("name", ["notebooks", "fingers", "backends"])
def test_generated_blocks_match_the_measurements(name):
    blocks = benchmark.readme_blocks()
    assert name in blocks, f"results/ lacks the measurements behind the README's {name} block"
    assert benchmark.block_of(README, name) == blocks[name], \
        "README is out of date: run `python -m cnn_course benchmark` or the script in scripts/ behind it"


def test_every_solution_notebook_is_in_the_table():
    for path in sorted((REPO_ROOT / "solutions").glob("*.ipynb")):
        assert f"(notebooks/{path.name})" in benchmark.block_of(README, "notebooks")


def test_recorded_measurements_meet_the_course_targets():
    """Guards on the stored figures: re-measure with the scripts when the code changes them."""
    fingers = json.loads((REPO_ROOT / "results" / "fingers_difficulty.json").read_text())
    assert fingers["logistic_regression_test_accuracy"] <= 0.45
    assert fingers["small_cnn_test_accuracy"] >= 0.90 and fingers["small_cnn_train_seconds"] <= 180
    for name, entry in measured().items():
        assert all(run["seconds"] < 60 and not run["errors"] for run in entry["quick"]), name
        assert all(run["seconds"] <= 15 * 60 and not run["errors"] for run in entry["full"]), name


def measured() -> dict:
    runs = json.loads((REPO_ROOT / "results" / "benchmarks.json").read_text())
    return {name: entry for name, entry in runs.items() if name != "machine"}


def full_runs(name: str) -> list[dict]:
    runs = measured()
    assert name in runs, f"{name} has not been benchmarked: run `python -m cnn_course benchmark {name[:2]}`"
    return runs[name]["full"]


def test_every_test_accuracy_is_measured_over_seeds():
    for name, entry in measured().items():
        if benchmark.headline(entry["full"][:1]):
            assert sorted(run["seed"] for run in entry["full"]) == list(range(benchmark.SEEDS)), name


# The accuracies the course promises in full mode (the issues' targets): the median over seeds.
TARGET_ACCURACY = {"00_keras_tutorial": 0.90, "01_classic_networks": 0.97, "02_residual_networks": 0.95}


@pytest.mark.parametrize("name", list(TARGET_ACCURACY))
def test_full_mode_reaches_the_promised_accuracy(name):
    assert statistics.median(benchmark.headline(full_runs(name))) >= TARGET_ACCURACY[name]


def test_full_mode_shows_the_degradation_problem():
    """Notebook 03, over its seeds: the deepest plain net's median loss is above the shallowest's, and
    every run of the deepest residual net ends below every run of its plain twin; the deepest residual
    net's median is no worse than the shallowest's."""
    losses, spread = {}, re.compile(r"(\d+) layers ([\d.]+) \(([\d.]+)–([\d.]+)\)")  # depth, median (low–high)
    for line in full_runs("03_why_resnets_work")[0]["results"]:
        kind, values = re.match(r"final training loss, (\w+): (.*)", line).groups()
        losses[kind] = {int(depth): tuple(map(float, figures)) for depth, *figures in spread.findall(values)}
    plain, residual = losses["plain"], losses["residual"]
    shallow, deep = min(plain), max(plain)
    assert plain[deep][0] > plain[shallow][0] and residual[deep][2] < plain[deep][1]
    assert residual[deep][0] <= residual[shallow][0]


def test_summary_reports_the_median_and_range_over_seeds():
    runs = [{"seed": seed, "seconds": 1.0, "errors": [], "results": [f"test accuracy: {accuracy}  (of 120)"]}
            for seed, accuracy in enumerate((0.95, 0.99, 0.97))]
    assert benchmark.headline(runs) == [0.95, 0.99, 0.97]
    assert benchmark.summary(runs) == "test accuracy: 0.970 (0.950–0.990, 3 seeds)"
    assert benchmark.summary(runs[:1]) == "test accuracy: 0.95  (of 120)"


def test_every_notebook_with_a_test_accuracy_quotes_the_benchmarks_spread():
    """A notebook runs one seed; beside its test accuracy it prints what the benchmark measured over seeds."""
    for name, entry in measured().items():
        if benchmark.headline(entry["full"][:1]):
            notebook = nbformat.read(REPO_ROOT / "solutions" / f"{name}.ipynb", as_version=4)
            assert any(f'print(recorded("{name}"))' in cell.source for cell in notebook.cells), name


def test_recorded_accuracies_are_the_full_mode_runs_of_one_notebook(tmp_path, monkeypatch):
    runs = [{"seed": seed, "seconds": 1.0, "errors": [], "results": [f"test accuracy: {accuracy}"]}
            for seed, accuracy in enumerate((0.9, 0.8))]
    path = tmp_path / "benchmarks.json"
    path.write_text(json.dumps({"machine": "m", "02_x": {"quick": runs[:1], "full": runs}}))
    monkeypatch.setattr(benchmark, "RESULTS", path)
    assert benchmark.recorded_accuracies("02_x") == [0.9, 0.8]
    assert benchmark.recorded_accuracies("03_y") == []

"""The README tells the two commands, and its measured tables match results/*.json."""

import json
import re

import pytest

from cnn_course.config import REPO_ROOT
from cnn_course.notebooks import benchmark

README = (REPO_ROOT / "README.md").read_text()


def test_two_commands_and_ci_uses_the_test_one():
    assert "python course.py lab" in README and "python course.py test" in README
    assert "course.py test" in (REPO_ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("name", ["notebooks", "fingers"])
def test_generated_blocks_match_the_measurements(name):
    blocks = benchmark.readme_blocks()
    assert name in blocks, f"results/ lacks the measurements behind the README's {name} block"
    assert benchmark.block_of(README, name) == blocks[name], \
        "README is out of date: run `python -m cnn_course benchmark` or scripts/fingers_difficulty.py"


def test_every_solution_notebook_is_in_the_table():
    for path in sorted((REPO_ROOT / "solutions").glob("*.ipynb")):
        assert f"(notebooks/{path.name})" in benchmark.block_of(README, "notebooks")


def test_recorded_measurements_meet_the_course_targets():
    """Guards on the stored figures: re-measure with the scripts when the code changes them."""
    fingers = json.loads((REPO_ROOT / "results" / "fingers_difficulty.json").read_text())
    assert fingers["logistic_regression_test_accuracy"] <= 0.45
    assert fingers["small_cnn_test_accuracy"] >= 0.90 and fingers["small_cnn_train_seconds"] <= 180
    runs = json.loads((REPO_ROOT / "results" / "benchmarks.json").read_text())
    for name, entry in runs.items():
        if name != "machine":
            assert entry["quick"]["seconds"] < 60 and not entry["quick"]["errors"], name
            assert not entry["full"]["errors"], name


# The accuracies the course promises in full mode (the issues' targets), once reached.
TARGET_ACCURACY = {"00_keras_tutorial": 0.90, "01_classic_networks": 0.97, "02_residual_networks": 0.95}


def full_results(name: str) -> list[str]:
    runs = json.loads((REPO_ROOT / "results" / "benchmarks.json").read_text())
    assert name in runs, f"{name} has not been benchmarked: run `python -m cnn_course benchmark {name[:2]}`"
    return runs[name]["full"]["results"]


@pytest.mark.parametrize("name", list(TARGET_ACCURACY))
def test_full_mode_reaches_the_promised_accuracy(name):
    accuracy = float(re.search(r"test accuracy: ([\d.]+)", full_results(name)[0]).group(1))
    assert accuracy >= TARGET_ACCURACY[name]


def test_full_mode_shows_the_degradation_problem():
    """Notebook 03: the deepest plain net trains worse than the shallowest; residual nets of that depth do not."""
    losses = {}
    for line in full_results("03_why_resnets_work"):
        kind, values = re.match(r"final training loss, (\w+): (.*?)\s+\(", line).groups()
        losses[kind] = {int(d): float(v) for d, v in re.findall(r"(\d+) layers ([\d.]+)", values)}
    plain, residual = losses["plain"], losses["residual"]
    shallow, deep = min(plain), max(plain)
    assert plain[deep] > plain[shallow] and residual[deep] < plain[deep]
    assert residual[deep] <= residual[shallow]

"""The README tells the two commands, and its measured tables match results/*.json."""

import pytest

from cnn_course import benchmark
from cnn_course.config import REPO_ROOT

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
    import json

    fingers = json.loads((REPO_ROOT / "results" / "fingers_difficulty.json").read_text())
    assert fingers["logistic_regression_test_accuracy"] <= 0.45
    assert fingers["small_cnn_test_accuracy"] >= 0.90 and fingers["small_cnn_train_seconds"] <= 180
    runs = json.loads((REPO_ROOT / "results" / "benchmarks.json").read_text())
    for name, entry in runs.items():
        if name != "machine":
            assert entry["quick"]["seconds"] < 60 and not entry["quick"]["errors"], name
            assert not entry["full"]["errors"], name

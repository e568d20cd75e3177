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

"""Notebook hygiene: built learner copies are current, clean, and leak no solutions."""

import re
import subprocess
import sys

import nbformat
import pytest

from cnn_course import notebooks
from cnn_course.config import REPO_ROOT

SOLUTION_FILES = sorted(notebooks.SOLUTIONS.glob("*.ipynb"))
ALL_FILES = SOLUTION_FILES + sorted(notebooks.NOTEBOOKS.glob("*.ipynb"))
EXERCISE_TITLE = re.compile(r"^#+ Exercise \d+ — (\w+)", re.MULTILINE)


def read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks():
    assert SOLUTION_FILES, "solutions/ holds no notebook"


def test_learner_notebooks_are_up_to_date():
    stale = notebooks.build(check=True)
    assert not stale, f"run `python -m cnn_course build`: out of date: {[str(p) for p in stale]}"


def test_same_notebooks_in_both_folders():
    assert {p.name for p in SOLUTION_FILES} == {p.name for p in notebooks.NOTEBOOKS.glob("*.ipynb")}


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_without_outputs_and_with_clean_metadata(path):
    notebook = read(path)
    for cell in notebook.cells:
        assert cell.metadata == {}, f"cell metadata in {cell.id}"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"outputs in {cell.id}"
    assert set(notebook.metadata) == {"kernelspec", "language_info"}


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_badge_then_setup_cell(path):
    notebook = read(path)
    badge, setup = notebook.cells[0], notebook.cells[1]
    assert badge.cell_type == "markdown" and f"/blob/main/{path.parent.name}/{path.name}" in badge.source
    assert notebooks.repository_url().split("github.com/")[1] in badge.source
    assert setup.cell_type == "code" and setup.source == notebooks.setup_cell().source
    assert "config.setup()" in setup.source


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.name)
def test_every_exercise_has_a_title_a_solution_and_a_grader(path):
    cells = read(path).cells
    titles = [name for c in cells if c.cell_type == "markdown" for name in EXERCISE_TITLE.findall(c.source)]
    solution_cells = [i for i, c in enumerate(cells) if c.cell_type == "code" and notebooks.BEGIN in c.source]
    assert len(titles) == len(solution_cells), "each 'Exercise N — name' needs one solution cell"
    for name, index in zip(titles, solution_cells):
        assert re.search(rf"def {name}\(", cells[index].source), f"the solution cell should define {name}()"
        following = next(c for c in cells[index + 1:] if c.cell_type == "code")
        # the grader's name may be lower case: check_resnet50(ResNet50)
        assert re.search(rf"^check_(?i:{name})\({name}\)\s*$", following.source, re.M), \
            f"the code cell after exercise {name} should end with check_{name.lower()}({name}) or check_{name}({name})"
    numbers = [int(n) for c in cells if c.cell_type == "markdown" for n in re.findall(r"^#+ Exercise (\d+)",
                                                                                     c.source, re.M)]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.name)
def test_no_solution_text_leaks_into_learner_copy(path):
    solution, learner = read(path), read(notebooks.NOTEBOOKS / path.name)
    assert len(solution.cells) == len(learner.cells)
    for sol_cell, learner_cell in zip(solution.cells, learner.cells):
        assert notebooks.BEGIN not in learner_cell.source and notebooks.END not in learner_cell.source
        for region in notebooks.solution_regions(sol_cell.source):
            assert "raise NotImplementedError()" in learner_cell.source
            own_lines = set(notebooks.learner_source(sol_cell.source).splitlines())
            for line in region.splitlines():
                if line.strip() and line not in own_lines:
                    assert line not in learner_cell.source.splitlines(), f"solution line leaked: {line!r}"


def test_learner_source_keeps_indentation_and_rejects_unbalanced_markers():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = x + 1\n    ### END SOLUTION\n    return y"
    assert notebooks.learner_source(source) == \
        "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n    return y"
    assert notebooks.solution_regions(source) == ["    y = x + 1\n"]
    with pytest.raises(ValueError):
        notebooks.learner_source("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(ValueError):
        notebooks.learner_source("x = 1\n### END SOLUTION")


def grade(path):
    return subprocess.run([sys.executable, "-m", "cnn_course", "grade", str(path)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=900)


def test_grade_untouched_learner_copy_fails_with_not_implemented_rows():
    result = grade("notebooks/00_keras_tutorial.ipynb")
    assert result.returncode == 1, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert len(rows) == 3 and all("not implemented" in row for row in rows), result.stdout
    assert "score: 0/3" in result.stdout


@pytest.mark.parametrize("path", [p for p in SOLUTION_FILES if notebooks.BEGIN in p.read_text()], ids=lambda p: p.name)
def test_grade_solution_passes_every_exercise(path):
    """nbval only checks that cells run; this checks that every grader in the solution says pass."""
    exercises = sum(len(EXERCISE_TITLE.findall(c.source)) for c in read(path).cells if c.cell_type == "markdown")
    result = grade(f"solutions/{path.name}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"score: {exercises}/{exercises}" in result.stdout

"""Notebook hygiene: built learner copies are current, clean, and leak no solutions."""

import importlib
import subprocess
import sys

import nbformat
import pytest

from cnn_course.config import REPO_ROOT
from cnn_course.notebooks import build, contract

SOLUTION_FILES = sorted(contract.SOLUTIONS.glob("*.ipynb"))
ALL_FILES = SOLUTION_FILES + sorted(contract.NOTEBOOKS.glob("*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks():
    assert SOLUTION_FILES, "solutions/ holds no notebook"


def test_learner_notebooks_are_up_to_date():
    stale = build.build(check=True)
    assert not stale, f"run `python -m cnn_course build`: out of date: {[str(p) for p in stale]}"


def test_same_notebooks_in_both_folders():
    assert {p.name for p in SOLUTION_FILES} == {p.name for p in contract.NOTEBOOKS.glob("*.ipynb")}


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
    assert build.repository_url().split("github.com/")[1] in badge.source
    assert setup.cell_type == "code" and setup.source == build.setup_cell().source
    assert "config.setup()" in setup.source


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.name)
def test_every_exercise_has_a_title_a_solution_and_a_grader(path):
    notebook = read(path)
    cells, exercises = notebook.cells, contract.exercises(notebook)
    solution_cells = [i for i, c in enumerate(cells) if c.cell_type == "code" and contract.BEGIN in c.source]
    assert len(exercises) == len(solution_cells), "each 'Exercise N — name' needs one solution cell"
    for (_, name), index in zip(exercises, solution_cells):
        assert contract.defines(cells[index].source, name), f"the solution cell should define {name}()"
        following = next(c for c in cells[index + 1:] if c.cell_type == "code")
        call = f"{contract.grader_name(name)}({name})"
        assert following.source.rstrip().endswith(call), f"the code cell after exercise {name} should end with {call}"
        assert contract.graded_exercises(following.source) == [name]
    assert [number for number, _ in exercises] == list(range(1, len(exercises) + 1))


@pytest.mark.parametrize("path", [p for p in SOLUTION_FILES if contract.BEGIN in p.read_text()], ids=lambda p: p.name)
def test_every_exercise_is_graded_by_its_notebooks_grader_module(path):
    """Notebook NN_topic's graders live in cnn_course.grading.topic, named check_<exercise>."""
    module = importlib.import_module(contract.grader_module(path))
    for _, name in contract.exercises(read(path)):
        check = getattr(module, contract.grader_name(name), None)
        assert check is not None, f"{module.__name__} should define {contract.grader_name(name)}"
        assert check.exercise == name and check.__name__ == contract.grader_name(name)


@pytest.mark.parametrize("path", [p for p in SOLUTION_FILES if contract.BEGIN in p.read_text()], ids=lambda p: p.name)
def test_each_stub_names_its_exercise(path):
    """Run All stops at the first cell that uses a stub: its message must say which exercise to write."""
    learner = read(contract.NOTEBOOKS / path.name)
    stubs = [line for cell in learner.cells for line in cell.source.splitlines()
             if "raise NotImplementedError(" in line]
    assert len(stubs) == len(contract.exercises(learner))
    for line, (number, name) in zip(stubs, contract.exercises(learner)):
        assert f"Exercise {number} — {name} is not written yet" in line


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=lambda p: p.name)
def test_no_solution_text_leaks_into_learner_copy(path):
    solution, learner = read(path), read(contract.NOTEBOOKS / path.name)
    assert len(solution.cells) == len(learner.cells)
    for sol_cell, learner_cell in zip(solution.cells, learner.cells):
        assert contract.BEGIN not in learner_cell.source and contract.END not in learner_cell.source
        for region in contract.solution_regions(sol_cell.source):
            assert "raise NotImplementedError(" in learner_cell.source
            own_lines = set(contract.learner_source(sol_cell.source).splitlines())
            for line in region.splitlines():
                if line.strip() and line not in own_lines:
                    assert line not in learner_cell.source.splitlines(), f"solution line leaked: {line!r}"


def test_learner_source_keeps_indentation_and_rejects_unbalanced_markers():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = x + 1\n    ### END SOLUTION\n    return y"
    assert contract.learner_source(source, "Exercise 1 — f") == \
        "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError(\"Exercise 1 — f is not written yet: " \
        "replace this line with your code\")\n    return y"
    assert contract.solution_regions(source) == ["    y = x + 1\n"]
    with pytest.raises(ValueError):
        contract.learner_source("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(ValueError):
        contract.learner_source("x = 1\n### END SOLUTION")


def grade(path):
    return subprocess.run([sys.executable, "-m", "cnn_course", "grade", str(path)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=900)


@pytest.mark.notebooks
def test_grade_untouched_learner_copy_fails_with_not_implemented_rows():
    result = grade("notebooks/05_inception_motivation.ipynb")  # two exercises; seconds to run
    assert result.returncode == 1, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert len(rows) == 2 and all("not implemented" in row for row in rows), result.stdout
    assert "score: 0/2" in result.stdout


def tiny_notebook(path, *sources):
    """A notebook of a few code cells: the grade command's behaviour without running a course notebook."""
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


@pytest.mark.notebooks
def test_grade_a_notebook_without_exercises_says_so_and_succeeds(tmp_path):
    result = grade(tiny_notebook(tmp_path / "03_why_resnets_work.ipynb", "x = 1", "print(x)"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no graded exercises" in result.stdout


@pytest.mark.notebooks
def test_grade_reports_a_syntax_error_where_it_is(tmp_path):
    """Not the NameError that the grader cell meets afterwards."""
    notebook = read(contract.SOLUTIONS / "04_one_by_one_convolutions.ipynb")
    cell = next(c for c in notebook.cells if contract.defines(c.source, "one_by_one_as_dense"))
    grader_cell = next(c.source for c in notebook.cells if "check_one_by_one_as_dense(one_by_one_as_dense)" in c.source)
    imports = "from cnn_course.grading.one_by_one_convolutions import check_one_by_one_as_dense"
    broken = cell.source.replace("### BEGIN SOLUTION", "### BEGIN SOLUTION\n    z = (volume @ weights")
    result = grade(tiny_notebook(tmp_path / "04_one_by_one_convolutions.ipynb", "import numpy as np\n" + imports,
                                 broken, grader_cell))
    row = next(line for line in result.stdout.splitlines() if line.startswith("one_by_one_as_dense"))
    assert "FAIL" in row and "SyntaxError" in row and "defines one_by_one_as_dense" in row, result.stdout


def test_committed_metadata_is_what_the_kernel_reports_but_the_python_version(tmp_path):
    """JupyterLab rewrites kernelspec and language_info when a kernel starts, and marks the
    notebook modified when they differ from what was saved."""
    from jupyter_client.kernelspec import KernelSpecManager

    from cnn_course.notebooks.run import execute

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert build.METADATA["kernelspec"] == {"display_name": spec.display_name, "language": spec.language,
                                            "name": "python3"}
    path = tmp_path / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), path)
    reported = dict(execute(path).metadata["language_info"])
    reported.pop("version")
    assert build.METADATA["language_info"] == reported


@pytest.mark.notebooks
def test_a_failing_grade_in_a_solution_run_fails_its_cell(tmp_path):
    """nbval-lax only checks that a cell runs; the course's conftest also fails a grader cell whose grade
    says failed, or that shows no grade, so the one nbval run of each notebook checks its grades."""
    (tmp_path / "conftest.py").write_text((REPO_ROOT / "conftest.py").read_text())
    report = "from cnn_course.grading.report import Report\nr = Report('demo')\n"
    path = tiny_notebook(tmp_path / "demo.ipynb", report + "r.check(True, 'fine', '')\nr",
                         report + "r.check(False, 'x', 'wrong on purpose')\nr",
                         "def check_demo(answer):\n    return None\ncheck_demo(1)")
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:xdist", "-p", "no:cacheprovider",
                             str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "2 failed, 1 passed" in result.stdout, result.stdout
    assert "demo: wrong on purpose" in result.stdout and "showed no grade for ['demo']" in result.stdout

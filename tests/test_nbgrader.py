"""The nbgrader export: nbgrader itself validates the source notebooks, generates the learners' versions and
autogrades submissions -- full marks for the solutions, zero for the stubs."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnn_course.config import is_quick
from cnn_course.notebooks import contract, executed
from cnn_course.notebooks.nbgrader_export import export, nbgrader_source
from cnn_course.notebooks.run import errors
from conftest import AUTOGRADED

pytest.importorskip("nbgrader", reason="nbgrader is not installed: python course.py test installs "
                                       "requirements-test.txt, which has it")


def _source(name):
    return nbgrader_source(nbformat.read(contract.SOLUTIONS / f"{name}.ipynb", as_version=4))


def test_every_cell_carries_nbgrader_metadata_that_nbgrader_accepts():
    from nbgrader.nbgraderformat import MetadataValidator

    notebook = _source("05_inception_motivation")
    MetadataValidator().validate_nb(notebook)
    marks = [cell.metadata["nbgrader"] for cell in notebook.cells]
    tests = [(mark["grade_id"], mark["points"]) for mark in marks if mark["grade"]]
    assert tests == [("conv_multiplies-grader", 1), ("bottleneck_layer-grader", 2)]
    assert sum(mark["solution"] for mark in marks) == 2 and all(mark["locked"] for mark in marks if not
                                                                 mark["solution"])
    graders = [cell.source for cell in notebook.cells if cell.metadata["nbgrader"]["grade"]]
    assert all(source.rstrip().endswith(".assert_passed()") for source in graders)


def test_a_failed_report_raises_for_the_autograder_and_a_passed_one_shows_itself():
    from cnn_course.grading.report import Report

    report = Report("demo")
    report.check(True, "fine", "")
    assert report.assert_passed() is report
    report.check(False, "right", "wrong on purpose")
    with pytest.raises(AssertionError, match="wrong on purpose"):
        report.assert_passed()


def _nbgrader(course, *arguments):
    """nbgrader, with this environment's commands on the PATH (it runs alembic for its gradebook)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run([sys.executable, "-m", "nbgrader", *arguments], cwd=course, capture_output=True, text=True,
                          timeout=1800, env={**os.environ, "PATH": path})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.mark.notebooks
@pytest.mark.parametrize("name", AUTOGRADED)
def test_nbgrader_gives_the_solution_full_marks_and_the_stubs_none(name, tmp_path):
    """Also this test run's one execution of the solution (conftest leaves it to nbgrader): every cell runs, and the
    executed solution is kept for the site as nbval's are."""
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    export(course)
    _nbgrader(course, "generate_assignment", name, "--force")
    for student, version in (("solver", "source"), ("stubber", "release")):
        (course / "submitted" / student / name).mkdir(parents=True)
        shutil.copy(course / version / name / f"{name}.ipynb", course / "submitted" / student / name)
    _nbgrader(course, "autograde", name)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {student: gradebook.find_submission(name, student).score for student in ("solver", "stubber")}
        possible = gradebook.find_assignment(name).max_score
    solution = contract.SOLUTIONS / f"{name}.ipynb"
    worth = sum(contract.points(nbformat.read(solution, as_version=4)).values())
    assert possible == worth and scores == {"solver": worth, "stubber": 0}
    solved = nbformat.read(course / "autograded" / "solver" / name / f"{name}.ipynb", as_version=4)
    assert errors(solved) == []
    executed.keep(executed.with_outputs_of(solved, solution), executed.TESTS / solution.name, "tests", is_quick(),
                  solution)

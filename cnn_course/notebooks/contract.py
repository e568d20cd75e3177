"""What a course notebook is, in one place: where the files live, how an exercise is marked,
and how its grader is named and called. The build, the grade command, the benchmark and the
tests all read the notebooks through this module.

In ``solutions/NN_topic.ipynb`` an exercise is

1. a markdown cell whose heading is ``### Exercise N — name`` (N counts 1, 2, ... in the notebook), with
   ``(P points)`` at its end when it is worth more than one point;
2. the next solution cell: a code cell defining ``name(...)`` whose answer lies between
   ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the build replaces it by a `stub`);
3. the next code cell, ending with ``check_name(name)``: the grader, defined in
   ``cnn_course/grading/topic.py`` and decorated with ``@grader("name")``.
"""

from __future__ import annotations

import re
from pathlib import Path

from cnn_course.config import REPO_ROOT
from cnn_course.grading.report import STUB_MESSAGE

SOLUTIONS = REPO_ROOT / "solutions"
NOTEBOOKS = REPO_ROOT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
EXERCISE_TITLE = re.compile(r"^#+ Exercise (\d+) — (\w+)", re.MULTILINE)
GRADER_CALL = re.compile(r"^\s*check_(\w+)\(", re.MULTILINE)
POINTS = re.compile(r"^#+ Exercise \d+ — (\w+).*\((\d+) points?\)", re.MULTILINE)  # "... (2 points)"; else 1


def grader_name(exercise: str) -> str:
    """The grader of an exercise: ``check_`` and the exercise's name, letter for letter."""
    return f"check_{exercise}"


def grader_module(notebook: Path) -> str:
    """Where a notebook's graders live: ``02_residual_networks`` -> ``cnn_course.grading.residual_networks``."""
    return f"cnn_course.grading.{Path(notebook).stem.split('_', 1)[1]}"


def exercises(notebook) -> list[tuple[int, str]]:
    """The (number, name) of every exercise title in a notebook (an nbformat object), in order."""
    return [(int(number), name) for cell in notebook.cells if cell.cell_type == "markdown"
            for number, name in EXERCISE_TITLE.findall(cell.source)]


def points(notebook) -> dict[str, int]:
    """Each exercise's points, as its title gives them ("### Exercise 2 — convolutional_block (2 points)"): 1
    when the title names none. A batch grade's table and the nbgrader export both read them here."""
    named = {name: int(value) for cell in notebook.cells if cell.cell_type == "markdown"
             for name, value in POINTS.findall(cell.source)}
    return {name: named.get(name, 1) for _, name in exercises(notebook)}


def defines(source: str, name: str) -> bool:
    """Whether a code cell defines the function `name` (an exercise's solution cell does)."""
    return re.search(rf"^def {re.escape(name)}\(", source, re.MULTILINE) is not None


def graded_exercises(source: str) -> list[str]:
    """The exercises whose graders a code cell calls."""
    return GRADER_CALL.findall(source)


def stub(exercise: str) -> list[str]:
    """The lines a learner finds instead of an answer; running code that calls it says which
    exercise is missing (e.g. "Exercise 2 — convolutional_block")."""
    return ["# YOUR CODE HERE", f'raise NotImplementedError("{STUB_MESSAGE.format(exercise=exercise)}")']


def exercise_labels(notebook) -> list[str]:
    """For each cell, the exercise it belongs to: "Exercise N — name" of the last title above it."""
    labels, label = [], "this exercise"
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            titles = EXERCISE_TITLE.findall(cell.source)
            label = f"Exercise {titles[-1][0]} — {titles[-1][1]}" if titles else label
        labels.append(label)
    return labels


def solution_regions(source: str) -> list[str]:
    """The code between BEGIN/END SOLUTION markers in a cell, one string per region."""
    pattern = re.compile(rf"^[ \t]*{re.escape(BEGIN)}[ \t]*\n(.*?)^[ \t]*{re.escape(END)}", re.S | re.M)
    return pattern.findall(source)


def learner_source(source: str, exercise: str = "this exercise") -> str:
    """Replace each solution region of a code cell by the `stub` of `exercise`, keeping its indentation."""
    out, inside = [], False
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + line for line in stub(exercise)]
        elif stripped == END:
            if not inside:
                raise ValueError(f"{END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} without {END}")
    return "\n".join(out)

"""The course as an nbgrader course: ``python -m cnn_course export-nbgrader DIR``.

nbgrader (the grading tool of JupyterHub courses) starts from *source* notebooks whose cells carry its metadata.
Each solution notebook becomes the assignment of the same name, ``DIR/source/NN_topic/NN_topic.ipynb``:

- a cell holding an answer between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` is a solution cell, which
  ``nbgrader generate_assignment`` turns into the learner's stub;
- a grader cell is an autograded test cell worth the exercise's points (`contract.points`); its report, shown as
  in the course, raises AssertionError when a check fails (`Report.assert_passed`), so ``nbgrader autograde``
  gives it 0;
- every other cell is locked.

``DIR/nbgrader_config.py`` gives each cell the time a full-mode cell may need.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course.notebooks.contract import SOLUTIONS, graded_exercises, points, solution_regions

CONFIG = '''"""nbgrader's configuration for the course (python -m cnn_course export-nbgrader wrote it)."""

c = get_config()  # noqa: F821 -- nbgrader defines it
c.CourseDirectory.course_id = "cnn-case-studies"
c.Execute.timeout = 3600  # seconds per cell: full mode trains for minutes in one cell
'''


def metadata(grade_id: str, solution: bool = False, points: int | None = None) -> dict:
    """nbgrader's cell metadata (schema version 3): a solution cell, a test cell worth `points`, or a locked cell."""
    return {"nbgrader": {"schema_version": 3, "grade_id": grade_id, "solution": solution, "task": False,
                         "grade": points is not None, "locked": not solution,
                         **({"points": points} if points is not None else {})}}


def asserted(source: str) -> str:
    """A grader cell whose closing ``check_name(name)`` also raises when a check fails."""
    lines = source.rstrip().split("\n")
    lines[-1] += ".assert_passed()"
    return "\n".join(lines)


def nbgrader_source(notebook):
    """`notebook` (a solution, nbformat) with nbgrader's metadata on every cell."""
    worth = points(notebook)
    for index, cell in enumerate(notebook.cells):
        graded = graded_exercises(cell.source) if cell.cell_type == "code" else []
        if graded:
            cell.source = asserted(cell.source)
            cell.metadata.update(metadata(f"{graded[0]}-grader", points=worth[graded[0]]))
        elif cell.cell_type == "code" and solution_regions(cell.source):
            cell.metadata.update(metadata(f"answer-{index:03d}", solution=True))
        else:
            cell.metadata.update(metadata(f"cell-{index:03d}"))
    return notebook


def export(folder: Path) -> list[Path]:
    """Write every solution notebook as an nbgrader source notebook under `folder`, and its nbgrader_config.py."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(CONFIG)
    written = []
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        target = folder / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbgrader_source(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written

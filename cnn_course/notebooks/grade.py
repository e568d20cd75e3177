"""Grade a whole notebook: run it headless and collect every grader's verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat

from cnn_course.grading.report import MIME_TYPE
from cnn_course.notebooks.contract import SOLUTIONS, defines, exercises, graded_exercises, grader_module, grader_name
from cnn_course.notebooks.run import execute


@dataclass
class Row:
    """One exercise's grade: passed or not, the first failing check, and the report the learner saw."""

    exercise: str
    passed: bool
    message: str
    report: str = ""


def grade(path: Path, quick: bool = True) -> list[Row]:
    """Execute the notebook and return one row per grader call, in notebook order.

    When the cell that defines an exercise raised (a SyntaxError, say), that error is the row's
    message, with the cell's place, rather than the NameError its grader cell then meets.
    """
    notebook = execute(Path(path), quick=quick, prepare=official_graders)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    rows = []
    for cell in code_cells:
        for exercise in graded_exercises(cell.source):
            defining = next((number for number, c in enumerate(code_cells, start=1) if defines(c.source, exercise)),
                            None)
            error = _error(code_cells[defining - 1].outputs) if defining else None
            if error is not None and error["ename"] != "NotImplementedError":
                rows.append(Row(exercise, False, f"code cell {defining}, which defines {exercise}, raised "
                                                 f"{error['ename']}: {error['evalue'][:200]}"))
            else:
                rows.append(_verdict(exercise, cell.outputs))
    return rows


def official_graders(notebook) -> None:
    """Each grader cell as the course writes it, its grader imported afresh: what a learner typed there (a grader of
    their own, a passing report displayed) does not run. Graders of exercises the course lacks stay as they are."""
    modules = _grader_modules()
    for cell in notebook.cells:
        names = [name for name in graded_exercises(cell.source) if name in modules] if cell.cell_type == "code" else []
        if names:  # one call per cell, the contract says: its report is the cell's value
            name, check = names[-1], grader_name(names[-1])
            cell.source = f"from {modules[name]} import {check}\n{check}({name})"


@cache
def _grader_modules() -> dict[str, str]:
    """The grading module of every course exercise, by the exercise's name."""
    return {name: grader_module(path) for path in sorted(SOLUTIONS.glob("*.ipynb"))
            for _, name in exercises(nbformat.read(path, as_version=4))}


def _error(outputs):
    return next((output for output in outputs if output.get("output_type") == "error"), None)


def _verdict(exercise: str, outputs) -> Row:
    for output in outputs:
        summary = output.get("data", {}).get(MIME_TYPE)
        if summary is not None:
            summary = json.loads(summary) if isinstance(summary, str) else summary
            if summary["exercise"] == exercise:
                message = "all checks passed" if summary["passed"] else summary["first_failure"]
                return Row(exercise, summary["passed"], message, output["data"].get("text/plain", ""))
    error = _error(outputs)
    if error is not None:
        return Row(exercise, False, f"the grader cell raised {error['ename']}: {error['evalue'][:200]}")
    return Row(exercise, False, "no grade was shown: keep check_...(...) as the last line of its cell")


def table(rows: list[Row]) -> str:
    """The score table ``python -m cnn_course grade`` prints."""
    width = max([len("exercise")] + [len(r.exercise) for r in rows])
    lines = [f"{'exercise'.ljust(width)}  result  first failing check", "-" * (width + 40)]
    lines += [f"{r.exercise.ljust(width)}  {'pass' if r.passed else 'FAIL'}    {'' if r.passed else r.message}"
              for r in rows]
    lines.append(f"score: {sum(r.passed for r in rows)}/{len(rows)} exercises passed")
    return "\n".join(lines)

"""Grade a whole notebook: run it headless and collect every grader's verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cnn_course.grading.report import MIME_TYPE
from cnn_course.notebooks.contract import graded_exercises
from cnn_course.notebooks.run import execute


@dataclass
class Row:
    exercise: str
    passed: bool
    message: str


def grade(path: Path, quick: bool = True) -> list[Row]:
    """Execute the notebook and return one row per grader call, in notebook order."""
    notebook = execute(Path(path), quick=quick)
    rows = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for exercise in graded_exercises(cell.source):
            rows.append(_verdict(exercise, cell.outputs))
    return rows


def _verdict(exercise: str, outputs) -> Row:
    for output in outputs:
        summary = output.get("data", {}).get(MIME_TYPE)
        if summary is not None:
            summary = json.loads(summary) if isinstance(summary, str) else summary
            if summary["exercise"] == exercise:
                message = "all checks passed" if summary["passed"] else summary["first_failure"]
                return Row(exercise, summary["passed"], message)
    for output in outputs:
        if output.get("output_type") == "error":
            return Row(exercise, False, f"the grader cell raised {output['ename']}: {output['evalue'][:200]}")
    return Row(exercise, False, "no grade was shown: keep check_...(...) as the last line of its cell")


def table(rows: list[Row]) -> str:
    """The score table ``python -m cnn_course grade`` prints."""
    width = max([len("exercise")] + [len(r.exercise) for r in rows])
    lines = [f"{'exercise'.ljust(width)}  result  first failing check", "-" * (width + 40)]
    lines += [f"{r.exercise.ljust(width)}  {'pass' if r.passed else 'FAIL'}    {'' if r.passed else r.message}"
              for r in rows]
    lines.append(f"score: {sum(r.passed for r in rows)}/{len(rows)} exercises passed")
    return "\n".join(lines)

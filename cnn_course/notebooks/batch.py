"""Grade a class: every learner's notebooks, each in its own process with limits, into one table and a feedback
file per learner (``python -m cnn_course grade SUBMISSIONS/``).

A submissions folder holds one sub-folder per learner (``alice/02_residual_networks.ipynb``), or files named by
learner (``alice.ipynb``, ``bob_02_residual_networks.ipynb``). Which course notebook a file is comes from the
exercises it holds, so a renamed file is still recognised. A learner's notebook is code that runs on the
teacher's machine: `sandbox` says what contains it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from cnn_course.notebooks.contract import SOLUTIONS, exercises, points
from cnn_course.notebooks.grade import Row
from cnn_course.notebooks.sandbox import Limits, run_contained


@dataclass
class Graded:
    """One learner's one file: the course notebook it is (None when it is none), its rows, or what went wrong."""

    learner: str
    path: Path
    notebook: str | None = None
    rows: list[Row] = field(default_factory=list)
    problem: str = ""
    seconds: float = 0.0


def course_exercises() -> dict[str, dict[str, int]]:
    """Every course notebook's exercises and their points, by the notebook's stem."""
    return {path.stem: points(nbformat.read(path, as_version=4)) for path in sorted(SOLUTIONS.glob("*.ipynb"))}


LARGEST = 50 * 2**20  # bytes: a notebook is read in the teacher's process, before any limit (1 GB for 60 MB)


def identify(path: Path, course: dict[str, dict[str, int]]) -> tuple[str | None, str]:
    """Which course notebook the file at `path` is, by the exercises it holds (or by its name); a problem if none."""
    if path.stat().st_size > LARGEST:
        return None, f"larger than {LARGEST // 2**20} MB: clear its outputs (Edit > Clear outputs) and hand it in again"
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook, unreadable: a row saying so
        return None, f"not a notebook ({type(error).__name__})"
    names = {name for _, name in exercises(notebook)}
    found = [stem for stem, held in course.items() if held and set(held) == names]
    found = found or [stem for stem in course if stem in path.name]
    if not found:
        return None, "holds none of the course's exercises"
    return found[0], "" if course[found[0]] else "this notebook has no graded exercises"


def learner_of(path: Path, folder: Path, course: dict) -> str:
    """The learner a file belongs to: its sub-folder, or its name without the course notebook's name."""
    relative = path.relative_to(folder)
    if len(relative.parts) > 1:
        return " ".join(relative.parts[0].split())  # a line break in a name would start a row of the table
    name = path.name.split(".")[0]
    for stem in course:
        name = name.replace(stem, "")
    return " ".join((name.strip("_-. ") or path.stem).split())


def submissions(folder: Path) -> list[Path]:
    """The files to grade: every file under `folder`, but Jupyter's checkpoints and hidden files."""
    return sorted(path for path in folder.rglob("*") if path.is_file()
                  and not any(part.startswith(".") for part in path.relative_to(folder).parts))


def grade_class(folder: Path, quick: bool = True, limits: Limits | None = None, jobs: int = 1) -> list[Graded]:
    """Grade every file in `folder`, `jobs` at a time, each in its own contained process."""
    course, limits = course_exercises(), limits or Limits()
    work = []
    for path in submissions(folder):
        notebook, problem = identify(path, course)
        work.append(Graded(learner_of(path, folder, course), path, notebook, problem=problem))

    def grade_one(item: Graded) -> Graded:
        if not item.problem:
            item.rows, item.problem, item.seconds = run_contained(item.path, item.notebook, quick, limits)
        return item

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(grade_one, work))


def columns(graded: list[Graded], course: dict) -> list[tuple[str, str, int]]:
    """The table's exercise columns: (notebook, exercise, points) of every notebook someone handed in."""
    handed_in = {item.notebook for item in graded if item.notebook}
    return [(stem, name, value) for stem, held in course.items() if stem in handed_in for name, value in held.items()]


def table(graded: list[Graded], course: dict) -> list[dict]:
    """One row per learner: points per exercise, the total, and a note for every file that could not be graded."""
    rows, exercise_columns = [], columns(graded, course)
    handed_in = {item.notebook for item in graded if item.notebook}
    for learner in sorted({item.learner for item in graded}):
        mine = [item for item in graded if item.learner == learner]
        row = {"learner": learner}
        for stem, name, value in exercise_columns:
            passed = any(r.exercise == name and r.passed for item in mine if item.notebook == stem for r in item.rows)
            row[f"{stem[:2]} {name}"] = value if passed else 0
        row["total"] = sum(value for key, value in row.items() if key != "learner")
        row["out of"] = sum(value for _, _, value in exercise_columns)
        missing = handed_in - {item.notebook for item in mine}
        notes = [f"{item.path.name}: {item.problem}" for item in mine if item.problem]
        row["notes"] = "; ".join(notes + [f"{stem}: missing" for stem in sorted(missing)])
        rows.append(row)
    return rows


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["learner"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def as_text(rows: list[dict]) -> str:
    """The table as the command prints it: exercises as columns, notes below."""
    if not rows:
        return "no submissions found"
    keys = [key for key in rows[0] if key != "notes"]
    widths = {key: max(len(key), *(len(str(row[key])) for row in rows)) for key in keys}
    lines = ["  ".join(key.ljust(widths[key]) for key in keys).rstrip()]
    lines += ["  ".join(str(row[key]).ljust(widths[key]) for key in keys).rstrip() for row in rows]
    lines += [f"{row['learner']}: {row['notes']}" for row in rows if row["notes"]]
    return "\n".join(lines)


def feedback(learner: str, graded: list[Graded], course: dict, row: dict) -> str:
    """A learner's feedback in Markdown: per notebook, each exercise's report as the notebook showed it."""
    parts = [f"# Feedback for {learner}", "", f"{row['total']} of {row['out of']} points."]
    for item in sorted((item for item in graded if item.learner == learner), key=lambda item: str(item.path)):
        parts += ["", f"## {item.path.name}" + (f" ({item.notebook})" if item.notebook else "")]
        if item.problem:
            parts += ["", f"Not graded: {item.problem}."]
            continue
        parts += ["", f"Graded in {item.seconds:.0f} s."]
        for name, value in course[item.notebook].items():
            got = next((r for r in item.rows if r.exercise == name), None)
            earned = value if got and got.passed else 0
            parts += ["", f"### {name}: {earned} of {value} point{'s' * (value != 1)}", "",
                      "```", (got.report or got.message) if got else "no grade was shown", "```"]
    return "\n".join(parts) + "\n"


def write(graded: list[Graded], out: Path) -> list[dict]:
    """Write ``grades.csv`` and ``feedback/<learner>.md`` into `out`; return the table."""
    course = course_exercises()
    rows = table(graded, course)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "grades.csv").write_text(as_csv(rows))
    taken = set()
    for row in rows:
        name = re.sub(r"[^\w.-]+", "_", row["learner"])
        name = next(f"{name}{suffix}" for suffix in ("", *(f"-{n}" for n in range(2, len(rows) + 2)))
                    if f"{name}{suffix}" not in taken)  # "x y" and "x_y" are two learners, two files
        taken.add(name)
        (out / "feedback" / f"{name}.md").write_text(feedback(row["learner"], graded, course, row))
    (out / "grades.json").write_text(json.dumps([{**vars(item), "path": str(item.path),
                                                   "rows": [vars(r) for r in item.rows]} for item in graded], indent=1))
    return rows

"""Command line of the course: ``python -m cnn_course {build,grade,benchmark,readme,site,...} ...``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnn_course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write notebooks/ from solutions/")
    build.add_argument("--check", action="store_true", help="only list out-of-date files; exit 1 if any")
    build.add_argument("--repository", metavar="URL", help="a fork's address, https://github.com/OWNER/NAME: "
                       "written into pyproject.toml, then into every Colab badge and setup cell")
    grade = commands.add_parser("grade", help="run a notebook and print a score per exercise; or grade a class: "
                                "a folder of learners' notebooks, into a table and a feedback file per learner")
    grade.add_argument("notebook", type=Path, help="a notebook, or a folder of submissions (one sub-folder per "
                       "learner, or files named by learner)")
    grade.add_argument("--full", action="store_true", help="run in full mode (default: quick mode)")
    grade.add_argument("--json", action="store_true", help="a notebook's rows as JSON, on the last line")
    grade.add_argument("--out", type=Path, help="a class's table and feedback go here (default: FOLDER-grades)")
    grade.add_argument("--timeout", type=float, default=1800, help="seconds per notebook, in all (default 1800)")
    grade.add_argument("--memory", type=float, default=16, help="GiB of address space per notebook (default 16)")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks at a time (default: cores)")
    grade.add_argument("--network", action="store_true", help="let the notebooks reach the network")
    bench = commands.add_parser("benchmark", help="time every notebook in quick and full mode; update README")
    bench.add_argument("names", nargs="*", help="only notebooks whose name contains one of these")
    only = bench.add_mutually_exclusive_group()
    only.add_argument("--quick-only", action="store_true", help="skip the (long) full-mode runs")
    only.add_argument("--full-only", action="store_true", help="skip the quick-mode runs (the site's workflow)")
    bench.add_argument("--seeds", type=int, default=3, help="full-mode runs of a notebook that reports a test "
                       "accuracy, on seeds 0, 1, ... (default 3)")
    colab = commands.add_parser("colab", help="run the notebooks on Colab's published package set (colab/runtime.txt)")
    colab.add_argument("whole", nargs="*", metavar="NN", help="run only these notebooks whole (e.g. 09 10 12), the "
                       "others' setup cells only (default: every notebook whole)")
    export = commands.add_parser("export-nbgrader", help="write the course as an nbgrader course: source "
                                 "notebooks with solution, autograded and locked cells, and nbgrader_config.py")
    export.add_argument("folder", type=Path, help="the nbgrader course folder to write")
    site = commands.add_parser("site", help="build the course's website into site/ from notebooks already executed")
    site.add_argument("--executed", choices=("full", "tests"), default="full", help="full: the benchmark's full-mode "
                      "runs (default, what is published); tests: the test run's quick-mode runs")
    readme = commands.add_parser("readme", help="re-render the README's tables from results/*.json (runs nothing)")
    readme.add_argument("--check", action="store_true", help="only say whether it is out of date; exit 1 if so")
    args = parser.parse_args(argv)

    if args.command == "readme":
        from cnn_course.notebooks.readme import README, update

        changed = update(check=args.check)
        state = "is out of date" if args.check and changed else "rewritten" if changed else "is up to date"
        print(f"{README.name} {state}")
        return 1 if args.check and changed else 0

    if args.command == "site":
        from cnn_course.notebooks import website

        try:
            built = website.build(args.executed)
        except FileNotFoundError as missing:
            print(f"site: {missing}", file=sys.stderr)
            return 2
        for problem in built.problems:
            print(problem)
        print(f"site: {len(built.pages)} pages from the {args.executed} run in {built.seconds:.0f} s, "
              f"{len(built.problems)} problems; open {built.pages[0]}")
        return 1 if built.problems else 0

    if args.command == "export-nbgrader":
        from cnn_course.notebooks.nbgrader_export import export

        written = export(args.folder)
        print(f"wrote {len(written)} assignments into {args.folder / 'source'}; then, in {args.folder}: "
              "nbgrader generate_assignment NN_topic, and nbgrader autograde NN_topic once submissions are in")
        return 0

    if args.command == "colab":
        from cnn_course.notebooks.colab import run

        return run(args.whole or None)

    if args.command == "benchmark":
        from cnn_course.notebooks.benchmark import benchmark

        modes = ("quick",) if args.quick_only else ("full",) if args.full_only else ("quick", "full")
        benchmark(args.names, modes=modes, seeds=args.seeds)
        return 0

    if args.command == "build":
        from cnn_course.notebooks.build import build as build_notebooks
        from cnn_course.notebooks.build import set_repository

        if args.repository:
            from cnn_course.notebooks.readme import README, update

            set_repository(args.repository)
            if update():
                print(f"wrote: {README} (the site's address)")
        changed = build_notebooks(check=args.check)
        for path in changed:
            print(f"{'out of date' if args.check else 'wrote'}: {path}")
        if not changed:
            print("notebooks are up to date")
        return 1 if args.check and changed else 0

    if args.notebook.is_dir():
        return grade_class(args)
    from cnn_course.notebooks.grade import grade as grade_notebook
    from cnn_course.notebooks.grade import table

    if not args.notebook.exists():
        print(f"no such notebook: {args.notebook}", file=sys.stderr)
        return 2
    rows = grade_notebook(args.notebook, quick=not args.full)
    if args.json:
        print("\n" + json.dumps([dataclasses.asdict(row) for row in rows]))  # a line of its own, after the kernel's
        return 0
    if not rows:
        print(f"{args.notebook} has no graded exercises: nothing to grade")
        return 0
    print(table(rows))
    return 0 if all(row.passed for row in rows) else 1


def grade_class(args) -> int:
    """``grade FOLDER``: every learner's notebooks, contained, into FOLDER-grades/ (or --out); the table printed."""
    from cnn_course.notebooks import batch
    from cnn_course.notebooks.sandbox import Limits, namespaces

    limits = Limits(args.timeout, int(args.memory * 2**30), args.network)
    out = args.out or args.notebook.with_name(f"{args.notebook.name}-grades")
    graded = batch.grade_class(args.notebook, quick=not args.full, limits=limits, jobs=args.jobs)
    print(batch.as_text(batch.write(graded, out)))
    network = "on" if args.network else "off" if "--net" in namespaces(False) else \
        "on (unshare --net does not work here)"
    print(f"\n{len(graded)} files, {sum(not item.problem for item in graded)} graded in "
          f"{'full' if args.full else 'quick'} mode, network {network}; "
          f"table: {out / 'grades.csv'}, feedback: {out / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

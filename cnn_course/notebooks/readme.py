"""The README's generated blocks, rendered from ``results/*.json`` and the package's floors, without running
anything: ``python -m cnn_course readme``.

Each block sits between ``<!-- name:start -->`` and ``<!-- name:end -->`` markers. Nothing in a block is typed
by hand, rendering twice changes nothing, and a test checks that the committed README is what renders.
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import nbformat

from cnn_course import floors, results
from cnn_course.config import REPO_ROOT
from cnn_course.notebooks import website
from cnn_course.notebooks.build import repository_url
from cnn_course.notebooks.contract import SOLUTIONS, exercises

README = REPO_ROOT / "README.md"


def notebook_table(data: dict) -> str:
    """The README's notebook table from the benchmark's figures (``results/benchmarks.json``)."""
    rows = ["| # | notebook | exercises | quick run | full run | full-mode results |",
            "| --- | --- | --- | --- | --- | --- |"]
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        title = next(c.source.splitlines()[0].lstrip("# ") for c in notebook.cells
                     if c.cell_type == "markdown" and c.source.startswith("# "))
        names = ", ".join(f"`{name}`" for _, name in exercises(notebook))
        entry = data.get(path.stem, {})
        measured = results.summary(entry["full"]) if "full" in entry else "—"
        rows.append(f"| {path.stem[:2]} | [{title}](notebooks/{path.name}) | {names} "
                    f"| {_seconds(entry, 'quick')} | {_seconds(entry, 'full')} | {measured} |")
    trained = [entry["full"] for entry in data.values() if isinstance(entry, dict) and len(entry.get("full", [])) > 1]
    seeds = results.seeds_of(max(trained, key=len)) if trained else "one seed"
    rows.append(f"\nMeasured by `python -m cnn_course benchmark` on {data.get('machine', 'this machine')}: "
                f"times are the median of the runs; a test accuracy is the median over {seeds} "
                "(`CNN_COURSE_SEED`: the initial weights and the order of the batches change, the data "
                "and the validation split do not), with the lowest and highest in brackets.")
    return "\n".join(rows)


def experiments_list(data: dict) -> str:
    """The README's record of each experiment: per notebook, its arms' training fit and its paired comparisons over
    seeds, as the benchmark's full-mode run printed them."""
    items = []
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        lines = results.comparisons(data.get(path.stem, {}).get("full", [{"results": []}]))
        if lines:
            items.append(f"- **{path.stem[:2]}**\n" + "\n".join(f"  - {line}" for line in lines))
    return "\n".join(items) or ("None recorded in this form yet: the benchmark records them when it runs a notebook in "
                                "full mode.")


def _seconds(entry: dict, mode: str) -> str:
    """The median wall time of the mode's runs."""
    if mode not in entry:
        return "not measured"
    seconds = statistics.median(r["seconds"] for r in entry[mode])
    return f"{seconds:.0f} s" if seconds < 600 else f"{seconds / 60:.0f} min"


def fingers_table(figures: dict) -> str:
    """The README's fingers-difficulty figures, from scripts/fingers_difficulty.py's JSON."""
    return "\n".join([
        "| model | test accuracy | time on this machine |",
        "| --- | --- | --- |",
        f"| logistic regression on raw pixels (best C = {figures['logistic_regression_C']}) "
        f"| {figures['logistic_regression_test_accuracy']:.1%} | — |",
        f"| small CNN: 4 × (conv 3×3 → BN → ReLU → max-pool), Adam, {figures['small_cnn_epochs']} epochs "
        f"| {figures['small_cnn_test_accuracy']:.1%} | {figures['small_cnn_train_seconds']:.0f} s of training |",
        "",
        f"{figures['train_images']:,} training and {figures['test_images']} test images, generated in "
        f"{figures['generation_seconds']:.0f} s; measured on {figures.get('machine', 'this machine')}.",
    ])


def step_times_table(figures: dict) -> str:
    """The README's per-step times on each backend, from scripts/step_times.py's JSON."""
    times = figures["seconds_per_step"]
    backends = list(times)
    rows = [f"| one training step of ResNet-50 | {' | '.join(backends)} |", "| --- |" + " --- |" * len(backends)]
    for way in times[backends[0]]:
        rows.append(f"| {way} | " + " | ".join(f"{times[backend][way]:.2f} s" for backend in backends) + " |")
    shape = "×".join(map(str, figures["image_shape"]))
    rows.append(f"\nBatches of {figures['batch_size']} images of {shape}, Adam; the median step after the first "
                f"(which compiles); measured by `scripts/step_times.py` on {figures['machine']}.")
    return "\n".join(rows)


def colab_paragraph(run: dict) -> str:
    """What the last ``python course.py test --colab`` of every notebook verified, from results/colab.json."""
    notebooks = run["notebooks"]
    passed = [n for n in notebooks if n["passed"]]
    versions = ", ".join(f"{name} {version}" for name, version in run["versions"].items())
    said = [re.match(r"(course: installed .+?) in (\d+) s", n["setup"]) for n in notebooks]
    installs = sorted({match.group(1) for match in said if match})
    install_seconds = sorted(int(match.group(2)) for match in said if match)
    times = " · ".join(f"{n['name'][:2]} {n['seconds']:.0f} s" for n in notebooks)
    again = max((n["again"] for n in notebooks if n["again"] is not None), default=None)
    failed = [n["name"] for n in notebooks if not n["passed"]]
    return (f"Last verified on {run['date']} by `python course.py test --colab` on {run['machine']}: Colab's CPU "
            f"runtime as {run['runtime']} publishes it (Python {run['colab_python']}, here {run['python']}; "
            f"{versions}), from an empty cache, quick mode: {len(passed)} of {len(notebooks)} notebooks ran whole "
            f"with no error{' (failed: ' + ', '.join(failed) + ')' if failed else ''}. Time per notebook, "
            f"kernel start included: {times}. On each fresh machine the setup cell said "
            + " or ".join(f"“{line}”" for line in installs)
            + (f" ({install_seconds[0]}–{install_seconds[-1]} s)" if install_seconds else "")
            + (f"; run again, it took at most {again:.2f} s and installed nothing." if again is not None else "."))


def mutants_paragraph(figures: dict) -> str:
    """What the last scripts/mutants.py run found, from results/mutants.json."""
    rows = figures["exercises"]
    total, rejected = (sum(row[key] for row in rows) for key in ("mutants", "rejected"))
    equivalent, holes = (sum(len(row[key]) for row in rows) for key in ("equivalent", "holes"))
    passed = (f"the {equivalent} they passed all compute what their answer computes" if not holes else
              f"of the {equivalent + holes} they passed, {equivalent} compute what their answer computes")
    solutions = sum(row["answer"] == "solution" for row in rows)
    return (f"Last run: {total:,} mutants of {len(rows)} right answers (the {solutions} solutions and "
            f"{len(rows) - solutions} other answers); the graders rejected {rejected:,} "
            f"({rejected / total:.1%}), and {passed} (`results/mutants.json` says why for each)"
            + (f"; {holes} {'is a hole' if holes == 1 else 'are holes'}" if holes else ": no hole")
            + f". It took {figures['seconds'] / 60:.0f} min, {figures['jobs']} at a time, on {figures['machine']}.")


def site_line() -> str:
    """Where the course's website is published, from the repository's URL."""
    url = website.address(repository_url())
    return f"**Read it as a website** — [{url}]({url}): every notebook with its figures and results, no install."


RENDERERS = {"notebooks": (results.BENCHMARKS, notebook_table),
             "experiments": (results.BENCHMARKS, experiments_list), "fingers": ("fingers_difficulty", fingers_table),
             "backends": ("step_times", step_times_table),
             "colab": ("colab", colab_paragraph),
             "mutants": ("mutants", mutants_paragraph)}  # block: (results/<name>.json, how it reads)


def blocks() -> dict[str, str]:
    """Each generated README block: the package's floors, the site's address, and a table for each measured JSON file
    that exists."""
    rendered = {"floors": floors.table(), "site": site_line()}
    for block, (name, render) in RENDERERS.items():
        if results.path_of(name).exists():
            rendered[block] = render(results.read(name))
    return rendered


def block_of(text: str, name: str) -> str:
    """The text between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    return text.split(f"<!-- {name}:start -->\n", 1)[1].split(f"\n<!-- {name}:end -->", 1)[0]


def rendered(text: str) -> str:
    """`text` with every generated block replaced by what renders now."""
    for name, block in blocks().items():
        before, rest = text.split(f"<!-- {name}:start -->\n", 1)
        _, after = rest.split(f"\n<!-- {name}:end -->", 1)
        text = f"{before}<!-- {name}:start -->\n{block}\n<!-- {name}:end -->{after}"
    return text


def update(path: Path | None = None, check: bool = False) -> bool:
    """Rewrite the generated blocks of the README (or of the file at `path`; with `check`, only compare);
    True when they were (or would be) changed."""
    path = path or README
    text = path.read_text()
    new = rendered(text)
    if new != text and not check:
        path.write_text(new)
    return new != text


def report_figures(figures: dict, out: str | None) -> None:
    """A measuring script's last step: stamp `figures` with the machine, print them, and with `out` write
    them there as JSON and re-render the README's blocks."""
    figures["machine"] = results.machine_description()
    print(json.dumps(figures, indent=2))
    if out:
        Path(out).write_text(json.dumps(figures, indent=2) + "\n")
        update()

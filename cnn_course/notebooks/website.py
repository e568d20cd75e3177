"""The course as a website: ``python -m cnn_course site`` writes ``site/`` (not committed), which opens from disk.

Its pages are the README, as the landing page, and the 13 solution notebooks in lecture order, each as a run of
the course left it (`executed`): nothing is executed here. ``--executed full`` (the default) reads the benchmark's
full-mode runs, which the published site shows; ``--executed tests`` reads the test run's quick-mode runs, which CI
checks the site with.

The generator is Sphinx with myst-nb, which renders a notebook's cells and outputs as a page, and
sphinx-book-theme: a sidebar in lecture order, previous and next links, a search box, and on each page a button
that opens the learner's copy in Colab and one that downloads the notebook. Math is converted to MathML while
the site is built (latex2mathml), which browsers draw themselves, so no page loads anything from the network.
"""

from __future__ import annotations

import io
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from cnn_course.config import REPO_ROOT
from cnn_course.grading.report import MIME_TYPE
from cnn_course.notebooks import executed
from cnn_course.notebooks.build import BADGE_MARK, GITHUB, SETUP_MARK, repository_url
from cnn_course.notebooks.contract import SOLUTIONS
from cnn_course.notebooks.run import errors

SITE = REPO_ROOT / "site"
STAGE = REPO_ROOT / "build" / "site"  # the pages as Sphinx reads them, and its cache
LONG_OUTPUT = 40  # a stream of more lines keeps its first and last KEPT_LINES
KEPT_LINES = 15
WIDGET = "application/vnd.jupyter.widget-view+json"  # a live progress bar: its saved text is its first frame
HOW_TO_RUN = {"full": "python -m cnn_course benchmark", "tests": "python course.py test"}


@dataclass
class Built:
    """What `build` wrote from which run: the pages (landing first), how long it took, and what is wrong with them:
    the errors the notebooks' runs raised and what Sphinx warned about."""

    run: str
    pages: list[Path]
    seconds: float
    problems: list[str]


def address(repository: str) -> str:
    """Where GitHub Pages publishes the site of the GitHub repository at `repository` (a user's or an
    organisation's own site when the repository is named OWNER.github.io)."""
    owner, name = repository.removeprefix(GITHUB).split("/")
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


def sources(run: str) -> dict[str, Path]:
    """Each solution notebook's executed copy from `run` ("full": the benchmark's seed-0 full-mode run; "tests": the
    test run's), by name; FileNotFoundError names the missing ones and the command that makes them."""
    found = {path.stem: executed.benchmark_copy(path.stem, quick=False) if run == "full" else executed.TESTS / path.name
             for path in sorted(SOLUTIONS.glob("*.ipynb"))}
    missing = [stem for stem, path in found.items() if not path.exists()]
    if missing:
        raise FileNotFoundError(f"no executed copy of {', '.join(missing)} from the {run} run in "
                                f"{executed.EXECUTED}: `{HOW_TO_RUN[run]}` makes them (or choose --executed "
                                f"{'tests' if run == 'full' else 'full'})")
    return found


def trimmed(text: str) -> str:
    """A long stream output (a training log, say) as its first and last lines, saying how many were left out."""
    lines = text.splitlines(keepends=True)
    if len(lines) <= LONG_OUTPUT:
        return text
    left_out = len(lines) - 2 * KEPT_LINES
    return "".join([*lines[:KEPT_LINES], f"... {left_out} lines left out ...\n", *lines[-KEPT_LINES:]])


def provenance(notebook) -> str:
    """A note under the title: which run executed the page, in which mode, when."""
    ran = notebook.metadata.get("cnn_course", {})
    if ran.get("mode") == "full":
        how = ("`python -m cnn_course benchmark` ran it {date} in full mode, on seed 0: one run of those the README's "
               "results are the median of")
    else:
        how = ("the test run ran it {date} in quick mode (small data, few epochs): its numbers show that the code "
               "runs, not what full mode reaches")
    when = f"on {ran['date']}" if "date" in ran else "on a day it did not note"
    return f"```{{note}}\nThis page is the solution notebook as {how.format(date=when)}.\n```"


def page(notebook):
    """An executed notebook as a page: no Colab badge (the page's launch button opens Colab), the setup cell's code
    folded, no progress-bar widgets or grade summaries for machines, long logs trimmed, and where it ran noted under
    the title."""
    notebook.cells = [cell for cell in notebook.cells
                      if not (cell.cell_type == "markdown" and BADGE_MARK in cell.source)]
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if cell.source.startswith(SETUP_MARK):
            cell.metadata.setdefault("tags", []).append("hide-input")
        cell.outputs = [output for output in cell.outputs if WIDGET not in output.get("data", {})]
        for output in cell.outputs:
            output.get("data", {}).pop(MIME_TYPE, None)  # a grade's summary for machines; the page shows its report
            if output.output_type == "stream":
                output.text = trimmed(output.text)
    title = next(index for index, cell in enumerate(notebook.cells)
                 if cell.cell_type == "markdown" and cell.source.startswith("# "))
    notebook.cells.insert(title + 1, nbformat.v4.new_markdown_cell(provenance(notebook)))
    return notebook


def landing(readme: str, stems: list[str], repository: str) -> str:
    """The README as the landing page: its links to notebooks go to their pages, its other relative links to the
    repository; the 13 pages follow it in the sidebar."""
    def link(match: re.Match) -> str:
        target = match.group(1)
        if re.match(r"(notebooks|solutions)/\d\d_\w+\.ipynb$", target):
            return f"]({Path(target).name})"
        if re.match(r"[a-z]+:|#", target):
            return match.group(0)
        return f"]({repository}/blob/main/{target})"

    toctree = "\n".join(["", "```{toctree}", ":hidden:", ":maxdepth: 1", "", *stems, "```", ""])
    return re.sub(r"\]\(([^)\s]+)\)", link, readme) + toctree


def configuration(repository: str) -> dict:
    """Sphinx's settings (there is no conf.py): myst-nb renders the notebooks as they ran, and the book theme links
    each page to the learner's copy in Colab and to a download of the notebook."""
    return {
        "project": "cnn-case-studies",
        "author": "the cnn-case-studies authors",
        "html_title": "Deep convolutional models: case studies",
        "extensions": ["myst_nb", "cnn_course.notebooks.website"],
        "nb_execution_mode": "off",  # the pages are runs the course already made
        "myst_enable_extensions": ["dollarmath"],
        "html_math_renderer": "mathml",
        "html_theme": "sphinx_book_theme",
        "html_theme_options": {
            "repository_url": repository, "repository_branch": "main", "path_to_docs": "notebooks",
            "launch_buttons": {"colab_url": "https://colab.research.google.com"},
            "use_download_button": True, "use_repository_button": True,
        },
        "html_context": {"default_mode": "light"},
        "html_show_sourcelink": False,
        "html_copy_source": True,  # the download button's .ipynb
        "html_show_search_summary": False,  # a result's snippet is fetched from its page, which file:// forbids
    }


def faults(notebook, path: Path, solution: Path) -> list[str]:
    """What makes an executed notebook unfit for the site: the errors its run raised, or a solution notebook that has
    changed since it ran."""
    found = [f"{path}: cell {index} raised {name}: {message}" for index, name, message in errors(notebook)]
    if notebook.metadata.get("cnn_course", {}).get("solution") != executed.fingerprint(solution):
        found.append(f"{path}: {solution.name} has changed since this run: run it again")
    return found


def stage(run: str, folder: Path) -> tuple[dict[str, Path], list[str]]:
    """Write the landing page and the pages of `run`'s executed notebooks into `folder`; the notebooks read (by name,
    in order) and what is wrong with their runs (`faults`)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    found, problems = sources(run), []
    for stem, path in found.items():
        notebook = nbformat.read(path, as_version=4)
        problems += faults(notebook, path, SOLUTIONS / f"{stem}.ipynb")
        nbformat.write(page(notebook), folder / f"{stem}.ipynb")
    readme = (REPO_ROOT / "README.md").read_text()
    (folder / "index.md").write_text(landing(readme, list(found), repository_url()))
    return found, problems


def build(run: str = "full") -> Built:
    """Build the site from `run`'s executed notebooks into `SITE`; each page's download button gives the notebook as
    the run left it."""
    from sphinx.application import Sphinx

    start = time.perf_counter()
    found, problems = stage(run, STAGE / "pages")
    html = STAGE / "html"  # myst-nb writes the figures beside it, in STAGE / "jupyter_execute"
    shutil.rmtree(html, ignore_errors=True)
    warnings = io.StringIO()
    Sphinx(str(STAGE / "pages"), None, str(html), str(STAGE / "doctrees"), "html",
           confoverrides=configuration(repository_url()), status=None, warning=warnings, freshenv=True).build()
    for stem, path in found.items():
        shutil.copyfile(path, html / "_sources" / f"{stem}.ipynb")
    if SITE.exists():
        shutil.rmtree(SITE)
    shutil.move(html, SITE)
    pages = [SITE / "index.html", *(SITE / f"{stem}.html" for stem in found)]
    said = re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue())  # Sphinx colours its warnings
    return Built(run, pages, time.perf_counter() - start, problems + said.splitlines())


def mathml(latex: str, display: str) -> str:
    """LaTeX as MathML, which the browser typesets."""
    from latex2mathml.converter import convert

    return convert(latex, display=display)


def _inline_math(translator, node):
    from docutils import nodes

    translator.body.append(mathml(node.astext(), "inline"))
    raise nodes.SkipNode


def _display_math(translator, node):
    from docutils import nodes

    translator.body.append(mathml(node.astext(), "block"))
    raise nodes.SkipNode


def setup(app):
    """Sphinx's hook: MathML as the HTML builder's math renderer."""
    app.add_html_math_renderer("mathml", (_inline_math, None), (_display_math, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}

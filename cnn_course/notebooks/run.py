"""Run a notebook headless, in quick or full mode."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course import config


def errors(notebook) -> list[tuple[int, str, str]]:
    """Every error a run left in `notebook`'s outputs: (cell index, exception name, message), in order."""
    return [(index, output["ename"], output["evalue"]) for index, cell in enumerate(notebook.cells)
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def execute(path: Path, quick: bool = True, timeout: int | None = None, seed: int | None = None, prepare=None):
    """Run a notebook in its own folder (errors are kept in the outputs) and return it.

    `seed` sets ``CNN_COURSE_SEED`` for the kernel (default: as this process has it); `prepare` may change the
    notebook before it runs.

    `timeout` limits each cell, by default 10 minutes in quick mode and 4 hours in full mode
    (full-mode training on a CPU can take tens of minutes).
    """
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    for cell in (cell for cell in notebook.cells if cell.cell_type == "code"):
        cell.outputs = []  # the run shows only what it computed: a saved output (in a cell it skips) counts not
    if prepare:
        prepare(notebook)
    seed = config.run_seed() if seed is None else seed
    with config.mode(quick=quick), config.seeded(seed):  # the kernel inherits both through the environment
        NotebookClient(notebook, timeout=timeout or (600 if quick else 4 * 3600), allow_errors=True,
                       kernel_name="python3", resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    return notebook

"""The package's floors: a module imports only from lower floors (or from its own package).

This table is the one place they are written: tests/test_style.py checks every import of the package and
of the solution notebooks against it, and ``python -m cnn_course readme`` renders it into the README.
"""

from __future__ import annotations

MODULES = {  # module (or sub-package): (floor, what it holds)
    "config": (0, "quick mode, seeds, where data is cached"),
    "graph": (0, "the one reader of Keras's graph internals"),
    "fixtures": (0, "deterministic inputs and distinct random weights for comparing models"),
    "download": (0, "opt-in, checksummed downloads"),
    "autodiff": (0, "gradients on the running backend"),
    "checkpoints": (0, "PyTorch checkpoints read without PyTorch or trust"),
    "floors": (0, "this table"),
    "hosted": (0, "Colab and Kaggle: install what the runtime lacks, never its TensorFlow, Keras or NumPy"),
    "installer": (0, "requirements into a virtual environment, by uv where it can be had, else pip"),
    "blocks": (1, "classic, residual, inception and mobile blocks"),
    "costs": (1, "parameters, multiplications, the volume walk, measured seconds"),
    "plots": (1, "the figures"),
    "augment": (1, "the lecture's distortions, colour shifts, the parallel tf.data pipeline"),
    "fingers": (1, "the generated hands"),
    "results": (1, "results/*.json, median and range over seeds, what notebooks quote of the benchmark"),
    "models": (2, "builders called like keras.applications'"),
    "datasets": (2, "every data set behind one call, offline first"),
    "training": (3, "the recipes notebooks train with"),
    "transfer": (3, "freezing, cached features, fine-tuning"),
    "evaluate": (3, "ensembles, the 10-crop"),
    "experiments": (4, "seeds, seeded trainers, paired comparisons and the sentences that read them"),
    "grading": (4, "report, answer key, vocabulary, four engines (formula, array, block, builder), then one module of "
                   "grader descriptions per notebook"),
    "notebooks": (5, "contract, build, run, grade, benchmark, readme, colab (the notebooks on Colab's runtime), "
                     "executed (the runs kept), website (the site built from them)"),
    "__main__": (6, "the command line"),
}
FLOORS = {module: floor for module, (floor, _) in MODULES.items()}
NOTEBOOK_FLOOR = max(FLOORS.values()) + 1  # the solution notebooks: above the package, below its tooling's use


def table() -> str:
    """The floors as a Markdown table, lowest first: what the README shows."""
    rows = ["| floor | modules (a module imports only from lower floors: the rows above its own) |", "| --- | --- |"]
    for floor in sorted(set(FLOORS.values())):
        modules = [f"`{name}` ({what})" for name, (level, what) in MODULES.items() if level == floor]
        rows.append(f"| {floor} | {'; '.join(modules)} |")
    rows.append(f"| {NOTEBOOK_FLOOR} | the notebooks in `solutions/`: any module but `notebooks` and `__main__` |")
    return "\n".join(rows)

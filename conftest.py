"""Test settings: quick mode for every notebook, quiet logs, a notebook's cells kept together under
pytest-xdist, every grade a solution notebook shows required to pass, and a per-notebook time report.

Each notebook runs once, under nbval; its grader cells are judged from that one run's outputs (the
report's machine-readable summary, `grading.report.MIME_TYPE`), so no test executes a notebook again
to grade it; the executed solution is kept in results/executed/tests/ for the site (`executed.TESTS`). The
notebooks in AUTOGRADED run through nbgrader's autograde instead (tests/test_nbgrader.py), which checks the same:
every cell runs, every grade passes.
"""

import importlib.util
import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from cnn_course.config import QUICK_VARIABLE, is_quick
from cnn_course.grading.report import MIME_TYPE
from cnn_course.notebooks import executed
from cnn_course.notebooks.contract import SOLUTIONS, graded_exercises

os.environ.setdefault(QUICK_VARIABLE, "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_notebook_seconds: dict[str, float] = defaultdict(float)
_cells_run: dict[Path, set[int]] = defaultdict(set)
AUTOGRADED = ("00_keras_tutorial", "02_residual_networks", "10_transfer_learning")  # run by nbgrader, not nbval
FAMILIES = ("efficientnet", "mobilenet", "resnet", "inception", "googlenet", "vgg")  # words in a test's id


def draw_initial_weights_in_numpy():
    """Under JAX, Keras draws each layer's initial weights with a `jax.random` program compiled for that weight's
    shape; on a CPU, building a model is then mostly compiling (14 of 15 s for EfficientNetB0). Outside a traced
    function the tests draw them with NumPy's generator seeded from the same key instead: the same seeds give the same
    weights, from the same distributions, and nothing is compiled. No test depends on the particular initial values."""
    import jax
    import keras
    from keras.src.backend.jax import random

    jax_normal, jax_truncated_normal, jax_uniform = random.normal, random.truncated_normal, random.uniform

    def numpy_draw(draw, seed, dtype, sample):
        key = random.jax_draw_seed(seed)
        if isinstance(key, jax.core.Tracer):
            return draw(key)
        generator = np.random.default_rng(np.asarray(jax.random.key_data(key)))
        return jax.numpy.asarray(sample(generator).astype(np.float32), dtype or keras.config.floatx())

    def within_two(generator, shape):
        sample = generator.standard_normal(shape)
        while (outside := np.abs(sample) > 2).any():
            sample[outside] = generator.standard_normal(outside.sum())
        return sample

    def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
        return numpy_draw(lambda key: jax_normal(shape, mean, stddev, dtype, key), seed, dtype,
                          lambda generator: generator.normal(mean, stddev, shape))

    def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
        return numpy_draw(lambda key: jax_truncated_normal(shape, mean, stddev, dtype, key), seed, dtype,
                          lambda generator: mean + stddev * within_two(generator, shape))

    def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
        return numpy_draw(lambda key: jax_uniform(shape, minval, maxval, dtype, key), seed, dtype,
                          lambda generator: generator.uniform(minval, maxval, shape))

    random.normal, random.truncated_normal, random.uniform = normal, truncated_normal, uniform


def pytest_configure(config):
    """In each process that runs tests (not pytest-xdist's controller, which would import Keras only for this)."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        import keras

        if keras.backend.backend() == "jax":
            draw_initial_weights_in_numpy()


def pytest_addoption(parser):
    parser.addoption("--site", nargs="?", const="tests", choices=("tests", "full"), help="also run the tests marked "
                     "site: the website built from the notebooks the last test run executed (or, with --site=full, the "
                     "benchmark's full-mode runs), in headless Chromium (python course.py test --site)")


def pytest_collection_modifyitems(config, items):
    """The site's tests need every notebook executed first, so they run only when asked for (``--site``). The tests
    that execute notebooks go first: a worker that takes one of those last would keep the others waiting."""
    if not config.getoption("--site"):
        waiting = [item for item in items if item.get_closest_marker("site")]
        if waiting:
            config.hook.pytest_deselected(items=waiting)
            items[:] = [item for item in items if not item.get_closest_marker("site")]
    items.sort(key=lambda item: item.get_closest_marker("notebooks") is None)  # stable: the order is kept otherwise


def pytest_ignore_collect(collection_path: Path, config):
    """nbval leaves the AUTOGRADED solutions to tests/test_nbgrader.py when nbgrader is installed, unless a
    notebook is named on the command line."""
    named = any(Path(arg.split("::")[0]).resolve() == collection_path for arg in config.args)
    if collection_path.suffix == ".ipynb" and collection_path.parent.name == "solutions" and not named:
        return (collection_path.stem in AUTOGRADED and importlib.util.find_spec("nbgrader") is not None) or None
    return None


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which `-p no:xdist` leaves out
def pytest_xdist_make_scheduler(config, log):
    """A test file goes to one worker whole: nbval runs a notebook's cells in order in one kernel, and the tests of
    one file build the same models, whose compiled operations a worker keeps (under JAX this saves about a tenth of
    the CPU time). The tests that name a model family, in any file, go to one worker together, for the same reason.
    But nbgrader's autograde of each AUTOGRADED notebook, long on its own, goes to whichever worker is free.
    (``--dist loadgroup`` would say this with marks, but its grouping stopped working with pytest 9.2: pytest-xdist
    issue 1386.)"""
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            if any(f"[{name}]" in nodeid for name in AUTOGRADED):
                return nodeid
            family = nodeid.startswith("tests/") and next((word for word in FAMILIES if word in nodeid.lower()), None)
            return family or nodeid.split("::")[0]

    config.option.loadscopereorder = False  # in collection order, where the tests that execute notebooks come first
    return FileScheduling(config, log)


def grades(outputs) -> list[dict]:
    """The grade summaries among a cell's outputs."""
    found = []
    for output in outputs or []:
        summary = output.get("data", {}).get(MIME_TYPE)
        if summary is not None:
            found.append(json.loads(summary) if isinstance(summary, str) else summary)
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A solution notebook's grader cell passes only when its grade says passed (nbval-lax checks only
    that the cell ran)."""
    result = yield
    shown = grades(getattr(item, "test_outputs", None))
    cell = getattr(item, "cell", None)
    called = graded_exercises(cell.source) if cell is not None and cell.cell_type == "code" else []
    missing = set(called) - {grade["exercise"] for grade in shown}
    assert not missing, f"the grader cell showed no grade for {sorted(missing)}: end it with check_<name>(<name>)"
    failed = [grade for grade in shown if not grade["passed"]]
    if failed:
        raise AssertionError("; ".join(f"{grade['exercise']}: {grade['first_failure']}" for grade in failed))
    return result


def pytest_runtest_teardown(item, nextitem):
    """nbval's cells carry their outputs back into the notebook it read; when every cell of a solution has run,
    the executed notebook is kept (a notebook's cells run in order in one worker)."""
    cell, notebook, path = getattr(item, "cell", None), getattr(item.parent, "nb", None), Path(item.parent.path)
    if cell is None or notebook is None or path.parent != SOLUTIONS:
        return
    cell.outputs, cell.execution_count = item.test_outputs or [], item.cell_num + 1
    _cells_run[path].add(item.cell_num)
    whole = len(_cells_run[path]) == sum(other.cell_type == "code" for other in notebook.cells)
    if whole and (nextitem is None or nextitem.parent is not item.parent):
        executed.keep(notebook, executed.TESTS / path.name, "tests", is_quick(), path)


def pytest_runtest_logreport(report):
    if report.when == "call" and ".ipynb::" in report.nodeid:
        _notebook_seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter):
    if _notebook_seconds:
        terminalreporter.section("notebook run times (quick mode, cells only)")
        for path, seconds in sorted(_notebook_seconds.items()):
            terminalreporter.write_line(f"{seconds:6.1f} s  {path}")

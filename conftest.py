"""Test settings: quick mode for every notebook, quiet logs, a notebook's cells kept together under
pytest-xdist, and a per-notebook time report."""

import os
from collections import defaultdict

import pytest

from cnn_course.config import QUICK_VARIABLE

os.environ.setdefault(QUICK_VARIABLE, "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_notebook_seconds: dict[str, float] = defaultdict(float)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which `-p no:xdist` leaves out
def pytest_xdist_make_scheduler(config, log):
    """nbval runs a notebook's cells in order in one kernel, so a notebook goes to one worker whole;
    every other test goes to whichever worker is free. (``--dist loadgroup`` would say this with marks,
    but its grouping stopped working with pytest 9.2: pytest-xdist issue 1386.)"""
    from xdist.scheduler import LoadScopeScheduling

    class NotebookScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::")[0]
            return path if path.endswith(".ipynb") else nodeid

    return NotebookScheduling(config, log)


def pytest_runtest_logreport(report):
    if report.when == "call" and ".ipynb::" in report.nodeid:
        _notebook_seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter):
    if _notebook_seconds:
        terminalreporter.section("notebook run times (quick mode, cells only)")
        for path, seconds in sorted(_notebook_seconds.items()):
            terminalreporter.write_line(f"{seconds:6.1f} s  {path}")

"""Test settings: quick mode for every notebook, quiet logs, and a per-notebook time report."""

import os
from collections import defaultdict

from cnn_course.config import QUICK_VARIABLE

os.environ.setdefault(QUICK_VARIABLE, "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_notebook_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    if report.when == "call" and ".ipynb::" in report.nodeid:
        _notebook_seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter):
    if _notebook_seconds:
        terminalreporter.section("notebook run times (quick mode, cells only)")
        for path, seconds in sorted(_notebook_seconds.items()):
            terminalreporter.write_line(f"{seconds:6.1f} s  {path}")

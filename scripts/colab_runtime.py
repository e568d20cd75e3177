"""Refresh colab/runtime.txt, Colab's published package set, from a clone of googlecolab/backend-info.

    git clone https://github.com/googlecolab/backend-info /tmp/backend-info
    python scripts/colab_runtime.py /tmp/backend-info

Keeps the CPU runtime's Python version and every ``name==version`` line of its ``pip freeze``; packages
installed from a URL (torch, google-colab, ...) cannot be pinned by name and are listed in a comment.
``python course.py test --colab`` builds its environment from the file; tests/test_colab.py checks that
no lower bound of the course is above it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

from cnn_course.notebooks.colab_environment import RUNTIME


def runtime_text(backend_info: Path) -> str:
    """colab/runtime.txt's text from a backend-info clone: where it comes from, then the pins."""
    commit, date = subprocess.run(["git", "-C", str(backend_info), "log", "-1", "--format=%h %ad", "--date=short"],
                                  capture_output=True, text=True, check=True).stdout.split()
    python = re.search(r"^Python (\S+)", (backend_info / "os-info.txt").read_text(), re.MULTILINE).group(1)
    lines = [line for line in (backend_info / "pip-freeze.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    pins = sorted((line for line in lines if "==" in line), key=str.lower)
    from_urls = sorted(line.split(" @ ")[0] for line in lines if " @ " in line)
    return "\n".join([
        "# Colab's runtime (CPU): pip-freeze.txt and os-info.txt of https://github.com/googlecolab/backend-info",
        f"# at commit {commit} of {date}; refresh with `python scripts/colab_runtime.py BACKEND_INFO_CLONE`.",
        f"# python {python}",
        f"# installed from URLs, not pinned here: {', '.join(from_urls)}",
        *pins,
    ]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend_info", type=Path, help="a clone of https://github.com/googlecolab/backend-info")
    text = runtime_text(parser.parse_args().backend_info)
    RUNTIME.write_text(text)
    print(f"wrote {RUNTIME}: {sum(not line.startswith('#') for line in text.splitlines())} pins")


if __name__ == "__main__":
    main()

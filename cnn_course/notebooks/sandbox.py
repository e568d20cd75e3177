"""A learner's notebook is code that runs on the teacher's machine; `run_contained` grades one as contained as the
operating system allows cheaply:

- in its own process, with its own kernel, in a scratch working folder deleted afterwards;
- under a time limit for the whole notebook (its process group is killed when it runs out);
- under a memory limit (``RLIMIT_AS``, the address space of each process: the grading and its kernel);
- with no network, where ``unshare --net`` works (Linux, as root or with unprivileged user namespaces): the
  notebook sees only its own loopback interface.

Not contained: what the teacher's user may read and write (the home folder, the course's cache), CPU time
beyond the limit's seconds, other processes' view. For that, grade inside a container (the README says how).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cnn_course.notebooks.grade import Row

LOOPBACK = 'ip link set lo up 2>/dev/null; exec "$@"'  # the kernel talks to its client over 127.0.0.1
MEMORY_LIMIT = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]),) * 2); "
                "os.execvp(sys.argv[2], sys.argv[2:])")


@dataclass(frozen=True)
class Limits:
    """What one notebook may take: seconds in all, bytes of address space, and the network or not."""

    seconds: float = 1800  # full mode of the longest notebook (at most 15 minutes on 2 cores), twice over
    memory: int = 16 * 2**30  # TensorFlow reserves several GiB of address space it does not use
    network: bool = False


@cache
def without_network() -> list[str]:
    """The command prefix that takes the network away (a new network namespace), or [] where none works here."""
    if not shutil.which("unshare"):
        return []
    for prefix in (["unshare", "--net"], ["unshare", "--map-root-user", "--net"]):
        command = [*prefix, "sh", "-c", LOOPBACK, "sh"]
        if subprocess.run([*command, "true"], capture_output=True).returncode == 0:
            return command
    return []


def limited(command: list[str], limits: Limits) -> list[str]:
    """`command` under `limits`' memory (set by a small Python that then becomes the command: no fork-time hook,
    which threads make unsafe) and, unless `limits` lets the network in, in a namespace without it."""
    memory = [sys.executable, "-c", MEMORY_LIMIT, str(limits.memory)]
    return [*([] if limits.network else without_network()), *memory, *command]


def run_contained(path: Path, notebook: str, quick: bool, limits: Limits) -> tuple[list[Row], str, float]:
    """Grade the notebook file at `path` (course notebook `notebook`) contained; its rows, or a problem."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cnn-course-grading-") as scratch:
        copy = Path(scratch) / f"{notebook}.ipynb"
        shutil.copyfile(path, copy)
        command = [sys.executable, "-m", "cnn_course", "grade", str(copy), "--json", *([] if quick else ["--full"])]
        process = subprocess.Popen(limited(command, limits), cwd=scratch, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)  # killed as a group
        try:
            out, err = process.communicate(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return [], f"did not finish within {limits.seconds:g} s (stopped)", time.perf_counter() - start
    seconds = time.perf_counter() - start
    try:
        return [Row(**row) for row in json.loads(out.strip().splitlines()[-1])], "", seconds
    except (IndexError, ValueError, TypeError):
        lines = [line for line in err.splitlines() if line.strip()]
        if any("DeadKernelError" in line or "MemoryError" in line for line in lines):
            return [], "the kernel died (out of memory, or the notebook's code crashed it)", seconds
        return [], f"grading stopped: {lines[-1][:200] if lines else f'exit code {process.returncode}'}", seconds

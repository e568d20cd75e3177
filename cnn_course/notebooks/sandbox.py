"""A learner's notebook is code that runs on the teacher's machine; `run_contained` grades one as contained as the
operating system allows cheaply:

- in its own process, with its own kernel, in a scratch working folder deleted afterwards;
- under a time limit for the whole notebook (its process group is killed when it runs out);
- under a memory limit (``RLIMIT_AS``, the address space of each process: the grading and its kernel); what it
  prints goes to files, of which the teacher's process reads the last lines only;
- where ``unshare`` works (Linux, as root or with unprivileged user namespaces): in a process tree of its own, which
  cannot see the teacher's processes and dies whole with the grading (a forked daemon too), and with no network
  but its own loopback interface.

Not contained: what the teacher's user may read and write (the home folder, the course's cache, the class folder),
CPU time beyond the limit's seconds. For that, grade inside a container (the README says how).
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
def namespaces(network: bool) -> list[str]:
    """The command prefix that runs a notebook in namespaces of its own: a process tree that cannot see the
    teacher's and is killed whole with its first process (--pid), and no network but a loopback unless `network`
    (--net); the network's alone where a process tree does not work, [] where unshare does not work here."""
    if not shutil.which("unshare"):
        return []
    tree, net = ["--pid", "--fork", "--kill-child", "--mount-proc"], [] if network else ["--net"]
    for flags in [tree + net] + ([net] if net else []):  # both, else the network's alone
        for user in ([], ["--map-root-user"]):
            command = ["unshare", *user, *flags, "sh", "-c", LOOPBACK, "sh"]
            if subprocess.run([*command, "true"], capture_output=True).returncode == 0:
                return command
    return []


def limited(command: list[str], limits: Limits) -> list[str]:
    """`command` under `limits`' memory (set by a small Python that then becomes the command: no fork-time hook,
    which threads make unsafe), in namespaces of its own where they work (`namespaces`)."""
    memory = [sys.executable, "-c", MEMORY_LIMIT, str(limits.memory)]
    return [*namespaces(limits.network), *memory, *command]


def run_contained(path: Path, notebook: str, quick: bool, limits: Limits) -> tuple[list[Row], str, float]:
    """Grade the notebook file at `path` (course notebook `notebook`) contained; its rows, or a problem."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cnn-course-grading-", ignore_cleanup_errors=True) as scratch, \
            tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        copy = Path(scratch) / f"{notebook}.ipynb"
        shutil.copyfile(path, copy)
        command = [sys.executable, "-m", "cnn_course", "grade", str(copy), "--json", *([] if quick else ["--full"])]
        process = subprocess.Popen(limited(command, limits), cwd=scratch, stdout=out, stderr=err,
                                   start_new_session=True)  # killed as a group
        try:
            process.wait(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return [], f"did not finish within {limits.seconds:g} s (stopped)", time.perf_counter() - start
        seconds, printed, lines = time.perf_counter() - start, _last_lines(out), _last_lines(err)
    try:
        return [Row(**row) for row in json.loads(printed[-1])], "", seconds
    except (IndexError, ValueError, TypeError):
        if any("DeadKernelError" in line or "MemoryError" in line for line in lines):
            return [], "the kernel died (out of memory, or the notebook's code crashed it)", seconds
        return [], f"grading stopped (exit code {process.returncode})" + (
            f", its last words: {lines[-1][:200]!r}" if lines else ""), seconds


def _last_lines(file, size: int = 2**16) -> list[str]:
    """The lines at the end of what a process wrote into `file`, read from its last `size` bytes only."""
    file.seek(max(file.seek(0, os.SEEK_END) - size, 0))
    return [line for line in file.read().decode(errors="replace").splitlines() if line.strip()]

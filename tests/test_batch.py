"""Grading a class: a folder of learners' notebooks, each graded in its own contained process, into a table with
the right points per exercise, a feedback file per learner, and a clear note for every file that cannot be graded."""

import csv
import subprocess
import sys

import nbformat
import pytest

from cnn_course.notebooks import batch, contract
from cnn_course.notebooks.sandbox import Limits, limited, namespaces, run_contained

NOTEBOOK = "05_inception_motivation"  # two exercises, worth 1 and 2 points; a few seconds in quick mode


def test_points_live_in_the_exercise_titles():
    notebook = nbformat.read(contract.SOLUTIONS / f"{NOTEBOOK}.ipynb", as_version=4)
    assert contract.points(notebook) == {"conv_multiplies": 1, "bottleneck_layer": 2}


def test_a_file_is_known_by_its_exercises_not_its_name(tmp_path):
    course = batch.course_exercises()
    renamed = tmp_path / "my homework.ipynb"
    renamed.write_text((contract.NOTEBOOKS / f"{NOTEBOOK}.ipynb").read_text())
    assert batch.identify(renamed, course) == (NOTEBOOK, "")
    (tmp_path / "broken.ipynb").write_text("{ not json")
    assert batch.identify(tmp_path / "broken.ipynb", course)[1].startswith("not a notebook")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), tmp_path / "other.ipynb")
    assert batch.identify(tmp_path / "other.ipynb", course) == (None, "holds none of the course's exercises")
    with open(tmp_path / "huge.ipynb", "wb") as huge:  # sparse: no 50 MB written
        huge.truncate(batch.LARGEST + 1)
    assert batch.identify(tmp_path / "huge.ipynb", course)[1].startswith("larger than 50 MB")
    assert batch.learner_of(tmp_path / f"bob_{NOTEBOOK}.ipynb", tmp_path, course) == "bob"
    assert batch.learner_of(tmp_path / "carol" / "x.ipynb", tmp_path, course) == "carol"
    assert batch.learner_of(tmp_path / "evil\nmallory  1 1" / "x.ipynb", tmp_path, course) == "evil mallory 1 1"


PASSING = ("from IPython.display import display\ndisplay({{'application/vnd.cnn-course.grade+json': '{{\"exercise\": "
           "\"{0}\", \"passed\": true, \"first_failure\": \"\"}}', 'text/plain': 'PASSED'}}, raw=True)\n"
           "def check_{0}(answer):\n    return 'PASSED'\ncheck_{0}({0})")


def _class_folder(folder):
    """alice solved everything, bob left the stubs, carol's second answer raises, dave handed in a corrupt file; eve
    left the stubs but wrote her own graders, each showing a passing report, and saved a passing output in a cell
    tagged to be skipped."""
    solved = (contract.SOLUTIONS / f"{NOTEBOOK}.ipynb").read_text()
    stubs = nbformat.read(contract.NOTEBOOKS / f"{NOTEBOOK}.ipynb", as_version=4)
    for cell in (c for c in stubs.cells if c.cell_type == "code" and contract.graded_exercises(c.source)):
        cell.source = PASSING.format(contract.graded_exercises(cell.source)[0])
    skipped = nbformat.v4.new_code_cell("check_conv_multiplies(conv_multiplies)", metadata={"tags": [
        "skip-execution"]}, outputs=[nbformat.v4.new_output("display_data", data={
            "application/vnd.cnn-course.grade+json": '{"exercise": "conv_multiplies", "passed": true, '
                                                      '"first_failure": ""}', "text/plain": "PASSED"})])
    stubs.cells.insert(0, skipped)
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / f"{NOTEBOOK}.ipynb").write_text(solved)
    (folder / "bob").mkdir()
    (folder / "bob" / f"{NOTEBOOK}.ipynb").write_text((contract.NOTEBOOKS / f"{NOTEBOOK}.ipynb").read_text())
    notebook = nbformat.reads(solved, as_version=4)
    cell = next(c for c in notebook.cells if contract.defines(c.source, "bottleneck_layer"))
    cell.source += "\nraise RuntimeError('oops')"  # the cell stops after defining the function
    nbformat.write(notebook, folder / "carol.ipynb")
    (folder / "dave").mkdir()
    (folder / "dave" / f"{NOTEBOOK}.ipynb").write_bytes(b"\x00\x01 not a notebook")
    (folder / "eve").mkdir()
    nbformat.write(stubs, folder / "eve" / f"{NOTEBOOK}.ipynb")


@pytest.mark.notebooks
def test_a_class_gets_the_right_points_a_feedback_file_each_and_notes_not_tracebacks(tmp_path):
    _class_folder(tmp_path / "class")
    graded = batch.grade_class(tmp_path / "class", jobs=2)
    rows = {row["learner"]: row for row in batch.write(graded, tmp_path / "grades")}
    points = {learner: (row["05 conv_multiplies"], row["05 bottleneck_layer"], row["total"], row["out of"])
              for learner, row in rows.items()}
    assert points == {"alice": (1, 2, 3, 3), "bob": (0, 0, 0, 3), "carol": (1, 0, 1, 3), "dave": (0, 0, 0, 3),
                      "eve": (0, 0, 0, 3)}
    assert rows["dave"]["notes"].startswith(f"{NOTEBOOK}.ipynb: not a notebook")
    assert not rows["alice"]["notes"] and not rows["bob"]["notes"]
    with open(tmp_path / "grades" / "grades.csv") as file:
        assert [row["total"] for row in csv.DictReader(file)] == ["3", "0", "1", "0", "0"]
    feedback = {path.stem: path.read_text() for path in (tmp_path / "grades" / "feedback").glob("*.md")}
    assert sorted(feedback) == ["alice", "bob", "carol", "dave", "eve"]
    assert "bottleneck_layer: 2 of 2 points" in feedback["alice"] and "PASSED" in feedback["alice"]
    assert "not implemented" in feedback["bob"].lower()
    assert "which defines bottleneck_layer, raised RuntimeError: oops" in feedback["carol"]
    assert "Not graded: not a notebook" in feedback["dave"]
    assert "Traceback" not in "".join(feedback.values())


@pytest.mark.notebooks
def test_a_notebook_that_runs_too_long_is_stopped_and_said_so(tmp_path):
    path = tmp_path / "slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(600)")]), path)
    rows, problem, seconds = run_contained(path, NOTEBOOK, quick=True, limits=Limits(seconds=5))
    assert rows == [] and problem == "did not finish within 5 s (stopped)" and seconds < 30


@pytest.mark.notebooks
def test_a_daemon_and_a_flood_of_output_neither_stall_nor_swell_the_grading(tmp_path):
    """A daemon forked by the kernel (in a session of its own) once kept the teacher waiting on its pipes past the
    time limit; what the kernel writes to its own stdout was buffered whole in the teacher's process."""
    path = tmp_path / "daemon.ipynb"
    cells = ["import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(10**9)",
             "os.write(1, b'x' * 2**25)"]
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for cell in cells]), path)
    rows, problem, seconds = run_contained(path, NOTEBOOK, quick=True, limits=Limits(seconds=120))
    assert rows == [] and problem == "" and seconds < 60


@pytest.mark.notebooks
def test_a_notebook_that_kills_its_kernel_gets_a_note(tmp_path):
    path = tmp_path / "crash.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nos._exit(1)")]), path)
    rows, problem, _ = run_contained(path, NOTEBOOK, quick=True, limits=Limits(seconds=120))
    assert rows == [] and problem.startswith("the kernel died")


def test_the_memory_limit_stops_a_process_that_asks_for_more():
    code = "import sys\ntry:\n    bytearray(2**30)\nexcept MemoryError:\n    sys.exit(3)"
    run = lambda memory: subprocess.run(limited([sys.executable, "-c", code], Limits(memory=memory, network=True)))
    assert run(2**29).returncode == 3 and run(2**31).returncode == 0


def test_without_network_the_notebook_reaches_nothing_but_its_own_loopback():
    prefix = namespaces(False)
    if "--net" not in prefix:
        pytest.skip("unshare --net does not work on this machine: batch grading says the network stays on")
    code = ("import socket\nserver = socket.create_server(('127.0.0.1', 0))\n"
            "socket.create_connection(server.getsockname(), timeout=5)\n"
            "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=5)\nexcept OSError:\n    print('no network')")
    done = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "no network", done.stderr

"""The code passes the linter configured in pyproject.toml (ruff)."""

import subprocess
import sys

import pytest

from cnn_course import floors
from cnn_course.config import REPO_ROOT


def test_ruff_finds_nothing():
    paths = ["cnn_course", "tests", "scripts", "course.py", "solutions"]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *paths], cwd=REPO_ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_code_never_imports_tensorflow():
    """Keras 3 first: the package runs on any backend (tf.data is allowed in datasets/augment only, and
    autodiff imports the running backend's library to differentiate)."""
    allowed = {"datasets.py", "augment.py", "autodiff.py"}
    for path in (REPO_ROOT / "cnn_course").rglob("*.py"):
        if path.name not in allowed:
            assert "import tensorflow" not in path.read_text(), f"{path} imports tensorflow"


# The package's floors (a module imports only from lower floors, or from its own package): cnn_course/floors.py.
FLOORS = floors.FLOORS


def _room(path) -> str:
    return path.relative_to(REPO_ROOT / "cnn_course").parts[0].removesuffix(".py")


def _imported_rooms(source: str):
    import ast

    for node in ast.walk(ast.parse(source)):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        for name in names:
            if name.startswith("cnn_course."):
                yield name.split(".")[1]
            elif name == "cnn_course" and isinstance(node, ast.ImportFrom):
                yield from (alias.name for alias in node.names)


def test_imports_flow_down_the_floors():
    for path in (REPO_ROOT / "cnn_course").rglob("*.py"):
        room = _room(path)
        if room == "__init__":
            continue
        assert room in FLOORS, f"{path.name}: put the new module on a floor in cnn_course/floors.py"
        for imported in _imported_rooms(path.read_text()):
            assert imported == room or FLOORS[imported] < FLOORS[room], \
                f"{path.relative_to(REPO_ROOT)} (floor {FLOORS[room]}) imports {imported} (floor {FLOORS[imported]})"


def test_the_floors_list_every_module_and_no_other():
    rooms = {_room(path) for path in (REPO_ROOT / "cnn_course").rglob("*.py")} - {"__init__"}
    assert set(FLOORS) == rooms


def _code_of(notebook_path) -> str:
    """A notebook's code cells as one Python source, IPython's magics and shell lines left out."""
    import nbformat

    cells = nbformat.read(notebook_path, as_version=4).cells
    return "\n".join(line for cell in cells if cell.cell_type == "code" for line in cell.source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


@pytest.mark.parametrize("folder", ["solutions", "notebooks"])
def test_notebooks_import_the_package_below_its_tooling(folder):
    """A notebook stands on the top floor, but imports neither the notebook tooling nor the command line."""
    for path in sorted((REPO_ROOT / folder).glob("*.ipynb")):
        for imported in _imported_rooms(_code_of(path)):
            assert imported in FLOORS, f"{path.name} imports cnn_course.{imported}, which is on no floor"
            assert FLOORS[imported] < FLOORS["notebooks"], \
                f"{path.name} imports cnn_course.{imported} (floor {FLOORS[imported]}): notebooks use lower floors"


def test_the_floor_test_sees_a_notebook_that_imports_the_tooling():
    source = "from cnn_course.notebooks.benchmark import recorded\nfrom cnn_course import results, config"
    assert sorted(_imported_rooms(source)) == ["config", "notebooks", "results"]
    assert max(FLOORS[room] for room in _imported_rooms(source)) >= FLOORS["notebooks"]


def test_only_the_graph_module_reads_private_keras_graph_attributes():
    private = ("_keras_history", "_inbound_nodes", "_outbound_nodes")
    readers = [path.relative_to(REPO_ROOT).as_posix() for folder in ("cnn_course", "tests", "scripts")
               for path in (REPO_ROOT / folder).rglob("*.py")
               if path.name != "test_style.py" and any(name in path.read_text() for name in private)]
    assert readers == ["cnn_course/graph.py"]


def test_no_package_module_over_250_lines():
    for path in (REPO_ROOT / "cnn_course").rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 250, f"{path.relative_to(REPO_ROOT)}: split it by job"

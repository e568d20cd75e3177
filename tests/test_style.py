"""The code passes the linter configured in pyproject.toml (ruff)."""

import subprocess
import sys

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


# The package's floors: a module imports only from lower floors (or from its own package).
FLOORS = {
    "config": 0, "graph": 0, "fixtures": 0, "download": 0, "autodiff": 0, "checkpoints": 0,
    "blocks": 1, "fingers": 1, "costs": 1, "plots": 1, "augment": 1,
    "models": 2, "datasets": 2,
    "training": 3, "transfer": 3, "evaluate": 3,
    "grading": 4,
    "notebooks": 5,
    "__main__": 6,
}


def _room(path) -> str:
    return path.relative_to(REPO_ROOT / "cnn_course").parts[0].removesuffix(".py")


def _imported_rooms(path):
    import ast

    for node in ast.walk(ast.parse(path.read_text())):
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
        assert room in FLOORS, f"{path.name}: put the new module on a floor in tests/test_style.py"
        for imported in _imported_rooms(path):
            assert imported == room or FLOORS[imported] < FLOORS[room], \
                f"{path.relative_to(REPO_ROOT)} (floor {FLOORS[room]}) imports {imported} (floor {FLOORS[imported]})"


def test_only_the_graph_module_reads_private_keras_graph_attributes():
    private = ("_keras_history", "_inbound_nodes", "_outbound_nodes")
    readers = [path.relative_to(REPO_ROOT).as_posix() for folder in ("cnn_course", "tests", "scripts")
               for path in (REPO_ROOT / folder).rglob("*.py")
               if path.name != "test_style.py" and any(name in path.read_text() for name in private)]
    assert readers == ["cnn_course/graph.py"]


def test_no_package_module_over_250_lines():
    for path in (REPO_ROOT / "cnn_course").rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 250, f"{path.relative_to(REPO_ROOT)}: split it by job"

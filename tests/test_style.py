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
    """Keras 3 first: the package runs on any backend (tf.data is allowed in datasets/augment only)."""
    allowed = {"datasets.py", "augment.py"}
    for path in (REPO_ROOT / "cnn_course").rglob("*.py"):
        if path.name not in allowed:
            assert "import tensorflow" not in path.read_text(), f"{path} imports tensorflow"

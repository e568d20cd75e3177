"""course.py, the two commands a learner types first."""

import course


def test_lab_passes_allow_root_only_as_root(monkeypatch):
    monkeypatch.setattr(course.os, "geteuid", lambda: 0)
    assert "--allow-root" in course.lab_command([])
    monkeypatch.setattr(course.os, "geteuid", lambda: 1000)
    assert course.lab_command(["--port", "9999"])[1:] == ["lab", "notebooks", "--port", "9999"]


def test_pyproject_license_is_an_spdx_expression():
    """A TOML table there makes every install print setuptools' deprecation warning."""
    lines = (course.ROOT / "pyproject.toml").read_text().splitlines()
    assert 'license = "MIT"' in lines and not any(line.startswith("license = {") for line in lines)


def test_test_command_runs_the_package_tests_only_on_another_backend(monkeypatch):
    monkeypatch.setattr(course, "ensure_backend", lambda backend: None)
    assert course.test_command(["-ra"])[3:] == ["-ra"]
    command = course.test_command(["--backend", "jax", "-q"])
    assert command[3:] == ["tests", "-m", "not notebooks", "-q"]
    assert course.test_environment(["--backend", "jax"])["KERAS_BACKEND"] == "jax"
    assert course.test_environment([])["KERAS_BACKEND"] == "tensorflow"

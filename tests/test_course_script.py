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
    assert course.test_command(["-n", "0", "-ra"])[3:] == ["-n", "0", "-ra"]
    command = course.test_command(["--backend", "jax", "-n", "0", "-q"])
    assert command[3:] == ["tests", "-m", "not notebooks and not one_backend", "-n", "0", "-q"]
    jax = course.test_environment(["--backend", "jax"], "/tmp/compiled")
    assert jax["KERAS_BACKEND"] == "jax" and jax["JAX_COMPILATION_CACHE_DIR"] == "/tmp/compiled"
    assert course.test_environment([], "/tmp/compiled")["KERAS_BACKEND"] == "tensorflow"


def test_test_command_spreads_the_tests_over_the_cores_keeping_each_notebook_together(monkeypatch):
    monkeypatch.setattr(course.os, "cpu_count", lambda: 2)
    assert course.test_command(["-ra"])[3:] == ["-n", "2", "-ra"]
    monkeypatch.setattr(course.os, "cpu_count", lambda: 64)
    assert course.test_command([])[3:5] == ["-n", "4"]
    assert course.test_command(["--numprocesses=3"])[3:] == ["--numprocesses=3"]


def test_the_site_test_runs_the_site_tests_in_one_process_with_the_browser():
    assert course.site_test_command(["--site", "-q"])[3:] == [course.SITE_TESTS, "--site=tests", "-n", "0", "-q"]
    assert course.site_test_command(["-ra", "--site", "full"])[3:] == [course.SITE_TESTS, "--site=full", "-n", "0",
                                                                       "-ra"]
    assert (course.ROOT / course.SITE_TESTS).exists()
    assert course.REQUIREMENTS["site"] in (course.ROOT / course.REQUIREMENTS["test"]).read_text()

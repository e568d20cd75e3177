"""The installer course.py and the Colab harness build environments with: uv where pip can install it, else pip."""

import subprocess
from pathlib import Path

from cnn_course import installer


def _fake(calls, uv_works=True, pip_works=True, uv_installs=True):
    def run(command, **_):
        calls.append([str(part) for part in command])
        if command[1:3] == ["-m", "pip"] and command[-1] == "uv":
            if uv_installs:
                (Path(command[0]).parent / "uv").touch()
            return subprocess.CompletedProcess(command, 0, "", "")
        works = uv_works if Path(command[0]).name == "uv" else pip_works
        return subprocess.CompletedProcess(command, 0 if works else 1, "", "" if works else "no matching distribution")
    return run


def test_uv_installs_when_pip_can_install_it_and_into_another_environment(tmp_path, monkeypatch):
    calls, python = [], tmp_path / "bin" / "python"
    python.parent.mkdir()
    monkeypatch.setattr(installer.subprocess, "run", _fake(calls))
    assert installer.install(python, ["-r", "requirements.txt"], into=tmp_path / "other" / "python") == ""
    assert calls[0] == [str(python), "-m", "pip", "install", *installer.QUIET, "uv"]
    assert calls[1] == [str(tmp_path / "bin" / "uv"), "pip", "install", "--quiet", "--compile-bytecode", "--python",
                        str(tmp_path / "other" / "python"), "-r", "requirements.txt"]
    assert len(calls) == 2 and installer.install(python, ["x"]) == "" and len(calls) == 3  # uv installed once


def test_pip_installs_where_uv_cannot_be_had_or_fails_and_its_error_is_said(tmp_path, monkeypatch):
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    for fake in (dict(uv_installs=False), dict(uv_works=False)):
        calls = []
        monkeypatch.setattr(installer.subprocess, "run", _fake(calls, **fake))
        assert installer.install(python, ["numpy"]) == ""
        assert calls[-1] == [str(python), "-m", "pip", "install", *installer.QUIET, "numpy"]
        (python.parent / "uv").unlink(missing_ok=True)
    monkeypatch.setattr(installer.subprocess, "run", _fake([], uv_works=False, pip_works=False))
    assert "no matching distribution" in installer.install(python, ["numpy"])

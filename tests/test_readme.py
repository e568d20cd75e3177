"""The README tells the two commands, and its generated blocks are what `python -m cnn_course readme` renders
from results/*.json and the package's floors."""

import json
import re
import statistics

import nbformat
import pytest

from cnn_course import results
from cnn_course.config import REPO_ROOT
from cnn_course.notebooks import benchmark, contract, readme

README = (REPO_ROOT / "README.md").read_text()


def test_two_commands_and_ci_uses_the_test_one():
    assert "python course.py lab" in README and "python course.py test" in README
    assert "course.py test" in (REPO_ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("name", ["notebooks", "experiments", "fingers", "backends", "floors", "mutants"])
def test_generated_blocks_match_the_measurements(name):
    blocks = readme.blocks()
    assert name in blocks, f"results/ lacks the measurements behind the README's {name} block"
    assert readme.block_of(README, name) == blocks[name], \
        "README is out of date: run `python -m cnn_course readme`"


def test_the_readme_command_renders_without_running_and_twice_changes_nothing(tmp_path, monkeypatch):
    from cnn_course.__main__ import main
    from cnn_course.notebooks import run

    def refuse(*args, **kwargs):
        pytest.fail("the readme command ran a notebook")

    monkeypatch.setattr(run, "execute", refuse)
    monkeypatch.setattr(benchmark, "execute", refuse)
    copy = tmp_path / "README.md"
    stale = README.replace(readme.block_of(README, "notebooks"), "| stale |").replace(
        readme.block_of(README, "floors"), "")
    copy.write_text(stale)
    monkeypatch.setattr(readme, "README", copy)
    assert main(["readme", "--check"]) == 1 and copy.read_text() == stale  # --check writes nothing
    assert main(["readme"]) == 0
    once = copy.read_text()
    assert once == README  # the stale and the emptied blocks are back as committed, the rest untouched
    assert not readme.update(copy) and copy.read_text() == once
    assert main(["readme", "--check"]) == 0


def test_experiments_are_listed_per_notebook_and_kept_out_of_the_table():
    runs = [{"seed": 0, "seconds": 1.0, "errors": [], "results": [
        "validation accuracy at about 4x: depth 0.9", "training accuracy by arm: a 0.9 (3 seeds); every arm fits",
        "a vs b, paired over 3 seeds: validation accuracy higher on every seed, by +0.1"]}]
    data = {"08_efficientnet": {"full": runs}}
    assert readme.experiments_list(data) == ("- **08**\n  - training accuracy by arm: a 0.9 (3 seeds); every arm fits\n"
                                             "  - a vs b, paired over 3 seeds: validation accuracy higher on every "
                                             "seed, by +0.1")
    assert results.summary(runs) == "validation accuracy at about 4x: depth 0.9"
    assert readme.experiments_list({}).startswith("None recorded")


def test_every_solution_notebook_is_in_the_table():
    for path in sorted((REPO_ROOT / "solutions").glob("*.ipynb")):
        assert f"(notebooks/{path.name})" in readme.block_of(README, "notebooks")


def test_recorded_measurements_meet_the_course_targets():
    """Guards on the stored figures: re-measure with the scripts when the code changes them."""
    fingers = json.loads((REPO_ROOT / "results" / "fingers_difficulty.json").read_text())
    assert fingers["logistic_regression_test_accuracy"] <= 0.45
    assert fingers["small_cnn_test_accuracy"] >= 0.90 and fingers["small_cnn_train_seconds"] <= 180
    for name, entry in measured().items():
        assert all(run["seconds"] < 60 and not run["errors"] for run in entry["quick"]), name
        assert all(run["seconds"] <= 15 * 60 and not run["errors"] for run in entry["full"]), name


def test_the_recorded_mutants_cover_every_exercise_and_no_grader_passed_a_hole():
    """scripts/mutants.py's last run: every graded exercise's solution and other answer, each mutant rejected or
    equivalent (with why)."""
    figures = results.read("mutants")
    course = {(path.stem, name, answer) for path in (REPO_ROOT / "solutions").glob("*.ipynb")
              for _, name in contract.exercises(nbformat.read(path, as_version=4)) for answer in ("solution", "other")}
    assert {(row["notebook"], row["exercise"], row["answer"]) for row in figures["exercises"]} == course
    for row in figures["exercises"]:
        assert row["holes"] == [] and row["rejected"] + len(row["equivalent"]) == row["mutants"], row["exercise"]
        assert all(why for _, why in row["equivalent"]) and row["rejected"] > 0.8 * row["mutants"]


def measured() -> dict:
    runs = json.loads((REPO_ROOT / "results" / "benchmarks.json").read_text())
    return {name: entry for name, entry in runs.items() if name != "machine"}


def full_runs(name: str) -> list[dict]:
    runs = measured()
    assert name in runs, f"{name} has not been benchmarked: run `python -m cnn_course benchmark {name[:2]}`"
    return runs[name]["full"]


def test_every_test_accuracy_is_measured_over_seeds():
    for name, entry in measured().items():
        if results.headline(entry["full"][:1]):
            assert sorted(run["seed"] for run in entry["full"]) == list(range(benchmark.SEEDS)), name


# The accuracies the course promises in full mode (the issues' targets): the median over seeds.
TARGET_ACCURACY = {"00_keras_tutorial": 0.90, "01_classic_networks": 0.97, "02_residual_networks": 0.95}


@pytest.mark.parametrize("name", list(TARGET_ACCURACY))
def test_full_mode_reaches_the_promised_accuracy(name):
    assert statistics.median(results.headline(full_runs(name))) >= TARGET_ACCURACY[name]


def test_full_mode_shows_the_degradation_problem():
    """Notebook 03, over its seeds: the deepest plain net's median loss is above the shallowest's, and
    every run of the deepest residual net ends below every run of its plain twin; the deepest residual
    net's median is no worse than the shallowest's."""
    # depth, median (low–high[, n seeds])
    losses, spread = {}, re.compile(r"(\d+) layers ([\d.]+) \(([\d.]+)–([\d.]+)(?:, \d+ seeds)?\)")
    for line in full_runs("03_why_resnets_work")[0]["results"]:
        if not line.startswith("final training loss, "):  # the paired comparisons: read by the test below
            continue
        kind, values = re.match(r"final training loss, (\w+): (.*)", line).groups()
        losses[kind] = {int(depth): tuple(map(float, figures)) for depth, *figures in spread.findall(values)}
    plain, residual = losses["plain"], losses["residual"]
    shallow, deep = min(plain), max(plain)
    assert plain[deep][0] > plain[shallow][0] and residual[deep][2] < plain[deep][1]
    assert residual[deep][0] <= residual[shallow][0]


def test_every_notebook_with_a_test_accuracy_quotes_the_benchmarks_spread():
    """A notebook runs one seed; beside its test accuracy it prints what the benchmark measured over seeds."""
    for name, entry in measured().items():
        if results.headline(entry["full"][:1]):
            notebook = nbformat.read(REPO_ROOT / "solutions" / f"{name}.ipynb", as_version=4)
            assert any(f'print(recorded("{name}"))' in cell.source for cell in notebook.cells), name


# The notebooks whose experiments meet the course's standard (CONVENTIONS section 3): what their records must show.
STANDARD_EXPERIMENTS = {"08_efficientnet": ["compound vs depth", "compound vs width", "compound vs resolution"],
                        "10_transfer_learning": [f"{n} per class: {pair}" for n in (5, 25, 151) for pair in (
                            "frozen base vs from scratch", "top blocks vs frozen base", "all layers vs top blocks",
                            "all layers vs frozen base", "all layers vs from scratch")],
                        "12_state_of_computer_vision": ["ensemble of 5 vs its mean member", "10-crop vs the image",
                                                        "2 views (and its mirror) vs the image"]}


@pytest.mark.parametrize("name", list(STANDARD_EXPERIMENTS))
def test_recorded_experiments_fit_pair_their_seeds_and_stay_off_the_ceiling(name):
    lines = results.comparisons(full_runs(name))
    fits = [line for line in lines if line.startswith("training accuracy by arm")]
    assert fits and all(line.endswith("above chance (0.167) on every seed") for line in fits), fits
    for comparison in STANDARD_EXPERIMENTS[name]:
        assert any(line.startswith(f"{comparison}, paired over 3 seeds: ") for line in lines), comparison
    highest = [float(figure) for line in full_runs(name)[0]["results"]
               for figure in re.findall(r"of any [\w ]+: ([\d.]+)", line)]
    assert all(figure <= 0.97 for figure in highest), highest
    assert len(highest) == (3 if name.startswith("12") else 0), highest  # 12: any run, single network, ensemble

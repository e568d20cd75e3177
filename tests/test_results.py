"""results: the JSON files in results/, the median-and-range type, and what notebooks quote of the benchmark."""

import json

import pytest

from cnn_course import config, results
from cnn_course.results import Spread


def test_spread_reads_median_lowest_highest_and_count():
    spread = Spread.of([0.933, 0.867, 0.925])
    assert (spread.median, spread.low, spread.high, spread.n) == (0.925, 0.867, 0.933, 3)
    assert f"{spread}" == "0.925 (0.867–0.933, 3 seeds)" == str(spread)
    assert format(Spread.of([0.1, -0.2]), "+.2f") == "-0.05 (-0.20–+0.10, 2 seeds)"
    assert format(Spread.of([0.5]), ".1f") == "0.5 (1 seed)"
    assert str(Spread.of([1, 2, 3, 4], unit="combination")) == "2.500 (1.000–4.000, 4 combinations)"
    with pytest.raises(ValueError, match="at least one"):
        Spread.of([])


def test_read_and_write_round_trip_under_results(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "FOLDER", tmp_path / "results")
    assert results.read("figures") == {}
    path = results.write("figures", {"a": [1, 2.5]})
    assert path == tmp_path / "results" / "figures.json" and path.read_text().endswith("]\n}\n")
    assert results.read("figures") == {"a": [1, 2.5]}


def _runs(*accuracies, seeds=None):
    return [{"seed": seed, "seconds": 1.0, "errors": [], "results": ["measured speed-up 3 x", f"test accuracy: {a}"]}
            for seed, a in zip(seeds or range(len(accuracies)), accuracies)]


def test_summary_reports_the_median_and_range_over_seeds():
    runs = _runs(0.95, 0.99, 0.97)
    assert results.headline(runs) == [0.95, 0.99, 0.97]
    assert results.summary(runs) == "measured speed-up 3 x; test accuracy: 0.970 (0.950–0.990, 3 seeds)"
    assert results.summary(runs[:1]) == "measured speed-up 3 x; test accuracy: 0.95"
    assert results.summary([{"seed": 0, "results": []}]) == "—"


def test_seeds_of_names_a_range_only_when_consecutive():
    assert results.seeds_of(_runs(0.9, 0.8, 0.7)) == "seeds 0–2"
    assert results.seeds_of(_runs(0.9, seeds=[4])) == "seed 4"
    assert results.seeds_of(_runs(0.9, 0.8, seeds=[3, 0])) == "seeds 0, 3"


@pytest.fixture
def benchmarked(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "FOLDER", tmp_path)
    runs = _runs(0.9, 0.8, 0.85)
    (tmp_path / "benchmarks.json").write_text(json.dumps({"machine": "m", "02_x": {"quick": runs[:1], "full": runs}}))


def test_recorded_is_one_line_labelled_as_the_benchmark_with_its_seeds(benchmarked):
    with config.mode(quick=False):
        assert results.recorded("02_x") == ("the course's benchmark, seeds 0–2 (full mode, on m): measured speed-up "
                                            "3 x; test accuracy: 0.850 (0.800–0.900, 3 seeds)")
    with config.mode(quick=True):
        assert results.recorded("02_x").endswith("-- your quick-mode run trains on less, so it does not compare")
    assert results.recorded("03_y") == "the course's benchmark has not measured 03_y in full mode yet"


def test_machine_description_names_cores_cpu_and_python():
    described = results.machine_description()
    assert "CPU cores (" in described and "oneDNN" in described and "Python 3." in described

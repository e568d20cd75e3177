"""experiments: seeds from the run's seed, a seeded from-scratch trainer, and paired comparisons that claim an
effect only when every seed agrees."""

import keras
import numpy as np
import pytest

from cnn_course import config, experiments
from cnn_course.models.baseline import SmallCNN


def test_seeds_start_from_the_runs_seed():
    with config.seeded(0):
        assert experiments.seeds(3) == [0, 1, 2]
    with config.seeded(5):
        assert experiments.seeds(2) == [5, 6] and experiments.seeds(0) == []


def test_eagerly_only_in_quick_mode_on_tensorflow():
    with config.mode(quick=True):
        assert experiments.eagerly() is (keras.backend.backend() == "tensorflow")
    with config.mode(quick=False):
        assert experiments.eagerly() is False


def test_per_class_subset_draws_the_same_count_of_each_class_reproducibly():
    y = np.repeat(np.arange(3), [10, 20, 30])
    chosen = experiments.per_class_subset(y, 4, seed=1)
    assert np.bincount(y[chosen]).tolist() == [4, 4, 4] and len(set(chosen)) == 12
    np.testing.assert_array_equal(chosen, experiments.per_class_subset(y, 4, seed=1))
    assert not np.array_equal(chosen, experiments.per_class_subset(y, 4, seed=2))
    np.testing.assert_array_equal(experiments.per_class_subset(y, None, seed=1), np.arange(60))


def test_epochs_for_gives_small_sets_enough_steps():
    assert experiments.epochs_for(60, minimum_epochs=5, minimum_steps=100) == 50  # 2 steps an epoch
    assert experiments.epochs_for(3200, minimum_epochs=5, minimum_steps=100) == 5


def test_training_copies_give_every_arm_the_same_steps_and_fresh_distortions_per_copy():
    x, y = np.arange(40 * 4 * 4 * 3, dtype="float32").reshape(40, 4, 4, 3), np.arange(40) % 4
    shift = lambda batch: batch + np.random.randint(1, 1000, size=(len(batch), 1, 1, 1))  # drawn from the seed
    plain, plain_y, copies = experiments.training_copies(None, x, y, seed=3, steps=10)
    assert copies == 5 and len(plain) == len(plain_y) == 200  # two steps of 32 an epoch -> 5 copies for 10 steps
    np.testing.assert_array_equal(plain[40:80], x)
    np.testing.assert_array_equal(plain_y, np.tile(y, 5))
    distorted, distorted_y, _ = experiments.training_copies(shift, x, y, seed=3, steps=10)
    np.testing.assert_array_equal(distorted_y, plain_y)
    assert not np.array_equal(distorted[:40], distorted[40:80])  # each copy a fresh draw
    np.testing.assert_array_equal(distorted, experiments.training_copies(shift, x, y, seed=3, steps=10)[0])


def _images(n=24):
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, (n, 16, 16, 3)).astype("float32"), np.arange(n) % 3


def test_from_scratch_is_reproducible_from_its_seed_and_sizes_a_small_cnn_to_the_data():
    x, y = _images()
    first, again, other = (experiments.from_scratch(x, y, seed, epochs=2, batch_size=8, validation_data=(x, y))
                           for seed in (1, 1, 2))
    assert first.input_shape == (None, 16, 16, 3) and first.output_shape == (None, 3)
    assert first.name == "small_cnn" and len(first.history.history["val_accuracy"]) == 2
    for mine, twin in zip(first.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(mine, twin)
    assert not np.allclose(first.get_weights()[0], other.get_weights()[0])
    assert int(first.optimizer.iterations) == 2 * 3  # the recipe: 2 epochs of 3 batches of 8


def test_from_scratch_trains_what_build_returns_with_the_recipe_and_as_eagerly_says():
    x, y = _images(16)
    build = lambda: SmallCNN(input_shape=(16, 16, 3), classes=4, widths=(4, 8), name="mine")
    with config.mode(quick=True):
        network = experiments.from_scratch(x, y, 0, epochs=1, build=build, augmentation=None, peak=0.01)
    assert network.name == "mine" and network.output_shape == (None, 4)
    assert network.run_eagerly == (keras.backend.backend() == "tensorflow")  # quick mode's steps, see eagerly()
    assert isinstance(network.optimizer, keras.optimizers.Adam)
    assert {layer.momentum for layer in network.layers if isinstance(layer, keras.layers.BatchNormalization)} == {0.9}


def test_seed_table_writes_each_cell_as_median_range_and_count():
    table = experiments.seed_table({"a": {10: [0.5, 0.7, 0.6]}, "bb": {10: [0.2, 0.4, 0.3]}}, "accuracy").splitlines()
    assert table[0] == "accuracy" and table[1].split() == ["10"]
    assert table[2] == "a     0.600 (0.500–0.700, 3 seeds)"  # labels padded to the longest + 2, cells right-aligned
    assert table[3] == "bb    0.300 (0.200–0.400, 3 seeds)"
    combinations = experiments.seed_table({"k": {1: [0.5, 0.6]}}, "", unit="combination").splitlines()
    assert combinations[2].split()[-1] == "combinations)"


def test_paired_claims_an_effect_only_when_every_seed_agrees():
    better = experiments.paired("frozen", [0.9, 0.8, 0.95], "scratch", [0.5, 0.7, 0.6])
    assert better.differences == pytest.approx((0.4, 0.1, 0.35)) and better.spread.median == pytest.approx(0.35)
    assert better.sentence() == ("frozen vs scratch, paired over 3 seeds: validation accuracy higher on every seed, "
                                 "by +0.350 (+0.100–+0.400, 3 seeds); per seed +0.400, +0.100, +0.350")
    worse = experiments.paired("deep", [2.0, 3.0, 2.5], "shallow", [1.0, 1.0, 1.0], what="final training loss")
    assert worse.sentence().startswith("deep vs shallow, paired over 3 seeds: final training loss higher on every "
                                       "seed, by +1.500")
    mixed = experiments.paired("a", [0.6, 0.5, 0.7], "b", [0.5, 0.6, 0.7])
    assert mixed.sentence() == ("a vs b, paired over 3 seeds: no measurable effect at this scale on validation "
                                "accuracy -- higher on 1, lower on 1 of 3 seeds, difference +0.000 (-0.100–+0.100, "
                                "3 seeds); per seed +0.100, -0.100, +0.000")
    lower = experiments.paired("a", [0.1, 0.2, 0.3], "b", [0.2, 0.3, 0.4])
    assert "lower on every seed, by -0.100" in lower.sentence()
    assert better.verdict() == "validation accuracy higher on every seed, by +0.350 (+0.100–+0.400, 3 seeds)"


def test_paired_needs_enough_seeds_and_runs_that_pair():
    one = experiments.paired("a", [0.9], "b", [0.5])
    assert one.sentence() == ("a vs b, paired over 1 seed: validation accuracy difference +0.400 (1 seed) -- 1 seed "
                              "cannot show an effect (it takes at least 3 that agree)")
    assert "higher on every seed" in experiments.paired("a", [2, 3], "b", [1, 1]).sentence(min_seeds=2)
    with pytest.raises(ValueError, match="seed by seed"):
        experiments.paired("a", [0.9, 0.8], "b", [0.5])


def test_paired_sentences_are_the_lines_the_benchmark_records():
    from cnn_course.notebooks.benchmark import RESULT_LINE

    sentences = [experiments.paired("a", [0.9], "b", [0.5]).sentence(),
                 "20 per class: " + experiments.paired("a", [0.9, 0.8, 0.7], "b", [0.5, 0.9, 0.1]).sentence(),
                 experiments.training_fit({"a": [0.9]}, classes=6)]
    assert RESULT_LINE.findall("\n".join(["loading ...", *sentences, "a vs b without seeds"])) == sentences


def test_training_fit_names_an_arm_that_does_not_fit():
    with config.mode(quick=False):
        fits = experiments.training_fit({"baseline": [0.9, 0.8, 0.95], "deep": [0.2, 0.9, 0.9]}, classes=6)
    assert fits == ("training accuracy by arm: baseline 0.900 (0.800–0.950, 3 seeds), deep 0.900 (0.200–0.900, "
                    "3 seeds); deep within 0.1 of chance (0.167) on some seed: a recipe to mend, not a result")
    assert experiments.training_fit({"a": [0.5]}, classes=6).endswith("every arm fits above chance (0.167) on every "
                                                                      "seed")
    with config.mode(quick=True):
        assert experiments.training_fit({"a": [0.2]}, classes=6).endswith("expected of quick mode's few steps")


def test_compared_reads_unpaired_runs_by_their_ranges():
    assert experiments.compared([0.5, 0.7, 0.6], [0.2, 0.4, 0.3]) == "+0.300 (ranges apart)"
    assert experiments.compared([0.5, 0.6, 0.7], [0.55, 0.9, 0.6]) == "+0.000 (ranges overlap)"
    assert experiments.compared([0.9, 0.8], [0.1, 0.2, 0.3]) == ("+0.650 (too few runs to compare: it takes at "
                                                                  "least 3 on each side)")



def test_closest_in_cost_finds_the_option_nearest_the_budget_by_bisection():
    calls = []

    def cost(option):
        calls.append(option)
        return option ** 2

    options = list(range(1, 101))
    assert experiments.closest_in_cost(options, cost, 50) == 7  # 49 is nearer 50 than 64
    assert experiments.closest_in_cost(options, cost, 60) == 8
    assert experiments.closest_in_cost(options, cost, 0) == 1 and experiments.closest_in_cost(options, cost, 1e9) == 100
    calls.clear()
    experiments.closest_in_cost(options, cost, 2000)
    assert len(calls) <= 10  # log2(100) halvings and the two ends, not 100 calls

"""The lectures' cost numbers come out of cnn_course.costs exactly."""

import keras
import numpy as np
import pytest
from keras import layers

from cnn_course import costs
from cnn_course.models.baseline import SmallCNN


def called(layer, input_shape):
    """A layer called on a keras.Input of the given shape (so its shapes are known)."""
    layer(keras.Input(input_shape))
    return layer


def test_five_by_five_same_conv_on_28x28x192_costs_120_million():
    conv = called(layers.Conv2D(32, 5, padding="same"), (28, 28, 192))
    assert costs.count_multiplies(conv) == 120_422_400


def test_bottleneck_costs_12_4_million():
    inputs = keras.Input((28, 28, 192))
    x = layers.Conv2D(16, 1)(inputs)
    outputs = layers.Conv2D(32, 5, padding="same")(x)
    model = keras.Model(inputs, outputs)
    assert costs.count_multiplies(model) == 12_443_648
    assert [costs.count_multiplies(layer) for layer in model.layers[1:]] == [2_408_448, 10_035_200]


@pytest.mark.parametrize("api", ["functional", "sequential"])
def test_a_nested_model_built_for_any_image_size_is_counted_at_the_size_it_is_called_on(api):
    """The bottleneck written as a model for any image size (as a learner's block, or keras.applications' base with
    input_shape=None), called on 28 x 28 x 192: its layers' own shapes leave the positions unknown. Called in
    another model on 14 x 14 x 192 too, each model counts it at its own size."""
    if api == "functional":
        inputs = keras.Input((None, None, 192))
        bottleneck = keras.Model(inputs, layers.Conv2D(32, 5, padding="same")(layers.Conv2D(16, 1)(inputs)))
    else:
        bottleneck = keras.Sequential([keras.Input((None, None, 192)), layers.Conv2D(16, 1),
                                       layers.Conv2D(32, 5, padding="same")])
    x, half = keras.Input((28, 28, 192)), keras.Input((14, 14, 192))
    model, smaller = keras.Model(x, bottleneck(x)), keras.Model(half, bottleneck(half))
    assert costs.count_multiplies(model) == 12_443_648 and costs.count_multiplies(smaller) == 12_443_648 // 4


def test_depthwise_separable_example_2160_vs_672():
    normal = called(layers.Conv2D(5, 3), (6, 6, 3))
    depthwise = called(layers.DepthwiseConv2D(3), (6, 6, 3))
    pointwise = called(layers.Conv2D(5, 1), (4, 4, 3))
    separable = called(layers.SeparableConv2D(5, 3), (6, 6, 3))
    assert costs.count_multiplies(normal) == 2160
    assert costs.count_multiplies(depthwise) == 432
    assert costs.count_multiplies(pointwise) == 240
    assert costs.count_multiplies(separable) == 672


def test_input_shape_argument_for_an_uncalled_layer():
    assert costs.count_multiplies(layers.Conv2D(32, 5, padding="same"), input_shape=(28, 28, 192)) == 120_422_400


@pytest.mark.parametrize("layer, input_shape, expected", [
    (layers.Conv2D(8, 3, strides=2), (9, 9, 4), 4 * 4 * 8 * 9 * 4),          # stride, valid padding
    (layers.Conv2D(8, 3, strides=2, padding="same"), (9, 9, 4), 5 * 5 * 8 * 9 * 4),
    (layers.Conv2D(8, 3, groups=2), (5, 5, 4), 3 * 3 * 8 * 9 * 2),           # each group sees 2 channels
    (layers.Conv2D(6, (1, 3)), (4, 5, 2), 4 * 3 * 6 * 3 * 2),               # non-square kernel
    (layers.DepthwiseConv2D(3, depth_multiplier=2), (5, 5, 3), 3 * 3 * 6 * 9),
    (layers.Dense(10), (20,), 200),
    (layers.Dense(10), (7, 20), 7 * 200),                                   # Dense on every position
    (layers.Conv1D(4, 3), (10, 2), 8 * 4 * 3 * 2),
    (layers.MaxPooling2D(2), (8, 8, 3), 0),
    (layers.BatchNormalization(), (8, 8, 3), 0),
])
def test_multiplies_of_layer_kinds(layer, input_shape, expected):
    assert costs.count_multiplies(called(layer, input_shape)) == expected


def test_unknown_weighted_layer_is_not_counted_as_free():
    with pytest.raises(NotImplementedError, match="Conv2DTranspose"):
        costs.count_multiplies(called(layers.Conv2DTranspose(4, 3), (5, 5, 2)))


def test_uncalled_layer_without_shape_gives_a_clear_error():
    with pytest.raises(ValueError, match="input_shape"):
        costs.count_multiplies(layers.Conv2D(4, 3))


@pytest.mark.parametrize("build", [
    lambda: SmallCNN(),
    lambda: keras.applications.MobileNetV2(weights=None, input_shape=(96, 96, 3)),
])
def test_count_params_agrees_with_keras(build):
    model = build()
    assert costs.count_params(model) == model.count_params()


def test_volume_table_of_a_branching_model():
    inputs = keras.Input((8, 8, 3))
    a = layers.Conv2D(4, 1, name="a")(inputs)
    b = layers.Conv2D(6, 3, padding="same", name="b")(inputs)
    joined = layers.Concatenate(name="join")([a, b])
    added = layers.Add(name="add")([joined, layers.Conv2D(10, 1, name="c")(joined)])
    table = costs.volume_table(keras.Model(inputs, added))
    rows = {row.name: row for row in table}
    assert rows["join"].shape == (8, 8, 10) and rows["join"].multiplies == 0 and rows["add"].multiplies == 0
    assert table.total_multiplies == 64 * (4 * 3 + 6 * 27 + 10 * 10)


def test_volume_table_rows_and_totals():
    model = SmallCNN()
    table = costs.volume_table(model)
    assert table[0].kind == "Input" and table[0].shape == (64, 64, 3) and table[0].activations == 64 * 64 * 3
    shapes = {row.name: row.shape for row in table}
    assert shapes["pool1"] == (32, 32, 16) and shapes["pool4"] == (4, 4, 128)
    assert table.total_params == model.count_params()
    assert table.total_multiplies == costs.count_multiplies(model)
    conv1 = next(row for row in table if row.name == "conv1")
    assert conv1.multiplies == 64 * 64 * 16 * 3 * 3 * 3 and conv1.params == 3 * 3 * 3 * 16
    text = str(table)
    assert "conv1" in text and f"{model.count_params():,}" in text.splitlines()[-1]


def test_volume_table_grouped_walks_resnet50_stage_by_stage():
    from cnn_course.models import ResNet50

    model = ResNet50(input_shape=(64, 64, 3), classes=6)
    table = costs.volume_table(model)
    stages = table.grouped(lambda name: name.split("_block")[0])
    assert [row.name for row in stages][-6:] == ["conv2", "conv3", "conv4", "conv5", "avg_pool", "predictions"]
    assert [row.shape for row in stages][-6:-2] == [(16, 16, 256), (8, 8, 512), (4, 4, 1024), (2, 2, 2048)]
    assert stages[1].name == "conv1_pad" and len(stages) == len(model.inputs) + 6 + 6
    assert stages.total_params == table.total_params == model.count_params()
    assert stages.total_multiplies == table.total_multiplies


def test_volume_table_grouped_gathers_interleaved_layers():
    """Keras lists GoogLeNet's side-branch layers among module 5b's: each still gets one row."""
    from cnn_course.models import GoogLeNet

    def module(name):
        return name.split("_")[0] if name.startswith("aux") else "_".join(name.split("_")[:2])

    table = costs.volume_table(GoogLeNet(input_shape=(64, 64, 3), classes=6, aux_classifiers=True, width=0.25))
    groups = table.grouped(module)
    names = [row.name for row in groups]
    assert len(names) == len(set(names)) and names.index("inception_5b") < names.index("aux1") < names.index("aux2")
    assert groups.total_params == table.total_params and groups.total_multiplies == table.total_multiplies
    assert [row.kind for row in groups if row.name in ("inception_5b", "aux1")] == ["8 layers", "6 layers"]


def test_forward_seconds_is_the_median_of_timed_runs_after_a_warm_up():
    import time

    calls = []

    def slow_model(batch):  # the warm-up call is slow (compiling), the timed ones take 20 ms
        time.sleep(0.3 if not calls else 0.02)
        calls.append(batch.shape)
        return batch

    seconds = costs.forward_seconds(slow_model, np.zeros((4, 3), "float32"), repeats=5)
    assert len(calls) == 6 and calls[0] == (4, 3)
    assert 0.02 <= seconds < 0.1


def _tiny_fit():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    return model, (rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, size=32))


def test_epoch_seconds_times_each_epoch_after_the_first():
    model, (x, y) = _tiny_fit()
    seconds = costs.epoch_seconds(model, x, y, epochs=2, batch_size=8)
    assert len(seconds) == 2 and all(0 < s < 10 for s in seconds)
    assert int(model.optimizer.iterations) == 3 * 4  # the uncounted first epoch trained too


def test_stopwatch_times_every_step_and_every_epoch():
    model, (x, y) = _tiny_fit()
    stopwatch = costs.Stopwatch()
    model.fit(x, y, epochs=2, batch_size=8, callbacks=[stopwatch], verbose=0)
    assert len(stopwatch.steps) == 2 * 4 and len(stopwatch.epochs) == 2
    assert all(0 < s < 10 for s in stopwatch.steps) and sum(stopwatch.epochs) >= sum(stopwatch.steps)

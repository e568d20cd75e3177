"""SmallCNN, the course's baseline, and the two variants notebooks 07 and 08 train: residual and separable."""

import keras
import numpy as np
import pytest

from cnn_course import costs
from cnn_course.models.baseline import SmallCNN


def test_the_plain_baseline_is_sequential_and_ends_at_4x4x128():
    model = SmallCNN()
    assert isinstance(model, keras.Sequential) and model.output_shape == (None, 6)
    assert model.get_layer("flatten").input.shape[1:] == (4, 4, 128)


def test_residual_adds_each_layer_of_a_stage_but_the_first_to_its_input_starting_switched_off():
    model = SmallCNN((32, 32, 3), classes=4, widths=(8, 16), depth=3, residual=True)
    adds = [layer for layer in model.layers if isinstance(layer, keras.layers.Add)]
    assert [layer.name for layer in adds] == ["add1_2", "add1_3", "add2_2", "add2_3"]
    assert all(not np.asarray(model.get_layer(f"bn{i}_{j}").gamma).any() for i in (1, 2) for j in (2, 3))
    assert np.asarray(model.get_layer("bn2_1").gamma).all()  # the first layer of a stage changes the width
    x = np.random.default_rng(0).uniform(0, 255, size=(2, 32, 32, 3)).astype("float32")
    plain = SmallCNN((32, 32, 3), classes=4, widths=(8, 16), depth=1)
    assert model.count_params() > plain.count_params() and model(x).shape == (2, 4)


def test_separable_keeps_the_first_convolution_full_and_splits_the_others():
    standard = SmallCNN((16, 16, 3), classes=3, widths=(8, 16))
    separable = SmallCNN((16, 16, 3), classes=3, widths=(8, 16), separable=True)
    assert separable.get_layer("conv1").kernel_size == (3, 3)
    assert separable.get_layer("dw2").kernel_size == (3, 3) and separable.get_layer("conv2").kernel_size == (1, 1)
    # conv2's 3x3x8x16 weights become a 3x3 filter per input channel and a 1x1x8x16 convolution
    assert standard.get_layer("conv2").count_params() == 3 * 3 * 8 * 16
    assert separable.get_layer("dw2").count_params() + separable.get_layer("conv2").count_params() == 9 * 8 + 8 * 16
    split = sum(costs.count_multiplies(separable.get_layer(name)) for name in ("dw2", "conv2"))
    assert split / costs.count_multiplies(standard.get_layer("conv2")) == pytest.approx(1 / 16 + 1 / 9)  # 1/nc' + 1/f²


def test_residual_and_separable_together_are_refused_rather_than_one_ignored():
    with pytest.raises(ValueError, match="not both"):
        SmallCNN(residual=True, separable=True)

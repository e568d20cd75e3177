"""EfficientNet: the MBConv block, compound scaling's rounding, counts, keras.applications equivalence."""

import keras
import pytest
from applications import assert_computes_like

from cnn_course import blocks, models
from cnn_course.models.efficientnet import round_filters, round_repeats


@pytest.mark.parametrize("filters, stride, adds", [(16, 1, True), (24, 1, False), (16, 2, False)])
def test_mbconv_block_squeezes_and_excites_then_adds_when_shapes_match(filters, stride, adds):
    inputs = keras.Input((8, 8, 16))
    model = keras.Model(inputs, blocks.mbconv_block(inputs, filters, 5, stride, expansion=6, name="b_"))
    names = [layer.name for layer in model.layers]
    assert tuple(model.output_shape[1:]) == (8 // stride, 8 // stride, filters) and ("b_add" in names) == adds
    assert tuple(model.get_layer("b_se_reduce").kernel.shape) == (1, 1, 96, 4)  # 0.25 x the 16 input channels
    assert tuple(model.get_layer("b_dwconv").kernel.shape) == (5, 5, 96, 1)


def test_rounding_of_filters_and_repeats():
    assert [round_filters(f, 1.1) for f in (32, 16, 24, 40, 1280)] == [32, 16, 24, 48, 1408]
    assert [round_repeats(r, 3.1) for r in (1, 2, 3, 4)] == [4, 7, 10, 13]


@pytest.mark.parametrize("variant, params", [(0, 5_330_571), (1, 7_856_239), (2, 9_177_569), (3, 12_320_535),
                                             (4, 19_466_823), (5, 30_562_527), (6, 43_265_143), (7, 66_658_687)])
def test_parameter_counts_equal_keras_applications(variant, params):
    assert getattr(models, f"EfficientNetB{variant}")().count_params() == params


def _same_outputs(ours, theirs, input_shape):
    """Weighted layers match by name (but for the Normalization layer, which keras.applications leaves
    unnamed), and the two compute the same function on images of 0-255 pixels."""
    names = [[layer.name for layer in model.layers if layer.weights][1:] for model in (ours, theirs)]
    assert names[0] == names[1]
    assert_computes_like(ours, theirs, input_shape, low=0, high=255)


def test_b0_equals_keras_applications_with_its_top():
    _same_outputs(models.EfficientNetB0(), keras.applications.EfficientNetB0(weights=None), (224, 224, 3))


def test_scaled_network_without_top_equals_keras_applications():
    """B2's width and depth, on an odd input size."""
    shape = (65, 65, 3)
    _same_outputs(models.EfficientNetB2(include_top=False, input_shape=shape),
                  keras.applications.EfficientNetB2(include_top=False, weights=None, input_shape=shape), shape)

"""EfficientNet: the MBConv block, compound scaling's rounding, counts, keras.applications equivalence."""

import keras
import numpy as np
import pytest
from applications import assert_computes_like

from cnn_course import blocks, models
from cnn_course.fixtures import fixed_inputs, randomize_weights, relative_difference
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


# B0 on every backend; B1-B7 (300-800 layers each, slow to build under JAX) are the same code with other numbers
SCALED = [(1, 7_856_239), (2, 9_177_569), (3, 12_320_535), (4, 19_466_823), (5, 30_562_527), (6, 43_265_143),
          (7, 66_658_687)]


@pytest.mark.parametrize("variant, params", [(0, 5_330_571),
                                             *(pytest.param(*row, marks=pytest.mark.one_backend) for row in SCALED)])
def test_parameter_counts_equal_keras_applications(variant, params):
    assert getattr(models, f"EfficientNetB{variant}")().count_params() == params


def _initializers(layer) -> dict:
    return {name: keras.initializers.serialize(getattr(layer, name))
            for name in ("kernel_initializer", "depthwise_initializer", "bias_initializer") if hasattr(layer, name)}


def _same_outputs(ours, theirs, input_shape):
    """Weighted layers match by name (but for the Normalization layer, which keras.applications leaves
    unnamed) and by initial weights' distribution, and the two compute the same function on images of 0-255
    pixels."""
    weighted = [[layer for layer in model.layers if layer.weights][1:] for model in (ours, theirs)]
    assert [layer.name for layer in weighted[0]] == [layer.name for layer in weighted[1]]
    assert [_initializers(layer) for layer in weighted[0]] == [_initializers(layer) for layer in weighted[1]]
    assert_computes_like(ours, theirs, input_shape, low=0, high=255)


def test_b0_equals_keras_applications_with_its_top():
    _same_outputs(models.EfficientNetB0(), keras.applications.EfficientNetB0(weights=None), (224, 224, 3))


def test_scaled_network_without_top_equals_keras_applications():
    """B2's width and depth, on an odd input size."""
    shape = (65, 65, 3)
    _same_outputs(models.EfficientNetB2(include_top=False, input_shape=shape),
                  keras.applications.EfficientNetB2(include_top=False, weights=None, input_shape=shape), shape)


@pytest.mark.parametrize("size", [8, 9])
def test_mbconv_same_padding_equals_keras_applications_explicit_padding(size):
    """Without the ZeroPadding2D layer, a stride-2 "same" depthwise convolution pads the same rows and
    columns (none before and one after on an even map, one on each side on an odd one, for 3x3)."""
    inputs = keras.Input((size, size, 8))
    explicit, same = (keras.Model(inputs, blocks.mbconv_block(inputs, 16, 5, 2, expansion=2, explicit_padding=pad))
                      for pad in (True, False))
    assert sum(isinstance(layer, keras.layers.ZeroPadding2D) for layer in same.layers) == 0
    randomize_weights(explicit, seed=4)
    same.set_weights(explicit.get_weights())
    images = fixed_inputs((2, size, size, 8), low=-1, high=1)
    assert relative_difference(same(images), explicit(images)) <= 1e-5


def test_lite0_has_the_checkpoints_trainable_parameter_count_and_shapes():
    model = models.EfficientNetLite0()
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 4_652_008
    assert tuple(model.input_shape) == (None, 224, 224, 3) and tuple(model.output_shape) == (None, 1000)
    assert tuple(model.get_layer("stem_activation").output.shape) == (None, 112, 112, 32)
    assert tuple(model.get_layer("top_activation").output.shape) == (None, 7, 7, 1280)
    assert model.get_layer("top_dropout").rate == 0.2 and model.layers[-1].name == "predictions"
    assert model.name == "efficientnetlite0"


def test_lite0_is_b0s_table_without_se_with_relu6_same_padding_and_no_input_scaling():
    shape = (32, 32, 3)
    lite, b0 = models.EfficientNetLite0(input_shape=shape), models.EfficientNetB0(input_shape=shape)
    kinds = {type(layer) for layer in lite.layers}
    assert not kinds & {keras.layers.ZeroPadding2D, keras.layers.Rescaling, keras.layers.Normalization,
                        keras.layers.Multiply, keras.layers.Reshape}
    assert not [layer.name for layer in lite.layers if "se_" in layer.name]
    activations = [layer for layer in lite.layers if isinstance(layer, keras.layers.Activation)]
    assert len(activations) == 2 + 16 + 15 and {layer.activation.__name__ for layer in activations} == {"relu6"}
    convolutions = [layer for layer in lite.layers
                    if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D))]
    assert all(layer.padding == "same" and layer.activation.__name__ == "linear" for layer in convolutions)
    assert all((layer.epsilon, layer.momentum) == (1e-3, 0.99)
               for layer in lite.layers if isinstance(layer, keras.layers.BatchNormalization))
    # B0's layers with weights but for squeeze-and-excitation and the input normalization, same names and shapes
    kept = [(w.path, tuple(w.shape)) for layer in b0.layers if "se_" not in layer.name
            and not isinstance(layer, keras.layers.Normalization) for w in layer.weights]
    assert [(w.path, tuple(w.shape)) for w in lite.weights] == kept

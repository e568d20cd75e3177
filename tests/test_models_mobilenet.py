"""MobileNet's blocks and builders: shapes, the residual rule, counts, keras.applications equivalence."""

import keras
import pytest
from applications import assert_computes_like
from keras import layers

from cnn_course import blocks
from cnn_course.models import MobileNet, MobileNetV2
from cnn_course.models.mobilenet import make_divisible


def _block(block, input_shape, *args, **kwargs):
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, block(inputs, *args, **kwargs))


@pytest.mark.parametrize("stride, output_shape", [(1, (8, 8, 32)), (2, (4, 4, 32))])
def test_depthwise_separable_conv_is_depthwise_then_pointwise(stride, output_shape):
    model = _block(blocks.depthwise_separable_conv, (8, 8, 16), 32, stride)
    assert tuple(model.output_shape[1:]) == output_shape
    depthwise, pointwise = (layer for layer in model.layers if layer.weights and "batch" not in layer.name)
    assert isinstance(depthwise, layers.DepthwiseConv2D) and tuple(depthwise.kernel.shape) == (3, 3, 16, 1)
    assert isinstance(pointwise, layers.Conv2D) and tuple(pointwise.kernel.shape) == (1, 1, 16, 32)
    assert [layer.max_value for layer in model.layers if isinstance(layer, layers.ReLU)] == [6.0, 6.0]
    assert not any(getattr(layer, "use_bias", False) for layer in model.layers)


@pytest.mark.parametrize("input_shape, filters, stride, expansion, adds, expands", [
    ((8, 8, 16), 16, 1, 6, True, True),    # same shape: the input is added
    ((8, 8, 16), 24, 1, 6, False, True),   # more channels: no shortcut
    ((8, 8, 16), 16, 2, 6, False, True),   # stride 2: no shortcut
    ((7, 7, 16), 16, 1, 1, True, False),   # expansion 1: no expansion layer
])
def test_inverted_residual_block_expands_filters_projects_and_adds_only_when_shapes_match(
        input_shape, filters, stride, expansion, adds, expands):
    model = _block(blocks.inverted_residual_block, input_shape, filters, stride, expansion, name="b")
    size = -(-input_shape[0] // stride)
    assert tuple(model.output_shape[1:]) == (size, size, filters)
    names = [layer.name for layer in model.layers]
    assert ("b_add" in names) == adds and ("b_expand" in names) == expands
    assert model.get_layer("b_depthwise").kernel.shape[2] == expansion * input_shape[-1]
    assert names[-1] in ("b_add", "b_project_BN")  # the projection is linear: no ReLU after it


def test_make_divisible_rounds_to_multiples_of_8_never_10_percent_down():
    assert [make_divisible(v) for v in (32, 35.2, 16 * 0.35, 1280 * 1.4, 20)] == [32, 32, 8, 1792, 24]


@pytest.mark.parametrize("build, params", [(MobileNet, 4_253_864), (MobileNetV2, 3_538_984)])
def test_parameter_counts_at_the_defaults(build, params):
    assert build().count_params() == params


@pytest.mark.parametrize("build, theirs, kwargs, input_shape", [
    (MobileNet, keras.applications.MobileNet, {"dropout": 0.0}, (224, 224, 3)),
    (MobileNet, keras.applications.MobileNet, {"include_top": False, "alpha": 0.5}, (64, 64, 3)),
    (MobileNetV2, keras.applications.MobileNetV2, {"classes": 7, "input_shape": (96, 96, 3)}, (96, 96, 3)),
    (MobileNetV2, keras.applications.MobileNetV2, {"include_top": False, "alpha": 1.4}, (65, 65, 3)),
], ids=["v1-top", "v1-no-top-half-width", "v2-top-96", "v2-no-top-wide-odd"])
def test_equals_keras_applications(build, theirs, kwargs, input_shape):
    """Same layers with weights, same weight shapes, and with keras.applications' weights the same outputs."""
    kwargs = {"input_shape": input_shape, **kwargs}
    ours, theirs = build(**kwargs), theirs(weights=None, **kwargs)
    with_weights = [[layer.name for layer in model.layers if layer.weights] for model in (ours, theirs)]
    assert with_weights[0] == with_weights[1]
    assert_computes_like(ours, theirs, input_shape)


def test_inverted_residual_block_without_linear_bottleneck_adds_a_relu6_before_the_add():
    model = _block(blocks.inverted_residual_block, (8, 8, 16), 16, 1, 6, name="b", linear=False)
    relu = model.get_layer("b_project_relu")
    assert isinstance(relu, layers.ReLU) and relu.max_value == 6.0
    assert relu.input is model.get_layer("b_project_BN").output
    assert any(tensor is relu.output for tensor in model.get_layer("b_add").input)


def test_mobilenet_v2_linear_bottleneck_switch_for_the_ablation():
    """Sandler et al. section 6.2: the same network and parameters, with a ReLU6 after each of the 17
    projections when the bottleneck is not linear; the default has none (keras.applications' layers)."""
    shape = (32, 32, 3)
    linear, relu = MobileNetV2(input_shape=shape), MobileNetV2(input_shape=shape, linear_bottleneck=False)
    assert relu.count_params() == linear.count_params()
    projections = [layer.name.removesuffix("_project") for layer in relu.layers if layer.name.endswith("_project")]
    assert len(projections) == 17
    assert [layer.name for layer in relu.layers if layer.name.endswith("_project_relu")] == \
        [f"{name}_project_relu" for name in projections]
    assert all(relu.get_layer(f"{name}_project_relu").max_value == 6.0 for name in projections)
    assert not [layer for layer in linear.layers if layer.name.endswith("_project_relu")]

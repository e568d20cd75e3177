"""The Inception module and GoogLeNet against the paper's Table 1."""

import keras
import numpy as np
import pytest

from cnn_course import costs
from cnn_course.blocks import inception_module
from cnn_course.graph import producer_name
from cnn_course.models import GoogLeNet
from cnn_course.models.inception import AUX_LOSS_WEIGHT, GOOGLENET_MODULES


def module_3a():
    inputs = keras.Input((28, 28, 192))
    return keras.Model(inputs, inception_module(inputs, (64, 96, 128, 16, 32, 32), name="inception_3a"))


def test_module_3a_shape_and_parameters():
    model = module_3a()
    assert model.output_shape == (None, 28, 28, 256)
    assert model.count_params() == 163_696


def test_module_branches_are_concatenated_in_table_order():
    model = module_3a()
    concat = model.get_layer("inception_3a_output")
    assert [producer_name(t) for t in concat.input] == [
        "inception_3a_1x1", "inception_3a_3x3", "inception_3a_5x5", "inception_3a_pool_proj"]
    assert model.get_layer("inception_3a_5x5").kernel.shape == (5, 5, 16, 32)
    assert model.get_layer("inception_3a_pool").strides == (1, 1)


def test_module_outputs_are_the_branches_side_by_side():
    model = module_3a()
    x = np.random.default_rng(0).uniform(0, 1, (1, 28, 28, 192)).astype("float32")
    out = np.asarray(model(x))
    one_by_one = keras.Model(model.input, model.get_layer("inception_3a_1x1").output)
    np.testing.assert_allclose(out[..., :64], np.asarray(one_by_one(x)), atol=1e-6)
    assert (out >= 0).all()  # every branch ends in a ReLU


def test_googlenet_parameters_as_in_the_paper():
    assert GoogLeNet().count_params() == 6_998_552
    with_aux = GoogLeNet(aux_classifiers=True)
    assert with_aux.count_params() == 13_378_280
    assert [o.shape for o in with_aux.outputs] == [(None, 1000)] * 3
    assert AUX_LOSS_WEIGHT == 0.3


def test_googlenet_volume_walk_follows_table_1():
    model = GoogLeNet()
    shapes = {row.name: row.shape for row in costs.volume_table(model)}
    assert shapes["conv1_7x7_s2"] == (112, 112, 64) and shapes["pool2_3x3_s2"] == (28, 28, 192)
    expected = {"3a": 256, "3b": 480, "4a": 512, "4b": 512, "4c": 512, "4d": 528, "4e": 832, "5a": 832, "5b": 1024}
    assert [row.name for row in GOOGLENET_MODULES] == list(expected)
    for row in GOOGLENET_MODULES:
        size = {"3": 28, "4": 14, "5": 7}[row.name[0]]
        assert shapes[f"inception_{row.name}_output"] == (size, size, expected[row.name]), row.name
    assert [row.pool_before for row in GOOGLENET_MODULES if row.pool_before] == ["pool3", "pool4"]
    assert shapes["avg_pool"] == (1024,)


def test_narrow_googlenet_on_fingers_with_side_branches():
    model = GoogLeNet(input_shape=(64, 64, 3), classes=6, aux_classifiers=True, width=0.25)
    assert [o.shape for o in model.outputs] == [(None, 6)] * 3
    assert model.get_layer("aux1_pool").output.shape[1:3] == (4, 4)  # pooled to 4x4 as on 14x14 maps
    assert model.get_layer("inception_3a_output").output.shape[-1] == 64  # 256 / 4
    with pytest.raises(ValueError, match="4x4 or larger"):
        GoogLeNet(input_shape=(32, 32, 3), classes=6, aux_classifiers=True)


def test_bottleneck_layer_is_the_lectures_cheap_5x5():
    from cnn_course.blocks import bottleneck_layer

    inputs = keras.Input((28, 28, 192))
    model = keras.Model(inputs, bottleneck_layer(inputs, 16, 32, 5, name="b"))
    assert model.output_shape == (None, 28, 28, 32)
    assert [costs.count_multiplies(model.get_layer(n)) for n in ("b_reduce", "b")] == [2_408_448, 10_035_200]


def test_mlpconv_is_a_convolution_and_two_1x1_layers():
    from cnn_course.blocks import mlpconv

    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, mlpconv(inputs, 16, 5, strides=2, name="m"))
    assert model.output_shape == (None, 16, 16, 16)
    assert [model.get_layer(f"m_{n}").kernel.shape for n in ("conv", "mlp1", "mlp2")] == [
        (5, 5, 3, 16), (1, 1, 16, 16), (1, 1, 16, 16)]
    assert model.count_params() == (5 * 5 * 3 + 1) * 16 + 2 * (16 + 1) * 16

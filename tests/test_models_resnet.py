"""Residual blocks and ResNet-50: shapes, the identity property, counts, keras.applications equivalence."""


import keras
import numpy as np
import pytest
from applications import assert_computes_like

from cnn_course.blocks import convolutional_block, identity_block, residual_block
from cnn_course.fixtures import fixed_inputs, randomize_weights
from cnn_course.models import CifarResNet, ResNet50


def block_model(block, input_shape, *args, **kwargs):
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, block(inputs, *args, **kwargs))


@pytest.mark.parametrize("block, args, input_shape, output_shape", [
    (identity_block, (3, (4, 4, 8)), (8, 8, 8), (8, 8, 8)),
    (convolutional_block, (3, (4, 4, 16)), (8, 8, 8), (4, 4, 16)),
    (convolutional_block, (3, (4, 4, 16)), (9, 9, 8), (5, 5, 16)),
    (lambda x, *a, **k: convolutional_block(x, *a, s=1, **k), (3, (2, 2, 8)), (6, 6, 3), (6, 6, 8)),
    (residual_block, (8,), (6, 6, 8), (6, 6, 8)),
    (lambda x, *a, **k: residual_block(x, *a, s=2, **k), (16,), (6, 6, 8), (3, 3, 16)),
])
def test_block_shapes(block, args, input_shape, output_shape):
    assert tuple(block_model(block, input_shape, *args).output_shape[1:]) == output_shape


def test_identity_block_is_the_identity_when_its_last_batch_norm_outputs_zero():
    """gamma = beta = 0 in the last BN makes the main path output 0: a[l+2] = g(0 + a[l]) = a[l] for a[l] >= 0."""
    model = block_model(identity_block, (6, 6, 8), 3, (4, 4, 8), name="b")
    randomize_weights(model)
    bn = model.get_layer("b_3_bn")
    bn.gamma.assign(np.zeros(8, "float32"))
    bn.beta.assign(np.zeros(8, "float32"))
    x = fixed_inputs((2, 6, 6, 8), low=0, high=3)  # a ReLU output is non-negative
    assert np.allclose(np.asarray(model(x)), x, atol=1e-6)


def test_residual_block_uses_a_projection_only_when_shapes_change():
    same = block_model(residual_block, (6, 6, 8), 8, name="r")
    wider = block_model(residual_block, (6, 6, 8), 16, name="r")
    assert "r_0_conv" not in [layer.name for layer in same.layers]
    assert "r_0_conv" in [layer.name for layer in wider.layers]


@pytest.mark.parametrize("kwargs, params", [({}, 25_636_712), ({"input_shape": (64, 64, 3), "classes": 6}, 23_600_006)])
def test_resnet50_parameter_counts(kwargs, params):
    assert ResNet50(**kwargs).count_params() == params


@pytest.mark.parametrize("kwargs, input_shape", [({}, (224, 224, 3)),
                                                 ({"include_top": False, "input_shape": (64, 64, 3)}, (64, 64, 3))])
def test_resnet50_equals_keras_applications(kwargs, input_shape):
    ours, theirs = ResNet50(**kwargs), keras.applications.ResNet50(weights=None, **kwargs)
    assert [layer.name for layer in ours.layers[1:]] == [layer.name for layer in theirs.layers[1:]]
    assert_computes_like(ours, theirs, input_shape)


def trainable(model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def test_resnet18_has_the_papers_11_7_million_trainable_parameters():
    from cnn_course.models import ResNet18

    assert trainable(ResNet18()) == 11_689_512  # the paper's 11.7 M (Table 1)


@pytest.mark.parametrize("depth, millions", [(20, 0.27), (32, 0.46), (44, 0.66), (56, 0.85), (110, 1.7)])
def test_cifar_resnets_have_the_papers_parameter_counts(depth, millions):
    assert round(trainable(CifarResNet(depth)) / 1e6, 2 if depth < 110 else 1) == millions


@pytest.mark.parametrize("depth", [8, 20])
def test_plain_twin_has_the_same_layers_but_no_shortcuts(depth):
    residual, plain = CifarResNet(depth), CifarResNet(depth, plain=True)
    assert trainable(plain) == trainable(residual)  # option A shortcuts carry no weights
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)
    assert sum(isinstance(layer, keras.layers.Add) for layer in residual.layers) == 3 * (depth - 2) // 6
    weighted = [layer for layer in residual.layers if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    assert len(weighted) == depth


def test_zero_pad_shortcut_subsamples_and_appends_zero_channels():
    inputs = keras.Input((8, 8, 4))
    model = keras.Model(inputs, residual_block(inputs, 8, s=2, shortcut="zero_pad", name="b"))
    shortcut = keras.Model(model.input, model.get_layer("b_0_merge").output)
    x = fixed_inputs((1, 8, 8, 4))
    out = np.asarray(shortcut(x))
    assert out.shape == (1, 4, 4, 8) and np.array_equal(out[..., :4], x[:, ::2, ::2, :]) and not out[..., 4:].any()


def test_cifar_resnet_depth_must_be_6n_plus_2():
    with pytest.raises(ValueError, match="6n"):
        CifarResNet(21)

"""Transfer learning's pieces: the frozen base under a new head, features cached to disk, and fine-tuning
the top layers with batch norm kept frozen -- on a small base, and the real ImageNet one."""

import keras
import numpy as np
import pytest
from keras import layers

from cnn_course import download, transfer
from cnn_course.fixtures import fixed_inputs, randomize_weights


def small_base(name="small_base"):
    """A base with what matters: convolutions, batch norm with non-trivial statistics, activations."""
    inputs = keras.Input((32, 32, 3))
    x = inputs
    for i, filters in enumerate((8, 12, 16)):
        x = layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
    model = keras.Model(inputs, x, name=name)
    randomize_weights(model, seed=1)
    return model


def bn_statistics(model):
    return [np.array(v) for layer in model.layers if isinstance(layer, layers.BatchNormalization)
            for v in (layer.moving_mean, layer.moving_variance)]


def test_build_transfer_model_freezes_the_base_and_adds_a_softmax_on_preprocessed_pixels():
    base = small_base()
    model = transfer.build_transfer_model(base, 5)
    assert not base.trainable and transfer.base_of(model) is base
    assert [tuple(w.shape) for w in model.trainable_weights] == [(16, 5), (5,)]
    x = fixed_inputs((4, 32, 32, 3))
    probabilities = np.asarray(model(x))
    assert probabilities.shape == (4, 5) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    dense = model.get_layer("head_softmax")
    by_hand = keras.ops.softmax(np.asarray(base(x / 127.5 - 1)).mean(axis=(1, 2)) @ dense.kernel + dense.bias)
    assert np.allclose(probabilities, by_hand, atol=1e-5)


def test_keras_3_fit_overrides_training_false_so_only_a_frozen_batch_norm_keeps_its_statistics():
    """What notebook 10 teaches, pinned: if a Keras release changes it, the notebook's prose must change."""
    for keep_batch_norm_frozen in (False, True):
        base = small_base()
        model = transfer.build_transfer_model(base, 3)
        base.trainable = True
        for layer in base.layers:
            layer.trainable = not (keep_batch_norm_frozen and isinstance(layer, layers.BatchNormalization))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        before = bn_statistics(base)
        model.fit(fixed_inputs((16, 32, 32, 3)), np.arange(16) % 3, epochs=1, batch_size=8, verbose=0)
        kept = all(np.array_equal(a, b) for a, b in zip(before, bn_statistics(base)))
        assert kept == keep_batch_norm_frozen


def test_a_head_trained_on_cached_features_predicts_what_the_frozen_model_predicts(tmp_path):
    base = small_base()
    images = fixed_inputs((37, 32, 32, 3), seed=3)  # not a multiple of the batch size
    features = transfer.cache_features(base, images, tmp_path / "features.npy", batch_size=16)
    assert features.shape == (37, 16) and np.array_equal(np.load(tmp_path / "features.npy"), features)
    head = transfer.feature_head(16, 4)
    head.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    head.fit(features, np.arange(37) % 4, epochs=2, verbose=0)
    model = transfer.build_transfer_model(base, 4)
    transfer.copy_head(head, model)
    assert np.allclose(head.predict(features, verbose=0), model.predict(images, verbose=0), atol=1e-5)


def residual_base():
    """A small base with a shortcut: convolution, then a block whose input is added to its output."""
    inputs = keras.Input((16, 16, 3))
    stem = layers.Conv2D(8, 3, strides=2, padding="same", name="stem")(inputs)
    x = layers.Conv2D(8, 3, padding="same", name="block1_conv")(stem)
    x = layers.BatchNormalization(name="block1_bn")(x)
    x = layers.Add(name="block1_add")([stem, x])
    model = keras.Model(inputs, layers.Conv2D(12, 1, name="top_conv")(x), name="residual_base")
    randomize_weights(model, seed=2)
    return model


def test_cut_splits_the_base_into_two_models_that_compute_it_and_share_its_weights():
    base = residual_base()
    below, above = transfer.cut(base, "block1")
    images = fixed_inputs((3, 16, 16, 3), seed=4)
    assert below.output_shape == (None, 8, 8, 8) and above.input_shape == (None, 8, 8, 8)
    whole = np.asarray(base(images / 127.5 - 1))
    assert np.allclose(np.asarray(above(below(images))), whole, rtol=1e-4, atol=1e-4)
    assert {id(w) for w in above.weights} <= {id(w) for w in base.weights}
    head = transfer.build_transfer_model(above, 4, pixels=False)
    assert head.input_shape == (None, 8, 8, 8) and not any(isinstance(layer, layers.Rescaling) for layer in head.layers)
    features = transfer.frozen_features(above, pixels=False).predict(below.predict(images, verbose=0), verbose=0)
    assert np.allclose(features, whole.mean(axis=(1, 2)), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="not connected"):  # inside the block, the shortcut skips past the cut
        transfer.cut(base, "block1_bn")


@pytest.mark.parametrize("n_layers", [2, 4])
def test_unfreeze_top_trains_the_top_layers_but_not_batch_norm_nor_the_rest(n_layers):
    base = small_base()
    model = transfer.unfreeze_top(transfer.build_transfer_model(base, 3), n_layers, learning_rate=3e-4)
    trainable = [layer.name for layer in base.layers if layer.trainable and layer.weights]
    assert trainable == {2: [], 4: ["conv2"]}[n_layers]  # the top 4 are conv2, bn2, relu2 (and bn2 stays frozen)
    assert np.isclose(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)), 3e-4)
    weights = {w.path: np.array(w) for w in base.weights}
    statistics = bn_statistics(base)
    model.fit(fixed_inputs((16, 32, 32, 3)), np.arange(16) % 3, epochs=1, batch_size=8, verbose=0)
    changed = {path for path, value in weights.items()
               if not np.array_equal(value, np.array(next(w for w in base.weights if w.path == path)))}
    assert changed == ({"conv2/kernel"} if n_layers == 4 else set())
    assert all(np.array_equal(a, b) for a, b in zip(statistics, bn_statistics(base)))


def test_pretrained_base_offline_is_imagenet_lite0_and_mobilenetv2_fails_with_one_line(monkeypatch):
    base = transfer.pretrained_base((96, 96, 3))
    assert base.output_shape == (None, 3, 3, 1280) and base.name == "efficientnetlite0"

    def no_network(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    with pytest.raises(download.OfflineError, match="offline"):
        transfer.pretrained_base((96, 96, 3), source="mobilenetv2")
    with pytest.raises(ValueError, match="efficientnetlite0"):
        transfer.pretrained_base(source="resnet")

"""The training recipe: the validation split, zero-initialized residual blocks, batch-norm momentum, the warm-up
schedule, and augmentation on the training path only."""

import keras
import numpy as np
import pytest
from keras import layers

from cnn_course import augment, training
from cnn_course.models import CifarResNet, ResNet50
from cnn_course.training import zero_init_residuals


def test_validation_split_is_stratified_fixed_and_disjoint():
    x, y = np.arange(120).reshape(120, 1), np.repeat(np.arange(6), 20)
    (x_fit, y_fit), (x_val, y_val) = training.validation_split(x, y, fraction=0.1)
    assert np.bincount(y_val).tolist() == [2] * 6 and len(y_fit) == 108
    assert sorted(np.concatenate([x_fit, x_val])[:, 0]) == list(range(120))
    assert np.array_equal(y[np.concatenate([x_fit, x_val])[:, 0]], np.concatenate([y_fit, y_val]))  # pairs kept
    (_, _), (again, _) = training.validation_split(x, y, fraction=0.1)
    assert np.array_equal(again, x_val)


def _zero_gamma_layers(model):
    return sorted(layer.name for layer in model.layers
                  if isinstance(layer, keras.layers.BatchNormalization) and not np.asarray(layer.gamma).any())


@pytest.mark.parametrize("build, blocks, last_bn", [
    (lambda: ResNet50(input_shape=(64, 64, 3), classes=6), 16, "_3_bn"),
    (lambda: CifarResNet(20), 9, "_2_bn"),
])
def test_zero_init_residuals_zeroes_the_last_batch_norm_of_each_main_path(build, blocks, last_bn):
    model = build()
    assert zero_init_residuals(model) == blocks
    zeroed = _zero_gamma_layers(model)
    assert len(zeroed) == blocks and all(name.endswith(last_bn) for name in zeroed)


def test_zero_init_residuals_finds_the_main_path_whatever_the_add_order_and_skips_plain_nets():
    inputs = keras.Input((6, 6, 8))
    x = keras.layers.Conv2D(8, 3, padding="same", name="c1")(inputs)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    shortcut = keras.layers.BatchNormalization(name="shortcut_bn")(inputs)
    model = keras.Model(inputs, keras.layers.Add()([x, shortcut]))  # main path first this time
    assert zero_init_residuals(model) == 1 and _zero_gamma_layers(model) == ["bn1"]
    written_with_plus = keras.Model(inputs, shortcut + x)
    assert zero_init_residuals(written_with_plus) == 1
    through_linear = keras.Model(inputs, keras.layers.Add()([shortcut, keras.layers.Activation("linear")(x)]))
    assert zero_init_residuals(through_linear) == 1  # a step that changes nothing is read through
    plain = CifarResNet(8, plain=True)
    assert zero_init_residuals(plain) == 0 and _zero_gamma_layers(plain) == []


def test_set_batch_norm_momentum_reaches_every_batch_norm():
    model = CifarResNet(8)
    norms = [layer for layer in model.layers if isinstance(layer, layers.BatchNormalization)]
    assert training.set_batch_norm_momentum(model, 0.9) == len(norms) == 7
    assert {layer.momentum for layer in norms} == {0.9}


def test_warmup_cosine_climbs_for_the_first_epoch_then_decays_to_zero():
    schedule = training.warmup_cosine(epochs=4, steps_per_epoch=10, peak=1e-3, start=1e-4)
    rates = np.array([float(schedule(step)) for step in range(0, 41)])  # 4 epochs of 10 steps
    assert rates[0] == pytest.approx(1e-4) and rates[10] == pytest.approx(1e-3)
    assert np.all(np.diff(rates[:11]) > 0) and np.all(np.diff(rates[10:]) < 0)
    assert rates[39] < 0.01 * rates[10] and rates[40] == pytest.approx(0, abs=1e-9)  # the last step's rate is ~0
    one_epoch = training.warmup_cosine(epochs=1, steps_per_epoch=10, peak=1e-3, start=1e-4)  # all warm-up
    assert float(one_epoch(5)) == pytest.approx(5.5e-4)


class ZeroInTraining(layers.Layer):
    """An 'augmentation' the tests can see: in training the model receives only zeros."""

    def call(self, x, training=None):
        return keras.ops.zeros_like(x) if training else x


def _tiny_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax", name="dense")])


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, size=32)


def test_fit_from_scratch_on_distorted_copies_warms_up_for_one_pass_over_the_images():
    from cnn_course.models.baseline import SmallCNN

    model = SmallCNN(input_shape=(16, 16, 3), classes=3, widths=(4, 8))
    x = np.random.default_rng(0).uniform(0, 255, (16, 16, 16, 3)).astype("float32")
    copies = augment.distorted_copies(augment.flip_rotate_translate(), x, 4)
    assert copies.shape == (64, 16, 16, 3) and not np.allclose(copies[:16], copies[16:32])
    training.fit_from_scratch(model, copies, np.tile(np.arange(16) % 3, 4), epochs=1, batch_size=8, peak=0.01,
                              augmentation=None, copies=4)
    # 8 steps: 2 of warm-up (one pass over the 16 images), then the cosine down to 0 at the last step
    schedule = keras.optimizers.schedules.deserialize(model.optimizer.get_config()["learning_rate"])
    assert int(model.optimizer.iterations) == 8
    assert [round(float(schedule(step)), 6) for step in (0, 2, 8)] == [0.001, 0.01, 0.0]


@pytest.mark.parametrize("augmentation, kernel_moves", [(None, True), (ZeroInTraining(), False)])
def test_fit_augments_the_training_path_only(augmentation, kernel_moves):
    """Through ZeroInTraining the kernel never sees an input (its gradient is 0) while the bias
    learns; the validation loss is that of the un-augmented model, which holds no extra layer."""
    model, (x, y) = _tiny_model(), _data()
    kernel = np.asarray(model.get_layer("dense").kernel).copy()
    history = training.fit(model, x, y, epochs=2, batch_size=8, optimizer=keras.optimizers.SGD(0.1),
                           augmentation=augmentation, validation_data=(x, y), verbose=0)
    assert [type(layer) for layer in model.layers] == [layers.Dense]
    assert (not np.allclose(np.asarray(model.get_layer("dense").kernel), kernel)) == kernel_moves
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x, y, verbose=0, return_dict=True)["loss"],
                                                            rel=1e-5)


def test_flip_rotate_translate_is_random_in_training_and_the_identity_in_inference():
    images = np.random.default_rng(0).uniform(size=(4, 16, 16, 3)).astype("float32")
    stack = augment.flip_rotate_translate(rotation=0.1, translation=0.2)
    assert np.array_equal(np.asarray(stack(images, training=False)), images)
    assert not np.allclose(np.asarray(stack(images, training=True)), images)


def test_augmented_batches_draw_every_image_once_per_epoch_in_a_new_order():
    x, y = np.arange(10, dtype="float32").reshape(10, 1), np.arange(10)
    np.random.seed(0)
    batches = training.AugmentedBatches(x, y, batch_size=4, augmentation=layers.Identity())

    def one_epoch():
        drawn = [batches[i] for i in range(len(batches))]
        assert all(np.array_equal(images[:, 0], labels) for images, labels in drawn)  # images keep their labels
        return np.concatenate([labels for _, labels in drawn])

    first = one_epoch()
    batches.on_epoch_end()
    second = one_epoch()
    assert len(batches) == 3 and sorted(first) == sorted(second) == list(range(10))
    assert not np.array_equal(first, second)


def test_flip_rotate_translate_can_leave_mirroring_out():
    assert [type(layer) for layer in augment.flip_rotate_translate(flip=None).layers] == [
        layers.RandomRotation, layers.RandomTranslation]


def test_fit_from_scratch_uses_the_course_recipe():
    from cnn_course.models.baseline import SmallCNN

    model = SmallCNN(input_shape=(16, 16, 3), classes=3, widths=(4, 8))
    x = np.random.default_rng(0).uniform(0, 255, (20, 16, 16, 3)).astype("float32")
    y = np.arange(20) % 3
    history = training.fit_from_scratch(model, x, y, epochs=2, batch_size=8, peak=0.01, validation_data=(x, y))
    assert [layer.momentum for layer in model.layers if isinstance(layer, layers.BatchNormalization)] == [0.9, 0.9]
    # Adam, and after the 2 x 3 steps the cosine has reached 0
    assert isinstance(model.optimizer, keras.optimizers.Adam) and int(model.optimizer.iterations) == 6
    assert float(model.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)
    assert len(history.history["val_accuracy"]) == 2


@pytest.mark.parametrize("augmentation, kernel_moves", [(None, True), (ZeroInTraining(), False)])
def test_fit_from_scratch_takes_no_augmentation_or_a_layer_of_ours(augmentation, kernel_moves):
    model, (x, y) = _tiny_model(), _data()
    kernel = np.asarray(model.get_layer("dense").kernel).copy()
    training.fit_from_scratch(model, x, y, epochs=2, batch_size=8, peak=0.1, augmentation=augmentation)
    assert (not np.allclose(np.asarray(model.get_layer("dense").kernel), kernel)) == kernel_moves

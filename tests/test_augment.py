"""The lecture's augmentations: colour shift and PCA colour augmentation as specified, every named
distortion keeps the batch's shape and changes it, and the parallel pipeline distorts training batches."""

import keras
import numpy as np
import pytest
from keras import layers

from cnn_course import augment


def test_color_shift_adds_per_channel_and_clips_without_wrapping():
    image = np.array([[[250, 10, 128], [0, 255, 3]]], "uint8")
    shifted = augment.color_shift(image, (20, -20, 20))
    assert shifted.dtype == np.uint8
    np.testing.assert_array_equal(shifted, [[[255, 0, 148], [20, 235, 23]]])


def test_random_color_shift_draws_one_shift_per_image_and_channel():
    images = np.full((4, 3, 3, 3), 100, "uint8")
    shifted = augment.random_color_shift(images, max_shift=20, seed=0).astype(int) - 100
    assert np.all(shifted == shifted[:, :1, :1, :])  # the same at every pixel of an image
    assert np.abs(shifted).max() <= 20 and len(np.unique(shifted[:, 0, 0, :])) > 6


def test_pca_color_augmentation_shifts_along_the_principal_axes_by_alpha_lambda():
    rng = np.random.default_rng(0)
    colours = 0.5 + rng.normal(size=(300, 3)) * [0.1, 0.05, 0.02]
    images = np.repeat(np.repeat(colours[:, None, None, :], 2, 1), 2, 2).astype("float32")
    values, vectors = augment.principal_colors(images)
    assert np.all(np.diff(values) > 0) and np.allclose(vectors.T @ vectors, np.eye(3), atol=1e-8)
    shifted = augment.pca_color_augmentation(images, alpha_std=0.1, seed=1)
    alphas = (shifted - images)[:, 0, 0, :] @ vectors / values
    np.testing.assert_allclose(alphas.std(axis=0), 0.1, rtol=0.2)
    np.testing.assert_array_equal(shifted, augment.pca_color_augmentation(images, alpha_std=0.1, seed=1))
    assert shifted.dtype == np.float32 and shifted.min() >= 0 and shifted.max() <= 1
    one = augment.pca_color_augmentation(images[:1], alpha_std=0.1, seed=1, axes=(values, vectors))  # AlexNet's way
    np.testing.assert_allclose(one, shifted[:1], atol=1e-6)  # the training set's axes, not the one image's
    alexnets = augment.lecture_augmentations(32, colour_axes=(values, vectors))["PCA colour augmentation"]
    described = augment.describe(alexnets)
    assert described == "pca_color_augmentation_255(alpha_std=0.1, axes=\"the training set's\")"


@pytest.mark.parametrize("name", list(augment.lecture_augmentations(32)))
def test_each_lecture_augmentation_changes_a_batch_and_keeps_its_shape(name):
    images = np.random.default_rng(0).integers(0, 256, size=(3, 32, 32, 3)).astype("float32")
    distorted = augment.apply(augment.lecture_augmentations(32, seed=0)[name], images)
    assert distorted.shape == images.shape and distorted.dtype == np.float32
    assert not np.allclose(distorted, images)
    assert distorted.min() >= -1e-3 and distorted.max() <= 255 + 1e-3


@pytest.mark.parametrize("distortion", [None, keras.layers.RandomFlip("horizontal", seed=0),
                                        lambda batch: 255 - batch])
def test_parallel_batches_distorts_every_training_batch(distortion):
    x = np.arange(10 * 4 * 4 * 3, dtype="float32").reshape(10, 4, 4, 3) % 256
    y = np.arange(10)
    seen = []
    for images, labels in augment.parallel_batches(x, y, batch_size=4, distortion=distortion, seed=0):
        images, labels = np.asarray(images), np.asarray(labels)
        assert images.shape[1:] == (4, 4, 3) and len(images) == len(labels)
        want = x[labels]
        if distortion is None:
            np.testing.assert_array_equal(images, want)
        elif isinstance(distortion, keras.layers.Layer):  # each image as it was or mirrored
            assert all(np.array_equal(a, b) or np.array_equal(a, b[:, ::-1]) for a, b in zip(images, want))
        else:
            np.testing.assert_array_equal(images, 255 - want)
        seen.extend(labels)
    assert sorted(seen) == list(range(10))


def test_compiled_distortion_draws_anew_each_call_and_keeps_what_it_does():
    images = np.random.default_rng(0).uniform(0, 255, size=(4, 16, 16, 3)).astype("float32")
    warp = layers.RandomElasticTransform(factor=(1.0, 1.0), scale=(1.0, 1.0), seed=0)
    fast = augment.compiled(warp)
    first, second = augment.apply(fast, images), augment.apply(fast, images)
    assert first.shape == images.shape and not np.allclose(first, second)
    assert augment.compiled(augment.color_shift) is augment.color_shift  # a NumPy function stays as it is
    copies = augment.distorted_copies(fast, images, 3, batch_size=3)  # batches of 3 and 1 images
    assert copies.shape == (12, 16, 16, 3) and not np.allclose(copies[:4], copies[4:8])

"""Ensembling and the 10-crop: the views in their documented order, and predictions averaged over models or views."""

import keras
import numpy as np
import pytest

from cnn_course import evaluate
from cnn_course.fixtures import fixed_inputs, randomize_weights


def corner_image():
    """One 5x6 image, 2 channels: each c=2 corner crop has values of its own, the centre too."""
    image = np.zeros((5, 6, 2), "uint8")
    image[:2, :2], image[:2, -2:], image[-2:, :2], image[-2:, -2:] = 1, 2, 3, 4  # TL, TR, BL, BR
    image[1:3, 2:4] = 5  # the centre, rounded down: ((5 - 2) // 2, (6 - 2) // 2) = (1, 2)
    image[..., 1] += 10 * np.arange(6, dtype="uint8")  # columns differ, so mirroring shows
    return image[None]


def classifier(seed, size=4, channels=2, classes=3):
    model = keras.Sequential([keras.Input((size, size, channels)), keras.layers.Flatten(),
                              keras.layers.Dense(classes, activation="softmax")])
    randomize_weights(model, seed=seed)
    return model


def test_ten_crop_has_ten_views_of_every_image_in_the_images_dtype():
    images = fixed_inputs((3, 9, 11, 1), seed=1).astype("uint8")
    views = evaluate.ten_crop(images, 4)
    assert views.shape == (10, 3, 4, 4, 1) and views.dtype == np.uint8
    assert isinstance(views, np.ndarray)
    assert len(evaluate.TEN_CROP_VIEWS) == 10 and evaluate.TEN_CROP_VIEWS[:2] == ("centre", "top-left")


def test_ten_crop_views_are_centre_then_the_four_corners():
    views = evaluate.ten_crop(corner_image(), 2)[:, 0, :, :, 0]
    for k, value in enumerate((5, 1, 2, 3, 4)):  # centre, top-left, top-right, bottom-left, bottom-right
        assert (views[k] == value).all(), evaluate.TEN_CROP_VIEWS[k]


def test_ten_crop_second_five_are_the_first_five_mirrored_left_right():
    image = corner_image()
    views = evaluate.ten_crop(image, 2)
    np.testing.assert_array_equal(views[5:], views[:5, :, :, ::-1])
    np.testing.assert_array_equal(views[6, 0, :, :, 1], [[11, 1], [11, 1]])  # top-left: columns 1 then 0
    assert not np.array_equal(views[5:], views[:5])


def test_ten_crop_rounds_the_centre_down_on_both_axes():
    images = np.arange(9 * 11).reshape(1, 9, 11, 1)  # (9 - 4) // 2 = 2, (11 - 4) // 2 = 3
    np.testing.assert_array_equal(evaluate.ten_crop(images, 4)[0, 0], images[0, 2:6, 3:7])


def test_ten_crop_takes_the_whole_side_when_the_crop_fits_it_exactly():
    images = np.arange(4 * 7 * 3, dtype="float32").reshape(1, 4, 7, 3)
    views = evaluate.ten_crop(images, 4)
    np.testing.assert_array_equal(views[1, 0], images[0, :, :4])
    np.testing.assert_array_equal(views[4, 0], images[0, :, 3:])


def test_ten_crop_leaves_the_images_as_they_are():
    images = fixed_inputs((2, 8, 8, 3))
    before = images.copy()
    evaluate.ten_crop(images, 5)[:] = 0
    np.testing.assert_array_equal(images, before)


@pytest.mark.parametrize("crop_size", [7, 12])
def test_ten_crop_refuses_a_crop_larger_than_the_images(crop_size):
    with pytest.raises(ValueError, match=f"crop_size {crop_size} does not fit in images of 6x10 pixels"):
        evaluate.ten_crop(np.zeros((1, 6, 10, 3)), crop_size)


def test_ten_crop_refuses_a_single_image_without_a_batch_axis():
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        evaluate.ten_crop(np.zeros((6, 10, 3)), 4)


def test_an_ensemble_of_one_model_predicts_what_the_model_predicts():
    model, x = classifier(seed=0), fixed_inputs((5, 4, 4, 2), seed=2, high=1.0)
    np.testing.assert_allclose(evaluate.ensemble_predict([model], x), model.predict(x, verbose=0), atol=1e-6)


def test_an_ensemble_averages_the_probabilities_of_its_models():
    models, x = [classifier(seed) for seed in (0, 1, 2)], fixed_inputs((5, 4, 4, 2), seed=2, high=1.0)
    each = [np.asarray(model(x)) for model in models]
    assert not np.allclose(each[0], each[1], atol=1e-2)  # the models disagree, so the average means something
    got = evaluate.ensemble_predict(models, x, batch_size=2)
    assert got.shape == (5, 3)
    np.testing.assert_allclose(got, np.mean(each, axis=0), atol=1e-6)
    np.testing.assert_allclose(got.sum(axis=1), 1, atol=1e-6)


def test_an_ensemble_needs_a_model():
    with pytest.raises(ValueError, match="at least one model"):
        evaluate.ensemble_predict([], np.zeros((1, 4)))


def test_multi_crop_predict_averages_the_predictions_of_the_ten_views():
    model, images = classifier(seed=3), fixed_inputs((3, 6, 7, 2), seed=4, high=1.0)
    by_view = [np.asarray(model(view)) for view in evaluate.ten_crop(images, 4)]
    got = evaluate.multi_crop_predict(model, images, 4, batch_size=7)
    assert got.shape == (3, 3)
    np.testing.assert_allclose(got, np.mean(by_view, axis=0), atol=1e-6)
    assert not np.allclose(got, by_view[0], atol=1e-3)  # not just the centre crop


def test_pad_mirrors_the_edges_so_the_padded_ten_crop_centre_is_the_image():
    images = np.arange(2 * 5 * 6 * 3).reshape(2, 5, 6, 3).astype("uint8")
    padded = evaluate.pad(images, 2)
    assert padded.shape == (2, 9, 10, 3) and padded.dtype == np.uint8
    assert np.array_equal(padded[:, 0, 2:-2], images[:, 2]) and np.array_equal(padded[:, :, 1], padded[:, :, 3])
    square = np.arange(2 * 6 * 6 * 1).reshape(2, 6, 6, 1)
    views = evaluate.ten_crop(evaluate.pad(square, 3), 6)
    assert np.array_equal(views[0], square)  # the centre view is the image itself
    assert np.array_equal(views[4][:, :3, :3], square[:, 3:, 3:])  # a corner view: shifted by 3, nothing cut away

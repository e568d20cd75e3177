"""datasets.load: shapes, dtypes, balance, determinism, offline behaviour."""

import urllib.error

import h5py
import numpy as np
import pytest

from cnn_course import datasets


def assert_keras_style(data, image_shape, classes):
    (x_train, y_train), (x_test, y_test) = data
    for x, y in ((x_train, y_train), (x_test, y_test)):
        assert x.dtype == np.uint8 and x.shape[1:] == image_shape and len(x) == len(y)
        assert y.dtype == np.int64 and y.ndim == 1
        assert set(np.unique(y)) <= set(range(classes))


@pytest.fixture(scope="module")
def fingers():
    return datasets.load("fingers")


def test_fingers_default_sizes_and_balance(fingers):
    assert_keras_style(fingers, (64, 64, 3), 6)
    (x_train, y_train), (x_test, y_test) = fingers
    assert len(x_train) == 1080 and len(x_test) == 120
    assert np.bincount(y_train).tolist() == [180] * 6 and np.bincount(y_test).tolist() == [20] * 6


def test_fingers_is_deterministic_and_cached_data_equals_fresh(fingers, tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_CACHE", str(tmp_path))
    (a, ya), (b, yb) = datasets.load("fingers", n_train=12, n_test=6, seed=5, cache=False)
    (c, yc), (d, yd) = datasets.load("fingers", n_train=12, n_test=6, seed=5)  # writes the cache
    (e, ye), _ = datasets.load("fingers", n_train=12, n_test=6, seed=5)  # reads it
    assert np.array_equal(a, c) and np.array_equal(c, e) and np.array_equal(b, d)
    assert np.array_equal(ya, ye) and np.array_equal(yb, yd)
    (f, _), _ = datasets.load("fingers", n_train=12, n_test=6, seed=6, cache=False)
    assert not np.array_equal(a, f)


def test_fingers_train_and_test_differ(fingers):
    (x_train, _), (x_test, _) = fingers
    train_hashes = {hash(x.tobytes()) for x in x_train}
    assert not any(hash(x.tobytes()) in train_hashes for x in x_test)


def test_fingers_fixed_pose_stands_every_hand_alike_and_is_cached_apart(tmp_path, monkeypatch):
    from cnn_course import fingers as generator

    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    corners = np.array([[0.0, 0.0], [256.0, 256.0]])
    fixed = generator._pose(rng, varied=False)(corners)
    assert rng.bit_generator.state == state  # nothing drawn: the same transform for every hand
    assert np.array_equal(generator._pose(np.random.default_rng(9), varied=False)(corners), fixed)
    assert not np.array_equal(generator._pose(np.random.default_rng(9))(corners), fixed)
    monkeypatch.setenv("CNN_COURSE_CACHE", str(tmp_path))
    (x, y), _ = datasets.load("fingers", n_train=12, n_test=6, seed=5, varied_pose=False)
    (v, w), _ = datasets.load("fingers", n_train=12, n_test=6, seed=5)
    assert x.shape == v.shape and np.array_equal(y, w) and not np.array_equal(x, v)
    assert len(list(tmp_path.glob("fingers-12-6-seed5-fixed-pose-*.npz"))) == 1


def test_fingers_sizes_must_keep_classes_balanced():
    with pytest.raises(ValueError, match="multiples of 6"):
        datasets.load("fingers", n_train=100)


def test_digits_are_real_stratified_32x32():
    data = datasets.load("digits")
    assert_keras_style(data, (32, 32, 1), 10)
    (x_train, y_train), (x_test, y_test) = data
    assert len(x_train) + len(x_test) == 1797
    assert np.allclose(np.bincount(y_test) / len(y_test), np.bincount(y_train) / len(y_train), atol=0.01)
    assert x_train.max() == 255 and x_train.min() == 0
    again = datasets.load("digits")
    assert np.array_equal(again[0][0], x_train)


def test_photos_are_real_rgb_images():
    (x, y), (x_test, y_test) = datasets.load("photos", size=96)
    assert x.shape == (6, 96, 96, 3) and x.dtype == np.uint8 and y.tolist() == list(range(6))
    assert len(x_test) == 0 and x_test.shape[1:] == (96, 96, 3)
    assert all(x[i].std() > 20 for i in range(6))  # photographs, not blank frames
    assert datasets.class_names("photos")[1] == "cat"


def test_cifar10_offline_fails_with_one_line_naming_alternatives(monkeypatch):
    import keras

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(keras.datasets.cifar10, "load_data", no_network)
    with pytest.raises(datasets.OfflineError) as caught:
        datasets.load("cifar10")
    message = str(caught.value)
    assert "\n" not in message and "fingers" in message and "digits" in message
    assert caught.value._render_traceback_() == [f"OfflineError: {message}"]


def test_signs_reads_the_course_h5_files(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 6), ("test", 3)):
        with h5py.File(tmp_path / f"{split}_signs.h5", "w") as f:
            f[f"{split}_set_x"] = rng.integers(0, 256, size=(n, 64, 64, 3), dtype=np.uint8)
            f[f"{split}_set_y"] = np.arange(n) % 6
            f["list_classes"] = np.arange(6)
    data = datasets.load("signs", path=tmp_path)
    assert_keras_style(data, (64, 64, 3), 6)
    assert data[0][1].tolist() == [0, 1, 2, 3, 4, 5] and len(data[1][0]) == 3


def test_signs_missing_files_point_to_fingers(tmp_path):
    with pytest.raises(FileNotFoundError, match="fingers"):
        datasets.load("signs", path=tmp_path)


def test_unknown_name_lists_known_ones():
    with pytest.raises(ValueError) as caught:
        datasets.load("imagenet")
    for name in ("fingers", "digits", "photos", "cifar10", "signs"):
        assert name in str(caught.value)


def test_a_folder_written_by_save_folder_loads_back_through_keras_image_dataset_from_directory(tmp_path):
    (x, y), _ = datasets.load("fingers", n_train=24, n_test=6)
    names = datasets.class_names("fingers")
    datasets.save_folder(x, y, names, tmp_path / "mine")
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == sorted(names)
    (x_train, y_train), (x_test, y_test) = datasets.load("folder", path=tmp_path / "mine", size=64, test_fraction=0.25)
    assert_keras_style(((x_train, y_train), (x_test, y_test)), (64, 64, 3), 6)
    assert len(x_train) == 18 and np.bincount(y_test).tolist() == [1] * 6  # stratified
    # labels follow the sorted folder names; the pixels come back exactly (PNG, same size)
    order = np.argsort(names)  # sorted position -> class index
    back = {image.tobytes(): order[label] for image, label in zip(np.concatenate([x_train, x_test]),
                                                                   np.concatenate([y_train, y_test]))}
    assert {image.tobytes(): label for image, label in zip(x, y)} == back


def test_load_folder_names_the_layout_it_needs(tmp_path):
    with pytest.raises(FileNotFoundError, match="one sub-folder of images per class"):
        datasets.load("folder", path=tmp_path / "missing")


def test_resize_keeps_the_range_and_gives_float32_at_the_new_size():
    (x, _), _ = datasets.load("fingers", n_train=6, n_test=6)
    out = datasets.resize(x, 96)
    assert out.shape == (6, 96, 96, 3) and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 255 and abs(out.mean() - x.mean()) < 2

"""Wrong-answer catalogues of notebook 11's graders: the lecture's colour shift and AlexNet's PCA colour
augmentation."""

import random

import keras
import numpy as np
from catalogue import ANSWER_KEY, catalogue, stub

from cnn_course import augment
from cnn_course.grading.data_augmentation import check_color_shift, check_pca_color_augmentation


def shift_right(image, shifts):
    return np.clip(image.astype("float32") + np.asarray(shifts), 0, 255).astype(image.dtype)


def shift_loop(image, shifts):
    out = image.astype("float64")
    for channel, shift in enumerate(shifts):
        out[..., channel] = np.clip(out[..., channel] + shift, 0, 255)
    return out.astype(image.dtype)


def shift_three(image, shifts):
    out = image.astype("float64")
    out[..., 0] += shifts[0]
    out[..., 1] += shifts[1]
    out[..., 2] += shifts[2]
    return np.clip(out, 0, 255).astype(image.dtype)


def shifted_in_an_integer_copy(image, shifts):
    out = image.astype("int64")
    for c in range(image.shape[-1]):
        out[..., c] += shifts[c]
    return np.clip(out, 0, 255).astype(image.dtype)


class SaysItsDtype(np.ndarray):
    """An array whose dtype property says what `claimed` holds, not what it is."""

    claimed = None
    dtype = property(lambda self: self.claimed)


def float64_saying_uint8(image, shifts):
    out = np.clip(image.astype("float64") + np.asarray(shifts), 0, 255).view(SaysItsDtype)
    out.claimed = image.dtype
    return out


COLOR_WRONG = {
    "not implemented": stub,
    ANSWER_KEY + "augment.color_shift": augment.color_shift,
    "uint8 overflow (wraps round)": lambda image, shifts: (image + np.asarray(shifts, image.dtype))
    if image.dtype == np.uint8 else np.clip(image + np.asarray(shifts), 0, 255).astype(image.dtype),
    "uint8 sums wrap round": (lambda image, shifts: image + np.asarray(shifts).astype(np.int64).astype(image.dtype)
                              if image.dtype == np.uint8 else np.clip(image + np.asarray(shifts), 0, 255)
                              .astype(image.dtype), "wrapped round"),
    "not clipped": (lambda image, shifts: image.astype("float32") + np.asarray(shifts), "not clipped"),
    "a tensor, not a NumPy array (the notebook calls .reshape on it)": (lambda image, shifts: keras.ops.cast(
        keras.ops.clip(keras.ops.cast(image, "float32") + np.asarray(shifts, "float32"), 0, 255), image.dtype),
        "as a NumPy array"),
    "added in float64, converted to uint8 unclipped": (lambda image, shifts: (image.astype("float64") + np.asarray(
        shifts)).astype(image.dtype), "converted back to uint8 unclipped"),
    "clipped before the shifts are added": (lambda image, shifts: np.clip(image.astype("float32"), 0, 255)
                                            + np.asarray(shifts), "after the shifts are added"),
    "clipped to [0, 1]": lambda image, shifts: np.clip(image.astype("float32") + np.asarray(shifts), 0, 1)
    .astype(image.dtype),
    "channels reversed": lambda image, shifts: shift_right(image, shifts[::-1]),
    "mean shift on every channel": lambda image, shifts: shift_right(image, [np.mean(shifts)] * 3),
    "returns float32 for uint8": lambda image, shifts: np.clip(image.astype("float32") + np.asarray(shifts), 0, 255),
    "shifts along the width axis": lambda image, shifts: np.clip(image.astype("float32")
                                                                 + np.resize(shifts, image.shape[1])[None, :, None],
                                                                 0, 255).astype(image.dtype),
    "modifies the input in place": lambda image, shifts: np.clip(np.add(image, np.asarray(shifts, image.dtype),
                                                                        out=image, casting="unsafe"), 0, 255),
    "subtracts": lambda image, shifts: shift_right(image, -np.asarray(shifts)),
    "returns a list": lambda image, shifts: shift_right(image, shifts).tolist(),
    "integer arithmetic for every dtype": (lambda image, shifts: np.clip(
        image.astype("int32") + np.asarray(shifts).astype("int32"), 0, 255).astype(image.dtype), "fractions are lost"),
    "computed in float16, cast back": (lambda image, shifts: np.clip(image.astype(np.float16) + np.asarray(
        shifts, np.float16), 0, 255).astype(image.dtype), "computed in float16"),
    "+= into an int64 copy, channel by channel": (shifted_in_an_integer_copy, "cannot take float values in place"),
    "an int32 copy of every image, float shifts added": (lambda image, shifts: np.clip(
        image.astype("int32") + np.asarray(shifts), 0, 255).astype(image.dtype), "fractions are lost"),
    "result rounded": lambda image, shifts: np.clip(np.rint(image.astype(float) + np.asarray(shifts)), 0, 255)
    .astype(image.dtype),
    "shifts cast to int": lambda image, shifts: shift_right(image, np.asarray(shifts).astype(int)),
    "three channels hard-coded": (shift_three, "channels"),
    "a table of the fixed cases' shifts": lambda image, shifts: shift_right(image, shifts) if tuple(shifts) in {
        (20, -20, 20), (-35.5, 0.25, 50.75), (5, 90, -90), (10.5, -10, 30, -30.25)} else image.copy(),
    "float32 for every float image (float64 too)": (lambda image, shifts: shift_right(image, shifts).astype(
        "float32" if image.dtype.kind == "f" else image.dtype), "of float32 for the image of float64"),
    "clipped to the image's own range": (lambda image, shifts: np.clip(
        image.astype("float64") + np.asarray(shifts), image.min(), image.max()).astype(image.dtype), "0-255"),
    "clipped at 1 when the image is in [0, 1]": (lambda image, shifts: np.clip(
        image.astype("float64") + np.asarray(shifts), 0, 1 if image.max() <= 1 else 255).astype(image.dtype),
        "0-255"),
    "shifts stored as int8": lambda image, shifts: shift_right(image, np.asarray(shifts).astype(np.int8)),
    "cast to uint8 whatever the dtype": (lambda image, shifts: np.clip(image + np.asarray(shifts), 0, 255).astype(
        np.uint8), "fractions are lost"),
    "rounded to one decimal": (lambda image, shifts: np.round(np.clip(image + np.asarray(shifts), 0, 255), 1).astype(
        image.dtype), "fractions are lost"),
    "rounded to three decimals": (lambda image, shifts: np.round(np.clip(image + np.asarray(shifts), 0, 255), 3)
                                  .astype(image.dtype), "fractions are lost"),
    "float64 values in an array that says it is the image's dtype": (float64_saying_uint8, "keep its dtype"),
}
COLOR_RIGHT = {
    "float, clip, astype": shift_right,
    "per channel loop": shift_loop,
    "int16 arithmetic": lambda image, shifts: np.clip(image.astype("int16") + np.array(shifts, "int16"), 0, 255)
    .astype(image.dtype) if image.dtype == np.uint8 else np.clip(image + np.asarray(shifts, image.dtype), 0, 255),
    "keras.ops": lambda image, shifts: keras.ops.convert_to_numpy(
        keras.ops.clip(keras.ops.cast(image, "float32") + keras.ops.convert_to_tensor(shifts, "float32"), 0, 255)
    ).astype(image.dtype),
}


def pca(images, alpha_std=0.1, seed=None, *, root=False, per_pixel=False, per_batch=False, centred=True,
        per_image_cov=False, rows=False, std_as_var=False, no_clip=False, ignore_seed=False, shared_alpha=False,
        pixels_of=None, clip=lambda out: np.clip(out, 0, 1), rng=None, covariance=None, draw=None):
    """AlexNet's PCA colour augmentation, with a switch for each mistake the catalogue makes."""
    images = np.asarray(images, "float64")
    rng = rng or np.random.default_rng(None if ignore_seed else seed)
    scale = alpha_std**2 if std_as_var else alpha_std

    def shift_of(pixels, count):
        matrix = np.cov(pixels, rowvar=False) if centred else pixels.T @ pixels / len(pixels)
        values, vectors = np.linalg.eigh(matrix if covariance is None else covariance(pixels))
        size = (count, 1) if shared_alpha else (count, 3)
        alphas = rng.normal(0, scale, size=size) if draw is None else draw(rng, scale, size)
        weights = alphas * (np.sqrt(values) if root else values)
        return weights @ (vectors if rows else vectors.T)

    if per_image_cov:
        shifts = np.stack([shift_of(image.reshape(-1, 3), 1)[0] for image in images])[:, None, None, :]
    elif per_pixel:
        shifts = shift_of(images.reshape(-1, 3), images[..., 0].size).reshape(images.shape)
    elif per_batch:
        shifts = np.repeat(shift_of(images.reshape(-1, 3), 1), len(images), axis=0)[:, None, None, :]
    else:
        pixels = images.reshape(-1, 3) if pixels_of is None else pixels_of(images)
        shifts = shift_of(pixels, len(images))[:, None, None, :]
    out = images + shifts
    return out if no_clip else clip(out)


def global_state_for_none(images, alpha_std=0.1, seed=None):
    """seed=None drawn from NumPy's global state, any other seed from default_rng(seed)."""
    values, vectors = np.linalg.eigh(np.cov(np.reshape(images, (-1, 3)), rowvar=False))
    alphas = (np.random if seed is None else np.random.default_rng(seed)).normal(0, alpha_std, (len(images), 3))
    return np.clip(images + ((alphas * values) @ vectors.T)[:, None, None, :], 0, 1)


def endless():
    while True:
        pass


def global_seed(images, alpha_std=0.1, seed=None):
    np.random.seed(seed)
    values, vectors = np.linalg.eigh(np.cov(np.reshape(images, (-1, 3)), rowvar=False))
    alphas = np.random.normal(0, alpha_std, (len(images), 3))
    return np.clip(images + ((alphas * values) @ vectors.T)[:, None, None, :], 0, 1)


def python_random(images, alpha_std=0.1, seed=None):
    random.seed(seed)
    values, vectors = np.linalg.eigh(np.cov(np.reshape(images, (-1, 3)), rowvar=False))
    alphas = np.array([[random.gauss(0, alpha_std) for _ in range(3)] for _ in images])
    return np.clip(images + ((alphas * values) @ vectors.T)[:, None, None, :], 0, 1)


def none_on_large(images, alpha_std=0.1, seed=None):
    return None if alpha_std > 1 else pca(images, alpha_std, seed)


def uses_principal_colors(images, alpha_std=0.1, seed=None):
    values, vectors = augment.principal_colors(images)
    alphas = np.random.default_rng(seed).normal(0, alpha_std, (len(images), 3))
    return np.clip(images + ((alphas * values) @ vectors.T)[:, None, None, :], 0, 1)


PCA_WRONG = {
    "not implemented": stub,
    ANSWER_KEY + "augment.pca_color_augmentation": augment.pca_color_augmentation,
    ANSWER_KEY + "augment.principal_colors": uses_principal_colors,
    "sqrt of the eigenvalues": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed, root=True),
    "alpha per pixel": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed, per_pixel=True),
    "one alpha for the whole batch": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed,
                                                                                 per_batch=True),
    "uncentred second moments": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed, centred=False),
    "covariance of each image": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed,
                                                                            per_image_cov=True),
    "eigenvectors as rows": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed, rows=True),
    "alphas of 0.8 alpha_std": (lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std * 0.8, seed),
                                "standard deviations"),
    "alphas of 1.2 alpha_std": (lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std * 1.2, seed),
                                "standard deviations"),
    "alpha_std used as a variance": (lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed,
                                                                                 std_as_var=True), "alpha_std ** 2"),
    "not clipped": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed, no_clip=True),
    "seed ignored": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed, ignore_seed=True),
    "fixed alpha_std 0.1": lambda images, alpha_std=0.1, seed=None: pca(images, 0.1, seed),
    "images rescaled by 255 again": lambda images, alpha_std=0.1, seed=None: pca(np.asarray(images) / 255,
                                                                                 alpha_std, seed),
    "returns the shift only": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed) - images,
    "unchanged": lambda images, alpha_std=0.1, seed=None: images,
    "one alpha per image for all axes": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed,
                                                                                     shared_alpha=True),
    "covariance of the images' mean colours": lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, pixels_of=lambda x: x.mean(axis=(1, 2))),
    "covariance of one pixel per image": lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, pixels_of=lambda x: x[:, 0, 0, :]),
    "only clipped at 1": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed,
                                                                     clip=lambda out: np.minimum(out, 1)),
    "clipped to [-1, 1]": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed,
                                                                      clip=lambda out: np.clip(out, -1, 1)),
    "rescaled to [0, 1] instead of clipped": lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, clip=lambda out: (out - out.min()) / (out.max() - out.min())),
    "seed 0 taken as no seed": lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, rng=np.random.default_rng(seed) if seed else np.random.default_rng()),
    "seed None taken as 0": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed or 0),
    "np.random.seed (global state)": global_seed,
    "the generator asked for, and np.random.seed besides": (lambda images, alpha_std=0.1, seed=None: [
        np.random.seed(12345), pca(images, alpha_std, seed)][1], "leave the global state alone"),
    "default alpha_std 0.01": lambda images, alpha_std=0.01, seed=None: pca(images, alpha_std, seed),
    "None for a large alpha_std": none_on_large,
    "modifies the images in place": lambda images, alpha_std=0.1, seed=None: np.copyto(
        images, pca(images, alpha_std, seed).astype(images.dtype)) or images,
    "np.cov without rowvar=False": (lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, covariance=lambda pixels: np.cov(pixels)), "rowvar=False"),
    "eigenvalues squared (alpha_i lambda_i ** 2)": (lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, covariance=lambda pixels: np.linalg.matrix_power(np.cov(pixels, rowvar=False), 2)),
        "eigenvalues squared"),
    "alphas of mean alpha_std": (lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, draw=lambda rng, scale, size: rng.normal(scale, scale, size)), "with mean 0"),
    "rng.normal(alpha_std, size=...): a mean of alpha_std, a deviation of 1": (
        lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed, draw=lambda rng, scale, size: rng.normal(
            scale, size=size)), "first argument is the mean"),
    "np.corrcoef instead of np.cov": (lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, covariance=lambda pixels: np.corrcoef(pixels, rowvar=False)), "np.corrcoef"),
    "one mean for the three channels (pixels.mean() without an axis)": (lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, covariance=lambda pixels: (lambda c: c.T @ c / (len(c) - 1))(pixels - pixels.mean())),
        "one mean for the three channels"),
    "an endless loop": (lambda images, alpha_std=0.1, seed=None: endless(), "did not finish"),
    "Python's random module (random.seed)": (python_random, "Python's global random state"),
    "np.random.seed, then a generator of its own": (lambda images, alpha_std=0.1, seed=None: (
        np.random.seed(seed), pca(images, alpha_std, seed))[1], "NumPy's global random state"),
    "random.seed, then a generator of its own": (lambda images, alpha_std=0.1, seed=None: (
        random.seed(seed), pca(images, alpha_std, seed))[1], "Python's global random state"),
    "a symbolic keras.Input": (lambda images, alpha_std=0.1, seed=None: keras.Input(np.shape(images)[1:]),
                               "KerasTensor, which holds no numbers"),
    "strings": (lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed).astype(str),
                "return numbers"),
    "returned in 0-255": (lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed) * 255,
                          "the images are in [0, 1]"),
    "returned in 0-255 as uint8": (lambda images, alpha_std=0.1, seed=None: (pca(images, alpha_std, seed) * 255)
                                   .astype("uint8"), "the images are in [0, 1]"),
    "NaN": (lambda images, alpha_std=0.1, seed=None: np.full(np.shape(images), np.nan), "NaN"),
    "returned in float16": (lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed).astype("float16"),
                            "float16 rounds"),
    "seed=None drawn from NumPy's global state": (global_state_for_none, "with seed=None it changed"),
}


def clipped_to_own_range(axes):
    """AlexNet's shift clipped to the range of the images' values over `axes` (None: the whole batch's), not to
    [0, 1]."""
    def answer(images, alpha_std=0.1, seed=None):
        low, high = np.min(images, axes, keepdims=True), np.max(images, axes, keepdims=True)
        return pca(images, alpha_std, seed, clip=lambda out: np.clip(out, low, high))
    return answer


PCA_WRONG.update({f"clipped to {whose} own range": (clipped_to_own_range(axes), "the images' own range")
                  for whose, axes in [("the batch's", None), ("each image's", (1, 2, 3)), ("each channel's", (1, 2))]})


class UniformAlphas:
    """Alphas with alpha_std's spread, drawn from a uniform distribution instead of a normal one."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def normal(self, loc, scale, size):
        return self.rng.uniform(loc - 3**0.5 * scale, loc + 3**0.5 * scale, size)


PCA_WRONG["uniform alphas of the right spread"] = (
    lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed, rng=UniformAlphas(seed)), "rng.normal")


def pca_svd(images, alpha_std=0.1, seed=None):
    pixels = np.asarray(images, "float64").reshape(-1, 3)
    centred = pixels - pixels.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    values = singular**2 / (len(pixels) - 1)
    alphas = np.random.default_rng(seed).normal(0, alpha_std, (len(images), 3))
    return np.clip(images + ((alphas * values) @ vt)[:, None, None, :], 0, 1)


def pca_loop(images, alpha_std=0.1, seed=None):
    rng = np.random.default_rng(seed)
    values, vectors = np.linalg.eig(np.cov(np.reshape(images, (-1, 3)).T))
    out = []
    for image in images:
        alpha = rng.normal(0.0, alpha_std, 3)
        out.append(np.clip(image + sum(alpha[i] * values[i] * vectors[:, i] for i in range(3)), 0.0, 1.0))
    return np.array(out, "float32")


PCA_RIGHT = {
    "eigh and matrix product": lambda images, alpha_std=0.1, seed=None: pca(images, alpha_std, seed),
    "svd": pca_svd,
    "eig and a loop": pca_loop,
    "np.random.RandomState(seed)": lambda images, alpha_std=0.1, seed=None: pca(
        images, alpha_std, seed, rng=np.random.RandomState(seed)),
}

test_color_shift_rejects, test_color_shift_accepts = catalogue(check_color_shift, COLOR_WRONG, COLOR_RIGHT)
test_pca_rejects, test_pca_accepts = catalogue(check_pca_color_augmentation, PCA_WRONG, PCA_RIGHT)

"""Graders of notebook 11, data augmentation: the lecture's colour shift and AlexNet's PCA colour augmentation.

Both are checked by what they do to pixels. `check_color_shift` uses images with values at both ends
of 0-255, where uint8 arithmetic wraps round and a missing clip shows. `check_pca_color_augmentation`
draws a batch whose colours vary along known, unequal principal axes, reads each image's shift back in
those axes, and tests the alphas it implies: one per image and axis, with mean 0 and standard deviation
`alpha_std` -- which a square root of the eigenvalues, a covariance per image or of uncentred pixels,
or a variance for a standard deviation would all break.
"""

from __future__ import annotations

import numpy as np

from cnn_course.grading.report import described, grader

_SHIFT_CASES = [((20, -20, 20), "uint8"), ((-35, 0, 50), "float32"), ((5, 90, -90), "uint8")]


def _extreme_image(dtype: str, seed: int) -> np.ndarray:
    """A 5 x 6 RGB image with pixels at 0, 255 and in between."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, size=(5, 6, 3))
    image[0], image[1] = 0, 255
    return image.astype(dtype)


@grader("color_shift", answer_key=["cnn_course.augment.color_shift", "cnn_course.augment.random_color_shift"])
def check_color_shift(color_shift, report) -> None:
    """Grade ``color_shift(image, shifts)``: shifts[c] added to channel c, clipped to 0-255, dtype kept."""
    for index, (shifts, dtype) in enumerate(_SHIFT_CASES):
        image = _extreme_image(dtype, index)
        original = image.copy()
        what = f"color_shift({dtype} image, {shifts})"
        got = report.call(color_shift, image, shifts, what=what)
        report.precondition(hasattr(got, "shape") and hasattr(got, "dtype"),
                            f"{what} returned {described(got)}: return the shifted image as an array")
        report.precondition(np.array_equal(image, original),
                            f"{what} changed the image it was given: return a new array and leave the input as it was")
        got = np.asarray(got)
        report.precondition(got.shape == image.shape, f"{what} has shape {got.shape}, expected {image.shape}")
        want = np.clip(image.astype("float64") + np.asarray(shifts), 0, 255)
        if not np.allclose(got.astype("float64"), want, atol=0.51):
            report.fail(f"{what} gives other pixels than expected -- {_shift_hint(image, shifts, got)}")
        report.precondition(got.dtype == image.dtype, f"{what} has dtype {got.dtype}: return the image's own dtype "
                            f"({image.dtype}), e.g. with .astype(image.dtype) after clipping")
    report.success(f"on {len(_SHIFT_CASES)} images (uint8 and float32) with pixels at 0 and 255, each channel is "
                   f"shifted by its own value and clipped to 0-255, in the image's dtype")


def _shift_hint(image, shifts, got) -> str:
    """The likely mistake behind a wrong shifted image."""
    wide = image.astype("int64") + np.asarray(shifts)
    got = np.asarray(got, "float64")
    if image.dtype == np.uint8 and np.array_equal(got, (wide % 256).astype("float64")):
        return "the sums wrapped round (250 + 20 became 14): uint8 arithmetic overflows; add in a wider type, then clip"
    if np.allclose(got, wide):
        return "the result is not clipped to 0-255"
    if np.allclose(got, np.clip(image.astype("float64") + np.asarray(shifts)[::-1], 0, 255), atol=0.51):
        return "the shifts went to the channels in reverse order: shifts[0] belongs to channel 0 (red)"
    if np.allclose(got, np.clip(image.astype("float64") + np.mean(shifts), 0, 255), atol=0.51):
        return "every channel got the same shift: each channel has its own"
    return "add shifts[c] to channel c (the last axis), then clip to 0-255"


def _colour_batch(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` small images, each nearly one colour, the colours spread along three unequal axes (so a
    covariance per image is tiny while the batch's is not), and a rotation that mixes R, G and B."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    spread = np.array([0.12, 0.06, 0.025])
    colours = 0.5 + (rng.normal(size=(n, 3)) * spread) @ rotation.T
    images = colours[:, None, None, :] + rng.normal(0, 0.004, size=(n, 4, 4, 3))
    return np.clip(images, 0.05, 0.95).astype("float32"), rotation


@grader("pca_color_augmentation", answer_key=["cnn_course.augment.pca_color_augmentation",
                                               "cnn_course.augment.principal_colors"])
def check_pca_color_augmentation(pca_color_augmentation, report) -> None:
    """Grade ``pca_color_augmentation(images, alpha_std=0.1, seed=None)`` (Krizhevsky et al. 2012, §4.1)."""
    images, _ = _colour_batch(400)
    what = "pca_color_augmentation(images, alpha_std=0.1, seed=0)"
    got = report.call(pca_color_augmentation, images.copy(), 0.1, seed=0, what=what)
    report.precondition(hasattr(got, "shape"), f"{what} returned {described(got)}: return the augmented images")
    got = np.asarray(got, "float64")
    report.precondition(got.shape == images.shape, f"{what} has shape {got.shape}, expected {images.shape}")
    shifts = got - images
    report.precondition(np.abs(shifts).max() > 1e-4,
                        f"{what} hardly changes the images (largest change {np.abs(shifts).max():.1e}): is the "
                        "covariance taken over each image alone? AlexNet's is over all the pixels of the batch")
    spread_in_image = np.abs(shifts - shifts[:, :1, :1, :]).max()
    report.require(spread_in_image < 1e-4, "each image gets one colour shift, the same at every pixel",
                   f"the shift differs between pixels of one image (by up to {spread_in_image:.3f}): draw the alphas "
                   "once per image, not per pixel")
    per_image = shifts[:, 0, 0, :]
    report.require(np.ptp(per_image, axis=0).max() > 1e-3, "the images get different shifts",
                   "every image got the same shift: draw new alphas for each image")
    _check_alphas(report, images, per_image, alpha_std=0.1)
    _check_alphas(report, images, np.asarray(report.call(pca_color_augmentation, images.copy(), 0.3, seed=1,
                                                         what="pca_color_augmentation(images, 0.3, seed=1)"),
                                             "float64")[:, 0, 0, :] - images[:, 0, 0, :], alpha_std=0.3)
    _check_seed(report, pca_color_augmentation, images)
    _check_clipped(report, pca_color_augmentation)


def _check_alphas(report, images, per_image, alpha_std) -> None:
    """Read each image's shift in the batch's principal axes: alpha_i = (p_i . shift) / lambda_i."""
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(images.reshape(-1, 3).astype("float64"), rowvar=False))
    alphas = per_image @ eigenvectors / eigenvalues
    stds, means = alphas.std(axis=0), alphas.mean(axis=0)
    ratio = stds / alpha_std
    root = stds * np.sqrt(eigenvalues) / alpha_std  # what sqrt(lambda) in place of lambda gives
    if np.all(np.abs(ratio - 1) < 0.25) and np.all(np.abs(means) < 4 * alpha_std / np.sqrt(len(alphas))):
        report.success(f"alpha_std={alpha_std}: the shifts lie along the batch's principal colour axes, with "
                       f"alphas of mean 0 and standard deviation {', '.join(f'{s:.3f}' for s in stds)} per axis")
        return
    hint = ("the shift is scaled by sqrt(lambda_i) (a standard deviation); AlexNet scales p_i by alpha_i * lambda_i"
            if np.all(np.abs(root - 1) < 0.25) else
            "the alphas' spread matches alpha_std ** 2 or sqrt(alpha_std): alpha_std is the standard deviation"
            if np.all(np.abs(stds / alpha_std**2 - 1) < 0.25) or np.all(np.abs(stds / np.sqrt(alpha_std) - 1) < 0.25)
            else "the shifts read in the batch's principal axes are not alpha_i * lambda_i with alpha_i ~ "
            "N(0, alpha_std): use the covariance of all the batch's pixels (centred: np.cov), its eigenvectors as "
            "the columns p_i, and add sum_i alpha_i lambda_i p_i")
    report.fail(f"alpha_std={alpha_std}: the alphas implied by the shifts have standard deviations "
                f"{', '.join(f'{s:.3g}' for s in stds)} per axis (expected about {alpha_std}) -- {hint}")


def _check_seed(report, pca_color_augmentation, images) -> None:
    first, again, other = (np.asarray(report.call(pca_color_augmentation, images.copy(), 0.1, seed=seed,
                                                  what=f"pca_color_augmentation(images, seed={seed})"))
                           for seed in (7, 7, 8))
    report.check(np.array_equal(first, again) and not np.allclose(first, other),
                 "the same seed gives the same images, another seed other ones",
                 "the seed does not fix the result: draw the alphas from np.random.default_rng(seed)")


def _check_clipped(report, pca_color_augmentation) -> None:
    bright, _ = _colour_batch(50, seed=3)
    bright = np.clip(bright + 0.4, 0, 1).astype("float32")
    got = np.asarray(report.call(pca_color_augmentation, bright, 2.0, seed=0,
                                 what="pca_color_augmentation(bright images, alpha_std=2.0)"))
    report.check(got.min() >= 0 and got.max() <= 1, "a large alpha_std on bright images stays within [0, 1]",
                 f"values from {got.min():.3f} to {got.max():.3f}: clip the result to [0, 1]")

"""Graders of notebook 11, data augmentation: the lecture's colour shift, and AlexNet's PCA colour augmentation
(Krizhevsky et al. 2012, section 4.1) checked by the alphas each image's shift implies along the batch's known,
unequal principal colour axes."""

from __future__ import annotations

import warnings

import numpy as np

from cnn_course import augment
from cnn_course.grading.array import ArrayExercise, array_grader, numpy_only
from cnn_course.grading.limits import random_states_changed
from cnn_course.grading.report import described, grader


def _extreme_image(case, rng) -> tuple:
    """A 5 x 6 image with pixels at 0, 255 and in between (fractions when it is float), where uint8 arithmetic wraps
    round and a missing clip shows -- or, when the case gives a span, pixels inside it only, so that clipping to the
    image's own range, or to [0, 1], shows too; and the case's shifts."""
    shifts, dtype, channels, *span = case
    low, high = span[0] if span else (0, 256)
    if high <= 1:  # a float image in [0, 1]
        image = rng.uniform(low, high, size=(5, 6, channels))
    else:
        image = rng.integers(low, high, size=(5, 6, channels)).astype("float64")
        if dtype != "uint8":
            image = np.clip(image + rng.uniform(0, 1, size=image.shape), 0, 255)
    if not span:
        image[0], image[1] = 0, 255
    return image.astype(dtype), shifts


def _draw_shift_case(rng) -> tuple:
    dtype, channels = str(rng.choice(["uint8", "float32", "float64"])), int(rng.integers(1, 5))
    shifts = rng.uniform(-100, 100, size=channels)
    return tuple(float(v) for v in (np.rint(shifts) if dtype == "uint8" else np.round(shifts, 2))), dtype, channels


def _shifted(image, shifts, rounding=lambda v: v):
    return np.clip(image.astype("float64") + rounding(np.asarray(shifts, "float64")), 0, 255)


def _fractions_cut(got, image, shifts) -> bool:
    """A float image's result in whole numbers only (computed in an integer type), shifted from the image cut to whole
    numbers, or the right one cut or rounded to 0-3 decimals (np.round)."""
    want = _shifted(image, shifts)
    whole = np.array_equal(got, np.round(got)) and not np.array_equal(want, np.round(want))
    cuts = [_shifted(np.trunc(image), shifts)] + [cut(want * 10**places) / 10**places for places in (0, 1, 2, 3)
                                                  for cut in (np.trunc, np.round)]
    return image.dtype != np.uint8 and (whole or any(np.allclose(got, cut, atol=1e-4) for cut in cuts))


_LOST_FRACTIONS = "the fractions are lost (integer arithmetic, or rounding): keep a float image's values as they are"

check_color_shift = array_grader(ArrayExercise(
    exercise="color_shift", reference=augment.color_shift,
    # then pixels inside [40, 200) only (clipped at 0 and 255 all the same), shifts beyond an int8's 127, and a float
    # image in [0, 1] (still clipped at 0 and 255, as the text says)
    cases=[((20, -20, 20), "uint8", 3), ((-35.5, 0.25, 50.75), "float32", 3), ((5, 90, -90), "uint8", 3),
           ((10.5, -10, 30, -30.25), "float32", 4), ((12.25, -40.5, 7.75), "float64", 3),
           ((100, -100, 60), "uint8", 3, (40, 200)), ((150, -150, 20), "float32", 3, (40, 200)),
           ((0.5, -0.25, 0.75), "float64", 3, (0, 1))],
    draw=_draw_shift_case, arguments=_extreme_image,
    describe=lambda case, args: f"color_shift({case[1]} image of {case[2]} channels" + (
        f" in [{case[3][0]}, {case[3][1]})" if len(case) > 3 else "") + f", {case[0]})",
    atol=lambda args: 0.51 if args[0].dtype == np.uint8 else 1e-4, keeps_dtype=True,
    inputs=("the image", "the shifts"), result="a shifted image", as_array=numpy_only,  # the notebook calls .reshape
    leave_advice="return a new array and leave the input as it was",
    dtype_advice="e.g. with .astype(image.dtype) after clipping",
    hints=[("Cannot cast ufunc", "an integer array cannot take float values in place (+=): add in a float type")],
    mistakes=[
        ("the sums wrapped round (250 + 20 became 14): uint8 arithmetic overflows, and so does a sum over 255 "
         "converted back to uint8 unclipped -- add in a wider type, clip to 0-255, then convert",
         lambda image, shifts: (image.astype("int64") + np.asarray(shifts)) % 256 if image.dtype == np.uint8 else
         np.full(image.shape, np.nan)),
        ("the result is not clipped to 0-255 after the shifts are added: np.clip(image + shifts, 0, 255)",
         lambda image, shifts: image.astype("float64") + np.asarray(shifts)),
        (_LOST_FRACTIONS, lambda image, shifts: np.trunc(_shifted(image, shifts, np.trunc))),
        (_LOST_FRACTIONS, lambda image, shifts: np.rint(_shifted(image, shifts))),
        ("the shifts went to the channels in reverse order: shifts[0] belongs to channel 0 (red)",
         lambda image, shifts: _shifted(image, np.asarray(shifts)[::-1])),
        ("every channel got the same shift: each channel has its own",
         lambda image, shifts: _shifted(image, np.mean(shifts))),
        ("computed in float16, whose 11 bits round pixels above 64 by up to 0.03: add in float32 or float64",
         lambda image, shifts: np.clip(image.astype("float16") + np.asarray(shifts, "float16"), 0, 255)),
    ],
    advise=lambda args, got: _LOST_FRACTIONS if _fractions_cut(got, *args) else
        f"this image has {args[0].shape[-1]} channels: add shifts[c] to each channel c, however many there are"
        if args[0].shape[-1] != 3 else "add shifts[c] to channel c (the last axis), then clip to 0-255",
    success="on images of uint8, float32 and float64 (with fractions), of 1 to 4 channels, with pixels at 0 and 255, "
            "each channel is shifted by its own value and clipped to 0-255, in the image's dtype"))


def _colour_batch(n: int, seed: int = 0, texture: float = 0.004) -> np.ndarray:
    """`n` 2 x 2 images whose mean colours spread along three unequal, rotated axes, plus a gradient of strength
    `texture` along another colour (strong: the covariance of all pixels differs from that of the mean colours or of
    one pixel per image), plus a little noise. Few pixels: an answer's covariance of pixels by pixels stays small."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    colours = [0.42, 0.5, 0.58] + (rng.normal(size=(n, 3)) * [0.12, 0.06, 0.025]) @ rotation.T
    gradient = np.array([[-1, 0], [0, 1]])  # from the top left to the bottom right
    inside = gradient[None, :, :, None] * texture * rng.choice([-1, 1], size=(n, 1, 1, 1)) * [0.3, -0.9, 0.3] \
        + rng.normal(0, 0.004, size=(n, 2, 2, 3))
    return np.clip(colours[:, None, None, :] + inside, 0.05, 0.95).astype("float32")


def _augmented(report, pca_color_augmentation, images, what, *args, **kwargs) -> np.ndarray:
    """The answer's output for `images`, an array of their shape (or grading stops)."""
    hint = ("broadcast", "np.cov reads each row as one variable: np.cov(pixels, rowvar=False) for (n, 3) pixels")
    answer = report.call(pca_color_augmentation, images, *args, what=what, **kwargs, hints=[hint])
    report.precondition(hasattr(answer, "shape"), f"{what} returned {described(answer)}: return the augmented images")
    kind = getattr(getattr(answer, "dtype", None), "kind", "f")  # NumPy's; a tensor's dtype has none
    report.precondition(kind in "biuf", f"{what} returned an array of {getattr(answer, 'dtype', '?')}: return numbers")
    got = report.attempt(lambda: np.asarray(answer, "float64"), f"{what} returned {described(answer)}, which holds "
                         f"no numbers NumPy can read: return the augmented images as a NumPy array")  # keras.Input
    report.precondition(got.shape == images.shape, f"{what} has shape {got.shape}, expected {images.shape}")
    report.precondition(np.isfinite(got).all(), f"{what} returns {np.sum(~np.isfinite(got))} NaN or infinite values: "
                        "every step is finite on these images -- look for a division by zero or a NaN carried along")
    report.precondition(got.max() <= 10, f"{what} returns values up to {got.max():.4g}: the images are in [0, 1], "
                        "and stay there")
    native = np.asarray(answer).dtype
    report.precondition(native.kind == "f" and native.itemsize >= 4, f"{what} returns {native}: the images are floats "
                        "in [0, 1], return the augmented ones as float32 (or float64)" +
                        " -- float16 rounds AlexNet's small shifts away" * (native.kind == "f"))
    return got


@grader("pca_color_augmentation", seconds=10)
def check_pca_color_augmentation(pca_color_augmentation, report) -> None:
    """``pca_color_augmentation(images, alpha_std=0.1, seed=None)``: AlexNet's colour shift per image."""
    _augmented(report, pca_color_augmentation, _colour_batch(6), "pca_color_augmentation(6 images, seed=0)", seed=0)
    images, what = _colour_batch(400), "pca_color_augmentation(images, seed=0)"
    original = images.copy()
    got, changed = random_states_changed(lambda: _augmented(report, pca_color_augmentation, images, what, seed=0))
    report.precondition(np.array_equal(images, original), f"{what} changed the images it was given: return new ones")
    report.precondition(not changed, f"{what} changed {changed}: leave the global state alone (no seeding, no "
                                     f"draws from it) and draw only from np.random.default_rng(seed)")
    shifts = got - images
    report.precondition(np.abs(shifts).max() > 1e-4,
                        f"{what} hardly changes the images (largest change {np.abs(shifts).max():.1e}): is the "
                        "covariance taken over each image alone (AlexNet's is over all the pixels of the batch), or "
                        "are the eigenvalues squared? the shift is sum_i alpha_i lambda_i p_i")
    clipped = np.mean((got <= 0) | (got >= 1))
    report.precondition(clipped < 0.01, f"{what} pushes {clipped:.0%} of the values to 0 or 1: the shifts are far "
                        "larger than AlexNet's -- the covariance of the pixels in [0, 1] (np.cov, not np.corrcoef), "
                        "its eigenvalues as they are")
    spread_in_image, per_image = _shift_per_image(shifts, got)
    own_range = any(np.allclose(got, np.clip(got, images.min(axes, keepdims=True), images.max(axes, keepdims=True)),
                                rtol=0, atol=1e-6) for axes in (None, (1, 2, 3), (1, 2)))  # batch, image, channel
    report.precondition(spread_in_image < 1e-4 or not own_range, f"{what} keeps the values within the images' own "
                        "range (AlexNet's shifts take images beyond it): clip to [0, 1]")
    report.require(spread_in_image < 1e-4, "each image gets one colour shift, the same at every pixel",
                   f"the shift differs between pixels of one image (by up to {spread_in_image:.3f}): draw the alphas "
                   "once per image, not per pixel")
    report.require(np.ptp(per_image, axis=0).max() > 1e-5, "the images get different shifts",  # float32 noise apart
                   "every image got the same shift: draw new alphas for each image")
    _check_alphas(report, images, per_image, alpha_std=0.1)
    textured = _colour_batch(400, seed=5, texture=0.08)
    strong = _augmented(report, pca_color_augmentation, textured, "pca_color_augmentation(textured images, 0.3)",
                        0.3, seed=1)
    _check_alphas(report, textured, (strong - textured)[:, 0, 0, :], alpha_std=0.3)
    _check_seed(report, pca_color_augmentation, images)
    _check_clipped(report, pca_color_augmentation)


def _shift_per_image(shifts, got):
    """(largest spread of an image's shift over its unclipped pixels, each image's shift)."""
    kept = np.where((got > 0) & (got < 1), shifts, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: channels clipped everywhere
        middle = np.nanmedian(kept, axis=(1, 2), keepdims=True)
        spread = np.nanmax(np.abs(kept - middle), initial=0.0)
    return spread, np.where(np.isnan(middle[:, 0, 0, :]), shifts[:, 0, 0, :], middle[:, 0, 0, :])


def _check_alphas(report, images, per_image, alpha_std) -> None:
    """Each image's shift read in the batch's principal axes, alpha_i = (p_i . shift) / lambda_i: independent, mean 0
    and standard deviation alpha_std, or a spread that names the mistake."""
    pixels = images.reshape(-1, 3).astype("float64")
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(pixels, rowvar=False))
    alphas = per_image @ eigenvectors / eigenvalues
    stds, means = alphas.std(axis=0), alphas.mean(axis=0)
    near = lambda ratio: np.all(np.abs(ratio - 1) < 0.15)  # noqa: E731 -- 4 standard errors of a spread of 400 draws
    centred = np.all(np.abs(means) < 4 * stds / np.sqrt(len(alphas)))
    report.precondition(centred or not near(stds / alpha_std), f"alpha_std={alpha_std}: the alphas have the right "
                        f"spread but means {', '.join(f'{m:.3g}' for m in means)} per axis: draw them with mean 0, "
                        f"alpha_i ~ N(0, alpha_std)")
    if near(stds / alpha_std):
        excess = float((((alphas - means) / stds) ** 4).mean() - 3)  # a normal distribution's kurtosis is 3
        report.precondition(abs(excess) < 0.7, f"alpha_std={alpha_std}: the alphas have the right spread but are not "
                            f"drawn from a normal distribution (excess kurtosis {excess:.2f}, about 0 for a normal, "
                            f"-1.2 for a uniform one): AlexNet draws alpha_i ~ N(0, alpha_std), rng.normal")
        correlation = np.abs(np.corrcoef(alphas, rowvar=False)[np.triu_indices(3, 1)]).max()
        report.require(correlation < 0.3, f"alpha_std={alpha_std}: the shifts lie along the batch's principal colour "
                       f"axes, with independent alphas of mean 0 and standard deviation "
                       f"{', '.join(f'{s:.3f}' for s in stds)} per axis",
                       f"alpha_std={alpha_std}: the three alphas of an image are tied together (correlation "
                       f"{correlation:.2f}): draw three independent alphas per image, one per axis")
        return
    correlation_values, correlation_vectors = np.linalg.eigh(np.corrcoef(pixels, rowvar=False))
    one_mean = pixels - pixels.mean()  # the three channels centred by one mean
    one_mean_values, one_mean_vectors = np.linalg.eigh(one_mean.T @ one_mean / len(pixels))
    variance = "the alphas' spread matches alpha_std ** 2 or sqrt(alpha_std): alpha_std is the standard deviation"
    spreads = [  # (a mistake, the spread of the alphas over alpha_std, about 1 when it is that mistake)
        ("the shift is scaled by sqrt(lambda_i) (a standard deviation); AlexNet scales p_i by alpha_i * lambda_i",
         stds * np.sqrt(eigenvalues) / alpha_std),
        ("the principal axes are those of np.corrcoef, which scales each colour to variance 1: use the covariance, "
         "np.cov(pixels, rowvar=False)",
         (per_image @ correlation_vectors / correlation_values).std(axis=0) / alpha_std),
        ("the pixels are centred by one mean for the three channels: each channel by its own, pixels.mean(axis=0), "
         "as np.cov(pixels, rowvar=False) does", (per_image @ one_mean_vectors / one_mean_values).std(0) / alpha_std),
        (variance, stds / alpha_std**2), (variance, stds / np.sqrt(alpha_std)),
        ("the alphas have standard deviation 1: rng.normal's first argument is the mean -- rng.normal(0, alpha_std, "
         "size)", stds)]
    hint = next((advice for advice, spread in spreads if near(spread)),
                "the shifts read in the batch's principal axes are not alpha_i * lambda_i with alpha_i ~ N(0, "
                "alpha_std): use the covariance of all the batch's pixels (centred: np.cov), its eigenvectors as the "
                "columns p_i, and add sum_i alpha_i lambda_i p_i")
    report.fail(f"alpha_std={alpha_std}: the alphas implied by the shifts have standard deviations "
                f"{', '.join(f'{s:.3g}' for s in stds)} per axis (expected about {alpha_std}) -- {hint}")


def _check_seed(report, pca_color_augmentation, images) -> None:
    def twice(seed):
        return [_augmented(report, pca_color_augmentation, images.copy(),
                           f"pca_color_augmentation(images, seed={seed})", 0.1, seed=seed) for _ in range(2)]
    runs = {seed: twice(seed) for seed in (0, 8)}
    runs[None], changed = random_states_changed(lambda: twice(None))
    report.precondition(not changed, f"with seed=None it changed {changed}: draw from np.random.default_rng(seed)")
    report.check(all(np.array_equal(*runs[seed]) for seed in (0, 8)) and not np.allclose(runs[0][0], runs[8][0])
                 and not np.allclose(*runs[None]),
                 "the same seed gives the same images (0 included), another seed or seed=None other ones",
                 "the seed does not fix the result (or seed=None does): draw the alphas from "
                 "np.random.default_rng(seed), which draws anew for seed=None")


def _check_clipped(report, pca_color_augmentation) -> None:
    """Full-range images and large alphas: values clipped to [0, 1], the others shifted alike."""
    images = np.random.default_rng(4).uniform(0, 1, size=(40, 4, 4, 3)).astype("float32")
    got = _augmented(report, pca_color_augmentation, images, "pca_color_augmentation(images in [0, 1], 5.0)",
                     5.0, seed=0)
    inside = (got > 0) & (got < 1)
    highest = np.where(inside, got - images, -np.inf).max(axis=(1, 2))
    lowest = np.where(inside, got - images, np.inf).min(axis=(1, 2))
    steady = np.where(np.isfinite(highest) & np.isfinite(lowest), highest - lowest, 0.0)
    report.check(got.min() >= 0 and got.max() <= 1 and steady.max() < 1e-4,
                 "with alpha_std=5 on images spanning [0, 1], values are clipped to [0, 1] and the rest shifted",
                 f"values from {got.min():.3f} to {got.max():.3f}, and unclipped pixels of an image shifted by "
                 f"amounts up to {steady.max():.3f} apart: add the shift, then clip to [0, 1] (np.clip)")

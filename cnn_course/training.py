"""The course's training recipes, for networks trained from scratch on a few thousand images.

Each piece is one idea of the lectures or the papers behind them:

- `validation_split`: the images a recipe is tuned on, carved from the training data;
- `zero_init_residuals`: every residual block starts with its main path switched off (Goyal et al. 2017);
- `set_batch_norm_momentum`: batch-norm statistics that keep up with short epochs;
- `warmup_cosine`: a learning rate that warms up, then decays smoothly to 0 (Goyal et al.; Loshchilov & Hutter);
- `fit`: training with data augmentation on the training path only, in the input pipeline;
- `fit_from_scratch`: all of the above together, the recipe of notebooks 02, 07 and 08;
- `per_class_subset`, `epochs_for`, `Stopwatch`, `epoch_seconds`, `seed_table`, `compared`: experiments over
  training-set sizes and seeds, timed and reported as median (range).
"""

from __future__ import annotations

import math
import time

import keras
import numpy as np
from keras import layers

from cnn_course.augment import flip_rotate_translate
from cnn_course.datasets import Split
from cnn_course.graph import chain_back, inputs_of, is_addition, operations, producer


def validation_split(x: np.ndarray, y: np.ndarray, fraction: float = 0.1, seed: int = 0) -> tuple[Split, Split]:
    """Hold out a validation set from the *training* data: ``(x_fit, y_fit), (x_val, y_val)``.

    The validation images choose the epochs, learning rates and other recipe settings, so the
    test set can be used once, at the end, for a figure nothing was tuned on. The split is
    stratified (every class in the same proportion in both parts) and fixed by `seed`, whatever
    seed the training itself runs with.
    """
    from sklearn.model_selection import train_test_split

    x_fit, x_val, y_fit, y_val = train_test_split(x, y, test_size=fraction, stratify=y, random_state=seed)
    return (x_fit, y_fit), (x_val, y_val)


def zero_init_residuals(model) -> int:
    """Start every residual block with its main path switched off: set to 0 the scale gamma of
    the last batch norm on each block's main path, so the main path outputs zeros. An identity
    block then computes g(0 + a) = a on its (non-negative) input and a convolutional block
    just its shortcut, so a deep network starts nearly as shallow as its stem and head, and
    each block learns its residual from there (Goyal et al., "Accurate, Large Minibatch SGD",
    2017, Section 5.1). Works on any Functional model built from blocks that end in
    BatchNormalization -> Add (``layers.Add`` or ``+``); returns the number of blocks changed.
    """
    changed = 0
    for add in (operation for operation in operations(model) if is_addition(operation)):
        # back to the block's input, the main path passes more layers than the shortcut
        main_path_end = max(inputs_of(add), key=lambda tensor: len(chain_back(tensor)))
        last, _ = producer(main_path_end)
        if isinstance(last, layers.BatchNormalization):
            last.gamma.assign(keras.ops.zeros(last.gamma.shape, dtype=last.gamma.dtype))
            changed += 1
    return changed


def set_batch_norm_momentum(model, momentum: float = 0.9) -> int:
    """Set the momentum of every batch-norm layer; returns how many there are.

    At test time batch normalization uses moving averages of the batches' means and variances,
    which span about 1 / (1 - momentum) steps. Keras's default 0.99 spans 100 steps: several
    short epochs on a small data set, while the weights still change fast, so the test-time
    statistics lag behind; 0.9 spans 10 steps. (PyTorch's ``momentum=0.1`` is the same.)
    """
    norms = [layer for layer in model.layers if isinstance(layer, layers.BatchNormalization)]
    for layer in norms:
        layer.momentum = momentum
    return len(norms)


def warmup_cosine(epochs: int, steps_per_epoch: int, peak: float = 1e-3, start: float = 1e-4,
                  warmup_epochs: int = 1):
    """A learning rate that climbs linearly from `start` to `peak` over the first `warmup_epochs`,
    then follows a cosine from `peak` down to 0 at the end of training.

    The warm-up lets batch-norm statistics and the first updates settle before the full rate
    (Goyal et al. 2017, arXiv:1706.02677); the cosine decay lets the weights settle by the last
    epoch (Loshchilov & Hutter, "SGDR", 2017, arXiv:1608.03983).
    """
    # Keras counts decay_steps after the warm-up: the cosine ends, at 0, with the last step (a run
    # no longer than its warm-up never decays, but Keras needs a decay of at least one step)
    decay_steps = max(epochs - warmup_epochs, 1) * steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(start, decay_steps=decay_steps, warmup_target=peak,
                                                  warmup_steps=warmup_epochs * steps_per_epoch)


class AugmentedBatches(keras.utils.PyDataset):
    """Shuffled mini-batches of ``(x, y)``, each passed through `augmentation` (``training=True``)
    as it is drawn: a new distortion of every image in every epoch, computed in the input
    pipeline rather than in the compiled training step.

    This keeps the resampling of rotations and shifts out of the compiled step, where under XLA
    (Keras's JAX backend) it made each ResNet-50 step about 1 s slower on two CPU cores, although
    the same layers compiled on their own take 15 ms a batch (``scripts/step_times.py``). Passing
    ``workers=2`` (a ``PyDataset`` option) would distort batches in threads while the model trains, as
    the lecture describes; with the default single worker the run is reproducible from its seed. The
    order is drawn from NumPy's global generator, which ``config.setup`` seeds.
    """

    def __init__(self, x, y, batch_size: int, augmentation, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size, self.augmentation = x, y, batch_size, augmentation
        self.order = np.random.permutation(len(x))

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index: int):
        batch = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        return keras.ops.convert_to_numpy(self.augmentation(self.x[batch], training=True)), self.y[batch]

    def on_epoch_end(self) -> None:
        self.order = np.random.permutation(len(self.x))


def fit(model, x, y, *, epochs: int, batch_size: int, optimizer, augmentation=None, validation_data=None,
        loss="sparse_categorical_crossentropy", metrics=("accuracy",), run_eagerly: bool = False, verbose=2):
    """Compile `model` and train it on ``(x, y)``, passing the training images through `augmentation`
    first (see `AugmentedBatches`).

    `model` itself -- what is evaluated, saved and predicted with -- never contains the
    augmentation layers, and the validation data is never augmented.

    Args:
        model: a Keras model taking the images.
        augmentation: a layer (e.g. `augment.flip_rotate_translate()`) or None.
        optimizer, loss, metrics, run_eagerly: as for ``model.compile``.
        epochs, batch_size, validation_data, verbose: as for ``model.fit``.

    Returns:
        The ``History`` of ``fit``.
    """
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics), run_eagerly=run_eagerly)
    if augmentation is None:
        return model.fit(x, y, batch_size=batch_size, epochs=epochs, validation_data=validation_data,
                         verbose=verbose)
    batches = AugmentedBatches(x, y, batch_size, augmentation)
    return model.fit(batches, epochs=epochs, validation_data=validation_data, verbose=verbose)


def fit_from_scratch(model, x, y, *, epochs: int, validation_data=None, batch_size: int = 32, peak: float = 1e-3,
                     augmentation=True, run_eagerly: bool = False, verbose=0):
    """Train a network from random weights on a small image set with the course's recipe: batch-norm
    momentum 0.9 (`set_batch_norm_momentum`), Adam whose rate warms up from ``peak / 10`` to `peak`
    over the first epoch and then follows a cosine to 0 (`warmup_cosine`), and every training image
    mirrored, turned (up to 0.05 of a turn) and shifted (up to 10 %) as it is drawn (`fit`).

    Args:
        augmentation: True for the recipe's mirroring, turning and shifting; None for no augmentation;
            or a layer of your own.

    Returns:
        The ``History`` of ``fit``.
    """
    if augmentation is True:
        augmentation = flip_rotate_translate(rotation=0.05, translation=0.1)
    set_batch_norm_momentum(model, 0.9)
    schedule = warmup_cosine(epochs, math.ceil(len(x) / batch_size), peak=peak, start=peak / 10)
    return fit(model, x, y, epochs=epochs, batch_size=batch_size, optimizer=keras.optimizers.Adam(schedule),
               augmentation=augmentation, validation_data=validation_data, run_eagerly=run_eagerly, verbose=verbose)


def per_class_subset(y: np.ndarray, per_class: int | None, seed: int) -> np.ndarray:
    """Indices of `per_class` images of each class of labels `y` (all of them for None), drawn with `seed`."""
    if per_class is None:
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in np.unique(y)])


def epochs_for(count: int, minimum_epochs: int, minimum_steps: int, batch_size: int = 32) -> int:
    """Epochs for `count` images: at least `minimum_epochs`, and enough for `minimum_steps` steps, so that a
    small training set is not also trained for fewer steps."""
    return max(minimum_epochs, math.ceil(minimum_steps / math.ceil(count / batch_size)))


class Stopwatch(keras.callbacks.Callback):
    """Times ``fit``: the seconds of each training step (``steps``) and of each epoch (``epochs``)."""

    def on_train_begin(self, logs=None):
        self.steps, self.epochs = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(time.perf_counter() - self.epoch_start)

    def on_train_batch_begin(self, batch, logs=None):
        self.step_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append(time.perf_counter() - self.step_start)


def epoch_seconds(model, data, y=None, epochs: int = 3, batch_size: int = 32) -> list[float]:
    """Seconds of each of `epochs` training epochs of the compiled `model` on `data` (arrays with labels `y`,
    or a dataset of batches), after one more epoch first that compiles the step and is not counted."""
    stopwatch = Stopwatch()
    model.fit(data, y, epochs=epochs + 1, batch_size=None if y is None else batch_size, callbacks=[stopwatch],
              verbose=0)
    return stopwatch.epochs[1:]


def seed_table(results: dict, header: str) -> str:
    """``{label: {column: [value per seed]}}`` as a text table of median (lowest-highest) per cell."""
    columns = list(next(iter(results.values())))
    width, cell = max(map(len, results)) + 2, [max(21, len(str(column)) + 2) for column in columns]
    lines = [header, " " * width + "".join(f"{column:>{w}}" for column, w in zip(columns, cell))]
    for label, by_column in results.items():
        cells = (f"{f'{np.median(v):.3f} ({min(v):.3f}–{max(v):.3f})':>{w}}" for v, w in zip(by_column.values(), cell))
        lines.append(f"{label:<{width}}" + "".join(cells))
    return "\n".join(lines)


def compared(a: list[float], b: list[float]) -> str:
    """The difference of the medians of runs `a` and `b`, and whether their ranges (lowest to highest)
    overlap: a difference is only read as real where they do not."""
    overlap = min(a) <= max(b) and min(b) <= max(a)
    return f"{np.median(a) - np.median(b):+.3f} ({'ranges overlap' if overlap else 'ranges apart'})"

"""The course's training recipes, for networks trained from scratch on a few thousand images.

Each piece is one idea of the lectures or the papers behind them:

- `validation_split`: the images a recipe is tuned on, carved from the training data;
- `zero_init_residuals`: every residual block starts with its main path switched off (Goyal et al. 2017);
- `set_batch_norm_momentum`: batch-norm statistics that keep up with short epochs;
- `warmup_cosine`: a learning rate that warms up, then decays smoothly to 0 (Goyal et al.; Loshchilov & Hutter);
- `fit`: training with data augmentation on the training path only, in the input pipeline;
- `fit_from_scratch`: all of the above together, the recipe of notebooks 02, 07 and 08.

Experiments over seeds that use these recipes live in `cnn_course.experiments`; timing in `cnn_course.costs`.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers

from cnn_course.augment import apply, flip_rotate_translate
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
        last, inputs = producer(main_path_end)
        while isinstance(last, layers.Identity) or isinstance(last, layers.Activation) and \
                last.activation is keras.activations.linear:  # a step that changes nothing: read through it
            last, inputs = producer(inputs[0])
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
    """Shuffled mini-batches of ``(x, y)``, each passed through `augmentation` as it is drawn (`augment.apply`:
    a layer called with ``training=True``, or a NumPy function of a batch): a new distortion of every image in
    every epoch, computed in the input pipeline rather than in the compiled training step.

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
        return apply(self.augmentation, self.x[batch]), self.y[batch]

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
        augmentation: a layer (e.g. `augment.flip_rotate_translate()`), a function of a batch, or None.
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
                     augmentation=True, copies: int = 1, run_eagerly: bool = False, verbose=0):
    """Train a network from random weights on a small image set with the course's recipe: batch-norm
    momentum 0.9 (`set_batch_norm_momentum`), Adam whose rate warms up from ``peak / 10`` to `peak`
    over the first epoch and then follows a cosine to 0 (`warmup_cosine`), and every training image
    mirrored, turned (up to 0.05 of a turn) and shifted (up to 10 %) as it is drawn (`fit`).

    Args:
        augmentation: True for the recipe's mirroring, turning and shifting; None for no augmentation;
            or a distortion of your own (a layer or a function of a batch).
        copies: how many distorted copies of each training image `x` holds (`augment.distorted_copies`,
            with ``augmentation=None``): one epoch over `x` is then `copies` epochs of the recipe, and the
            warm-up lasts the first of them.

    Returns:
        The ``History`` of ``fit``.
    """
    if augmentation is True:
        augmentation = flip_rotate_translate(rotation=0.05, translation=0.1)
    set_batch_norm_momentum(model, 0.9)
    schedule = warmup_cosine(epochs * copies, math.ceil(len(x) / copies / batch_size), peak=peak, start=peak / 10)
    return fit(model, x, y, epochs=epochs, batch_size=batch_size, optimizer=keras.optimizers.Adam(schedule),
               augmentation=augmentation, validation_data=validation_data, run_eagerly=run_eagerly, verbose=verbose)

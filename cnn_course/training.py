"""The course's training recipes, for networks trained from scratch on a few thousand images.

Each piece is one idea of the lectures or the papers behind them:

- `zero_init_residuals`: every residual block starts with its main path switched off (Goyal et al. 2017);
- `set_batch_norm_momentum`: batch-norm statistics that keep up with short epochs;
- `warmup_cosine`: a learning rate that warms up, then decays smoothly to 0 (Goyal et al.; Loshchilov & Hutter);
- `fit`: training with data augmentation on the training path only.
"""

from __future__ import annotations

import keras
from keras import layers

from cnn_course.graph import chain_back, inputs_of, is_addition, operations, producer


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
    return keras.optimizers.schedules.CosineDecay(start, decay_steps=epochs * steps_per_epoch, warmup_target=peak,
                                                  warmup_steps=warmup_epochs * steps_per_epoch)


def fit(model, x, y, *, epochs: int, batch_size: int, optimizer, augmentation=None, validation_data=None,
        loss="sparse_categorical_crossentropy", metrics=("accuracy",), run_eagerly: bool = False, verbose=2):
    """Train `model` on ``(x, y)``, passing the training images through `augmentation` first.

    The augmentation layers and `model` are stacked in a trainer that shares `model`'s layers and
    weights, so `model` itself -- what is evaluated, saved and predicted with -- never contains
    them, and the validation data is never augmented.

    Args:
        model: a Keras model taking the images.
        augmentation: a layer (e.g. `augment.flip_rotate_translate()`) or None.
        optimizer, loss, metrics, run_eagerly: as for ``model.compile``.
        epochs, batch_size, validation_data, verbose: as for ``model.fit``.

    Returns:
        The ``History`` of ``fit``.
    """
    steps = [keras.Input(model.input_shape[1:]), *([augmentation] if augmentation is not None else []), model]
    trainer = keras.Sequential(steps, name=f"{model.name}_trainer")
    trainer.compile(optimizer=optimizer, loss=loss, metrics=list(metrics), run_eagerly=run_eagerly)
    return trainer.fit(x, y, batch_size=batch_size, epochs=epochs, validation_data=validation_data, verbose=verbose)

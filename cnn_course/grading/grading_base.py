"""The small bases notebook 10's graders grade on (never the notebook's ImageNet base), and how to tell what an answer
did to a model: which variables moved, which layers' settings changed, what the frozen part computes."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from cnn_course.fixtures import randomize_weights


def grading_base(stages=(8, 12, 16), seed: int = 0, input_shape=(32, 32, 3)):
    """Random weights and batch-norm statistics; per stage a 3x3 convolution (stride 2 in the first three), batch norm,
    ReLU and a 1x1 convolution, so an off-by-one border shows. The Dropout(0.5) after the first stage makes training
    mode show, and sits below every top-n border `check_unfreeze_top` uses (its top 4 layers are a whole stage)."""
    inputs = x = keras.Input(input_shape)
    for i, filters in enumerate(stages):
        x = layers.Conv2D(filters, 3, strides=2 if i < 3 else 1, padding="same", use_bias=False, name=f"stage{i}_a")(x)
        x = layers.BatchNormalization(name=f"stage{i}_b")(x)  # names that say no kind: a layer is told by its class
        x = layers.Activation("relu", name=f"stage{i}_c")(x)
        x = layers.Conv2D(filters, 1, name=f"stage{i}_d")(x)
        if i == 0:
            x = layers.Dropout(0.5, name="stage0_e")(x)
    base = keras.Model(inputs, x, name=f"grading_base_{seed}")
    randomize_weights(base, seed=seed)
    return base


def pixels(count: int, shape=(32, 32, 3), seed: int = 0) -> np.ndarray:
    """Whole pixel values, each image in a range of its own inside [5, 250], so that scaling by an image's or the
    batch's own minimum and maximum, rather than x / 127.5 - 1, shows."""
    rng = np.random.default_rng(seed)
    low, span = rng.uniform(5, 100, size=(count, 1, 1, 1)), rng.uniform(60, 150, size=(count, 1, 1, 1))
    return np.round(low + span * rng.uniform(0, 1, size=(count, *shape))).astype("float32")


def snapshot(model) -> dict:
    """Every variable's value by path: weights and batch-norm statistics."""
    return {variable.path: np.array(variable) for variable in model.weights}


def moved(before: dict, model) -> set:
    """Paths of `model`'s variables that differ from `before` (or that it does not hold)."""
    return {variable.path for variable in model.weights
            if variable.path not in before or not np.array_equal(before[variable.path], variable)}


def settings(model, flags: bool = True) -> list:
    """Each layer's name and config (with its trainable flag unless `flags` is False), nested models' layers
    included."""
    left_out = ("layers",) if flags else ("trainable", "layers")
    out = []
    for layer in model.layers:
        try:
            config = {key: value for key, value in layer.get_config().items() if key not in left_out}
        except Exception:  # noqa: BLE001 -- a layer of the answer's that cannot say: its class stands for it
            config = {"class": type(layer).__name__}
        out.append((layer.name, config))
        if isinstance(layer, keras.Model):
            out += settings(layer, flags)
    return out


def state(model, flags: bool = True) -> tuple:
    """What an answer must leave as it was: the variables and the layers' settings (trainable flags too, unless
    `flags` is False)."""
    return snapshot(model), settings(model, flags), flags


def what_changed(before: tuple, model) -> str:
    """How `model` differs from its `state` `before`, in words ('' when it does not)."""
    variables, layout, flags = before
    paths = sorted(moved(variables, model))
    if paths:
        return f"the model's weights changed ({', '.join(paths[:3])})"
    after = settings(model, flags)
    if [name for name, _ in layout] != [name for name, _ in after]:
        return "the model's layers changed (some were added, removed or replaced)"
    for (name, old), (_, new) in zip(layout, after):
        key = next((key for key in sorted({*old, *new}) if old.get(key) != new.get(key)), None)
        if key is not None:
            return f"the model's layers changed ({name}'s {key} went from {old.get(key)!r} to {new.get(key)!r})"
    return ""


def pooled(base, images, scale=lambda x: x / 127.5 - 1, pool=np.mean) -> np.ndarray:
    """The frozen part: the base on `scale`d pixels (by default to [-1, 1]), `pool`ed over positions."""
    return pool(np.asarray(base(scale(np.asarray(images, "float32")), training=False)), axis=(1, 2))


def softmax(logits):
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)

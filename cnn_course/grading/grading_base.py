"""The small bases notebook 10's graders grade on (never the notebook's ImageNet base), and how they tell what an
answer did to a model: which variables moved (`snapshot`, `moved`) or which layers' settings changed (`state`,
`what_changed`), where the base sits in the answer's model (`path_to`, `training_written`, `head_layers`), what the
frozen part computes (`pooled`)."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from cnn_course.fixtures import randomize_weights
from cnn_course.grading.vocabulary import expand
from cnn_course.graph import call_arguments, producer


def grading_base(stages=(8, 12, 16), seed: int = 0, input_shape=(32, 32, 3)):
    """A small base with random weights and batch-norm statistics: per stage a 3x3 convolution (stride 2 in the first
    three), batch norm, ReLU and a 1x1 convolution -- weights on both sides of each border, so an off-by-one shows --
    and a Dropout(0.5) after the first stage, so that features computed in training mode differ. The dropout sits
    below every top-n border `check_unfreeze_top` uses (the top 4 and 8 layers are whole stages)."""
    inputs = x = keras.Input(input_shape)
    for i, filters in enumerate(stages):
        x = layers.Conv2D(filters, 3, strides=2 if i < 3 else 1, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
        x = layers.Conv2D(filters, 1, name=f"pointwise{i}")(x)
        if i == 0:
            x = layers.Dropout(0.5, name="dropout")(x)
    base = keras.Model(inputs, x, name=f"grading_base_{seed}")
    randomize_weights(base, seed=seed)
    return base


def snapshot(model) -> dict:
    """Every variable's value by path: weights and batch-norm statistics."""
    return {variable.path: np.array(variable) for variable in model.weights}


def moved(before: dict, model) -> set:
    """Paths of `model`'s variables whose values differ from `before` (or that `before` does not hold)."""
    return {variable.path for variable in model.weights
            if variable.path not in before or not np.array_equal(before[variable.path], variable)}


def settings(model) -> list:
    """Each layer's name and settings (its config but the trainable flag), nested models' layers included."""
    out = []
    for layer in model.layers:
        try:
            config = {key: value for key, value in layer.get_config().items() if key not in ("trainable", "layers")}
        except Exception:  # noqa: BLE001 -- a layer of the answer's that cannot say: its class stands for it
            config = {"class": type(layer).__name__}
        out.append((layer.name, config))
        if isinstance(layer, keras.Model):
            out += settings(layer)
    return out


def state(model) -> tuple:
    """What an answer must leave as it was: `model`'s variables (`snapshot`) and its layers' `settings`."""
    return snapshot(model), settings(model)


def what_changed(before: tuple, model) -> str:
    """How `model` differs from its `state` `before`, in words ('' when it does not)."""
    variables, layout = before
    paths = sorted(moved(variables, model))
    if paths:
        return f"the model's weights changed ({', '.join(paths[:3])})"
    after = settings(model)
    if [name for name, _ in layout] != [name for name, _ in after]:
        return "the model's layers changed (some were added, removed or replaced)"
    for (name, old), (_, new) in zip(layout, after):
        key = next((key for key in sorted({*old, *new}) if old.get(key) != new.get(key)), None)
        if key is not None:
            return f"the model's layers changed ({name}'s {key} went from {old.get(key)!r} to {new.get(key)!r})"
    return ""


def path_to(model, base):
    """The layers from one of `model`'s down to `base`, through nested models (``[base]`` when it is a layer of
    `model` itself), or None when the model does not hold it."""
    for layer in model.layers:
        if layer is base:
            return [base]
        inner = path_to(layer, base) if isinstance(layer, keras.Model) else None
        if inner:
            return [layer, *inner]
    return None


def training_written(path) -> list:
    """The `training` argument of the base's calls as written: its own calls' when given, else that of the calls of
    the nested model around it (``Sequential([Rescaling, base])(x, training=False)``); [None] when none is given."""
    for layer in reversed(path):
        calls = [arguments.get("training") for arguments in call_arguments(layer)]
        if any(training is not None for training in calls):
            return calls
    return [None]


def head_layers(model, below) -> list:
    """The layers from `below`'s output to the model's output (input side first), nested models read through."""
    if not getattr(model, "outputs", None):  # a subclassed model: no graph to read
        return []
    head, (layer, inputs) = [], producer(model.outputs[0])
    while layer is not None and layer is not below and len(inputs) == 1:
        head.insert(0, layer)
        layer, inputs = producer(inputs[0])
    return expand(head)


def pooled(base, images, scale=lambda x: x / 127.5 - 1, pool=np.mean) -> np.ndarray:
    """The frozen part computed here: the base on `scale`d pixels (by default to [-1, 1]), `pool`ed over positions."""
    return pool(np.asarray(base(scale(np.asarray(images, "float32")), training=False)), axis=(1, 2))


def softmax(logits):
    """The softmax over the last axis."""
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)

"""The small bases notebook 10's graders grade on (never the notebook's ImageNet base), and how to tell what an answer
did to a model: which variables moved, which layers' settings changed, what the frozen part computes."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from cnn_course.fixtures import fixed_inputs, randomize_weights
from cnn_course.graph import every_layer


def grading_base(stages=(8, 12, 16), seed: int = 0, input_shape=(32, 32, 3)):
    """Random weights and batch-norm statistics; per stage a 3x3 convolution (stride 2 in the first three), batch norm,
    ReLU and a 1x1 convolution, so an off-by-one border shows. The Dropout(0.5) after the first stage makes training
    mode show, and sits below every top-n border `check_unfreeze_top` uses (the top 4 and 8 layers are whole stages)."""
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
    """Paths of `model`'s variables that differ from `before` (or that it does not hold)."""
    return {variable.path for variable in model.weights
            if variable.path not in before or not np.array_equal(before[variable.path], variable)}


def settings(model) -> list:
    """Each layer's name and config but the trainable flag, nested models' layers included."""
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
    """What an answer must leave as it was: the variables and the layers' settings."""
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


def pooled(base, images, scale=lambda x: x / 127.5 - 1, pool=np.mean) -> np.ndarray:
    """The frozen part: the base on `scale`d pixels (by default to [-1, 1]), `pool`ed over positions."""
    return pool(np.asarray(base(scale(np.asarray(images, "float32")), training=False)), axis=(1, 2))


def softmax(logits):
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def check_training_mode(model, base, what, report) -> None:
    """Predicting is deterministic, and training adds nothing but the head's dropout (each feature dropped on its
    own): with every Dropout's rate at 0, a training call gives the predictions (Keras 3 runs the base in training
    mode too: keras-team/keras issue 20285); no loss is added, and nothing but the base is frozen."""
    images = fixed_inputs((6, *base.input_shape[1:]), seed=4).round()
    predicted = np.asarray(model(images, training=False))
    report.require(np.allclose(np.asarray(model(images)), predicted, atol=1e-4), "model(x) predicts",
                   f"{what}: model(x) differs from model(x, training=False) -- a layer is called with training=True, "
                   f"so the model is random when it predicts: leave `training` to Keras (the base's training=False "
                   f"apart)")
    dropouts = [layer for layer in every_layer(model) if isinstance(layer, layers.Dropout)]
    inside = {id(layer) for layer in every_layer(base)}
    shaped = [layer.name for layer in dropouts if layer.noise_shape is not None and id(layer) not in inside]
    report.require(not shaped, "each feature dropped on its own", f"{what}: {', '.join(shaped)} has a noise_shape, "
                   f"so it drops features together: leave noise_shape out")
    rates = [layer.rate for layer in dropouts]
    try:
        for layer in dropouts:
            layer.rate = 0.0
        trained = np.asarray(model(images, training=True))
    finally:
        for layer, rate in zip(dropouts, rates):
            layer.rate = rate
    report.require(np.allclose(trained, predicted, atol=1e-4), "training adds only the Dropout",
                   f"{what}: in training mode the model computes something else than dropout on top of its "
                   f"predictions (noise, another kind of dropout, a layer that acts only while training): the head is "
                   f"pooling, Dropout(0.2), the softmax Dense -- nothing more")
    report.require(not model.losses, "no loss of its own", f"{what}: the model adds {len(model.losses)} loss(es) of "
                   f"its own (a regularizer): the head is pooling, Dropout(0.2) and the softmax Dense, nothing more")
    own = {id(w) for w in base.weights}
    frozen = [w.path for w in model.non_trainable_weights if id(w) not in own]
    report.require(not frozen, "nothing frozen but the base", f"{what}: {', '.join(frozen)} outside the base "
                   f"{'is' if len(frozen) == 1 else 'are'} frozen: the head is pooling, Dropout(0.2) and the softmax "
                   f"Dense, which trains")
    constrained = [w.path for w in model.trainable_weights if getattr(w, "constraint", None) is not None]
    report.require(not constrained, "no constraint on the softmax", f"{what}: {', '.join(constrained)} has a "
                   f"constraint: leave kernel_constraint out")

"""Reference fixtures: deterministic inputs and distinct random weights.

Two models agree on these inputs with these weights only if they compute the same function, so
the graders (a learner's block against the course's) and the model tests (our builders against
keras.applications') share them.
"""

from __future__ import annotations

import numpy as np


def fixed_inputs(shape, seed: int = 0, low: float = 0.0, high: float = 255.0) -> np.ndarray:
    """A deterministic batch of inputs, uniform in [low, high)."""
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype("float32")


def randomize_weights(model, seed: int = 0) -> None:
    """Give every weight (batch-norm statistics included) distinct random values.

    Kernels get He-scaled values (std sqrt(2 / fan_in)) so activations keep a moderate
    size through many layers and a final softmax does not saturate; batch-norm scales and
    variances stay in [0.5, 1.5].
    """
    rng = np.random.default_rng(seed)
    values = []
    for weight in model.weights:
        shape = tuple(weight.shape)
        if "variance" in weight.path or "gamma" in weight.path:
            values.append(rng.random(shape, dtype=np.float32) + np.float32(0.5))
        else:
            scale = np.sqrt(2.0 / np.prod(shape[:-1])) if len(shape) >= 2 else 0.3
            values.append(rng.standard_normal(shape, dtype=np.float32) * np.float32(scale))
    model.set_weights(values)


def weight_shapes(layer_or_model) -> list[tuple]:
    """The shapes of its weights, in order."""
    return [tuple(w.shape) for w in layer_or_model.weights]


def relative_difference(got, want) -> float:
    """Largest absolute difference, relative to the largest output when that exceeds 1:
    outputs that grow through many layers on random weights are compared to their size."""
    got, want = np.asarray(got), np.asarray(want)
    if not want.size:
        return 0.0
    return float(np.max(np.abs(got - want))) / max(1.0, float(np.max(np.abs(want))))

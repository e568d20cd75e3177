"""The gradient of a loss with respect to chosen weights, on Keras's TensorFlow or JAX backend.

Training needs gradients, and Keras computes them inside ``fit``; to *look* at them (notebook 03:
how the gradient reaching each layer differs between plain and residual networks) we ask the
backend ourselves. This is the one module of the package that imports a backend's own library,
and only the one that is running.
"""

from __future__ import annotations

import keras
import numpy as np


def gradients(model, x, y, variables, loss=keras.losses.sparse_categorical_crossentropy) -> list[np.ndarray]:
    """The gradient of the mean loss on one batch, in training mode, with respect to each of
    `variables` (weights of `model`), as NumPy arrays.

    Keras 3 has no backend-neutral gradient call, because each backend records a computation its
    own way: TensorFlow on a ``GradientTape``, JAX by differentiating a pure function of the
    weights (``jax.grad`` of ``model.stateless_call``). This function speaks both.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            mean_loss = keras.ops.mean(loss(y, model(x, training=True)))
        every = tape.gradient(mean_loss, variables)  # None where no gradient reaches: zero, as JAX says
        return [np.zeros(v.shape, v.dtype) if g is None else keras.ops.convert_to_numpy(g)
                for g, v in zip(every, variables)]
    if backend == "jax":
        import jax

        trainable, fixed = model.trainable_variables, [v.value for v in model.non_trainable_variables]

        def mean_loss(values):
            outputs, _ = model.stateless_call(values, fixed, x, training=True)
            return keras.ops.mean(loss(y, outputs))

        every = jax.grad(mean_loss)([v.value for v in trainable])
        position = {id(variable): i for i, variable in enumerate(trainable)}
        return [np.asarray(every[position[id(variable)]]) for variable in variables]
    raise NotImplementedError(f"gradients() speaks the tensorflow and jax backends, not {backend!r}")

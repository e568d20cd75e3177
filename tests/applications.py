"""Our builders against keras.applications': with the same weights they must compute the same function."""

import keras

from cnn_course.fixtures import fixed_inputs, randomize_weights, relative_difference


def assert_computes_like(ours, theirs, input_shape, low: float = -1.0, high: float = 1.0):
    """Same weight shapes in the same order, and with `theirs`' (randomized) weights copied into `ours`,
    the same outputs in inference and in training mode, within 1e-4 of the outputs' size. Dropout and
    stochastic depth are random in training, so both models have them switched off for that comparison."""
    assert [w.shape for w in ours.weights] == [w.shape for w in theirs.weights]
    randomize_weights(theirs, seed=3)
    ours.set_weights(theirs.get_weights())
    images = fixed_inputs((2, *input_shape), low=low, high=high)
    assert relative_difference(ours(images, training=False), theirs(images, training=False)) <= 1e-4
    for layer in (*ours.layers, *theirs.layers):
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0
    assert relative_difference(ours(images, training=True), theirs(images, training=True)) <= 1e-4

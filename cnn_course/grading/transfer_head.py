"""What `build_transfer_model`'s head must be, checked by behaviour: the lecture's outputs computed with the answer's
own Dense weights, one Dropout(0.2) on the pooled vector, and nothing else that acts while training (notebook 10)."""

from __future__ import annotations

import numpy as np
from keras import layers

from cnn_course.grading.compare import refuse_additions
from cnn_course.grading.grading_base import pixels, pooled, softmax
from cnn_course.graph import every_layer, inputs_of, reused_layers

HEAD = "the head is pooling, Dropout(0.2) and the softmax Dense"


def head_hint(shapes, num_classes) -> str:
    """Why the trainable weights have other `shapes` than the softmax Dense's."""
    if len(shapes) > 2:
        return " -- more layers train than the new softmax (a hidden layer?): the head is pooling, Dropout, Dense"
    if shapes == [(16, num_classes)]:
        return " -- the Dense layer has no bias: keep use_bias=True, the default"
    if shapes and len(shapes[0]) != 2:
        return f" -- the classifier's kernel has shape {shapes[0]} (a convolution?): a Dense layer on the pooled vector"
    if shapes and shapes[0][0] != 16:
        return f" -- {shapes[0][0]} inputs to the Dense layer, not the base's 16 channels: pool with " \
               f"GlobalAveragePooling2D (not Flatten) before it"
    if shapes and shapes[-1] != (num_classes,):
        return f" -- the Dense layer has {shapes[-1][0]} units: use num_classes"
    return ""


def check_outputs(model, base, head, num_classes, what, report) -> None:
    """No layer with weights beside the softmax Dense; the outputs are the lecture's model computed with the answer's
    own Dense weights; then the head's dropout."""
    dense = next((layer for layer in head[::-1] + model.layers[::-1] if isinstance(layer, layers.Dense)), None)
    report.precondition(dense is not None, f"{what}: no Dense layer on top: layers.Dense(num_classes, activation="
                        f"'softmax')")
    images = pixels(6, base.input_shape[1:], seed=3)  # whole pixels: a uint8 Input reads them too
    got = np.asarray(model(images, training=False))
    report.require(got.shape == (6, num_classes), "the outputs have one column per class",
                   f"{what}: 6 images give outputs of shape {got.shape}, expected (6, {num_classes})")
    report.precondition(got.dtype == np.float32, f"{what}: the outputs are {got.dtype} -- keep the softmax in float32 "
                        f"(with mixed precision, dtype='float32' on the last layer)")
    more = [layer.name + " (frozen)" * (not layer.trainable) for layer in head
            if getattr(layer, "weights", None) and layer is not dense]
    report.precondition(not more, f"{what}: the head holds {', '.join(more)} beside the softmax Dense: {HEAD}")
    kernel, bias = np.asarray(dense.kernel), np.asarray(dense.bias) if dense.use_bias else 0
    if not np.allclose(got, softmax(pooled(base, images) @ kernel + bias), atol=1e-4):
        if not np.allclose(got.sum(axis=1), 1, atol=1e-4) or got.min() < 0:
            report.fail(f"{what}: the outputs are not probabilities -- the Dense layer needs activation='softmax'")
        scalings = {"the pixels reach the base unscaled: the base expects [-1, 1], add layers.Rescaling(1 / 127.5, "
                    "offset=-1) before it": lambda x: x,
                    "the pixels reach the base in [0, 1]: the base expects [-1, 1], layers.Rescaling(1 / 127.5, "
                    "offset=-1)": lambda x: x / 255}
        found = _rescaled(model, base) or next((hint for hint, scale in scalings.items() if np.allclose(
            got, softmax(pooled(base, images, scale) @ kernel + bias), atol=1e-4)),
            "expected softmax(Dense(global average of base(pixels / 127.5 - 1)))")
        report.fail(f"{what}: the outputs differ from the lecture's model computed with your Dense weights -- {found}")
    report.success("pixels scaled to [-1, 1], the base, pooled, then a softmax")
    check_dropout(model, head, what, report)


def _rescaled(model, base) -> str:
    """Where the model's Rescaling layers outside the base (x * scale + offset, one after the other) take pixels 0-255,
    when that is not [-1, 1]; else ''."""
    inside = {id(layer) for layer in every_layer(base)}
    ends, rescalings = np.array([0.0, 255.0]), [layer for layer in every_layer(model) if isinstance(
        layer, layers.Rescaling) and id(layer) not in inside]
    for scale, offset in ((np.asarray(layer.scale, "float64"), np.asarray(layer.offset, "float64"))
                          for layer in rescalings):
        if scale.size != 1 or offset.size != 1:  # one per channel: the outputs' comparison says enough
            return ""
        ends = ends * scale.item() + offset.item()
    if not rescalings or np.allclose(ends, [-1, 1], atol=1e-3):
        return ""
    return (f"your Rescaling takes pixels 0-255 to [{ends.min():.4g}, {ends.max():.4g}], the base expects [-1, 1]: "
            f"layers.Rescaling(1 / 127.5, offset=-1) -- its offset is added after the scaling")


def check_dropout(model, head, what, report) -> None:
    """Each layer of the head called once; one Dropout(0.2), on the pooled vector, before the softmax Dense -- as the
    exercise says."""
    again = [layer.name for layer in reused_layers(model.outputs) if layer in head]
    report.precondition(not again, f"{what}: {', '.join(again)} is called more than once -- call each layer of the "
                        f"head once: {HEAD}")
    dropouts = [layer for layer in head if isinstance(layer, layers.Dropout)]
    report.precondition(len(dropouts) == 1, f"{what}: {len(dropouts) or 'no'} Dropout layers between the base and "
                        f"the output; the exercise asks for one, layers.Dropout(0.2), between the pooling and the "
                        f"softmax Dense")
    dropout, dense = dropouts[0], max((i for i, x in enumerate(head) if isinstance(x, layers.Dense)), default=len(head))
    report.precondition(head.index(dropout) < dense, f"{what}: the Dropout comes after the softmax Dense, where it "
                        f"would drop probabilities: put it before the Dense, on the pooled features")
    report.precondition(np.prod(dropout.input.shape[1:]) == dropout.input.shape[-1], f"{what}: the Dropout is applied "
                        f"to the feature maps {tuple(dropout.input.shape)}; apply it to the pooled vector, after "
                        f"GlobalAveragePooling2D")
    report.require(abs(dropout.rate - 0.2) < 1e-9, "Dropout(0.2) on the pooled features, before the softmax",
                   f"{what}: Dropout({dropout.rate:g}); the exercise asks for Dropout(0.2)")


def _drops_together(dropout) -> bool:
    """A noise_shape that ties features together; None or the input's own size along every axis does not."""
    inputs = inputs_of(dropout)
    return dropout.noise_shape is not None and (len(inputs) != 1 or any(
        size is not None and size != own for size, own in zip(dropout.noise_shape, inputs[0].shape)))


def check_training_mode(model, base, head, what, report) -> None:
    """Predicting is deterministic, and training adds nothing but the head's dropout (each feature dropped on its
    own): with the head's and the base's Dropout rates at 0, a training call gives the predictions (Keras 3 runs the
    base in training mode too: keras-team/keras issue 20285); no loss is added, and nothing but the base is frozen."""
    images = pixels(6, base.input_shape[1:], seed=4)
    predicted = np.asarray(model(images, training=False))
    report.require(np.allclose(np.asarray(model(images)), predicted, atol=1e-4), "model(x) predicts",
                   f"{what}: model(x) differs from model(x, training=False) -- a layer is called with training=True, "
                   f"or acts at random without it (augmentation such as RandomFlip belongs to the data, not to this "
                   f"model), so the model is random when it predicts: leave `training` to Keras (the base's "
                   f"training=False apart)")
    dropouts = [layer for layer in every_layer(model) if isinstance(layer, layers.Dropout)]
    inside = {id(layer) for layer in every_layer(base)}
    shaped = [layer.name for layer in dropouts if id(layer) not in inside and _drops_together(layer)]
    report.require(not shaped, "each feature dropped on its own", f"{what}: {', '.join(shaped)} has a noise_shape, "
                   f"so it drops features together: leave noise_shape out")
    dropouts = [layer for layer in dropouts if id(layer) in inside or layer in head]  # a Dropout elsewhere acts
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
                   f"predictions (noise, another kind of dropout, a layer that acts only while training): {HEAD} -- "
                   f"nothing more")
    own = {id(w) for w in base.weights}
    frozen = [w.path for w in model.non_trainable_weights if id(w) not in own]
    report.require(not frozen, "nothing frozen but the base", f"{what}: {', '.join(frozen)} outside the base "
                   f"{'is' if len(frozen) == 1 else 'are'} frozen: {HEAD}, which trains")
    refuse_additions(model, report, what, f"{HEAD}, nothing more")

"""check_inception_module must reject plausible wrong modules and accept equivalent right ones."""

import keras
from catalogue import catalogue, stub
from keras import layers

from cnn_course import blocks
from cnn_course.grading.inception_network import check_inception_module


def module(order=(0, 1, 2, 3), pool="max", pool_padding="same", pool_stride=1, middle_padding="same",
           swap_reduce=False, relu_on_reduce=True, separate_relu=False, reduce_after=False, axis=-1,
           create_pool_first=False, join=None, relu_function=False, reductions="own"):
    """An Inception module with one knob per plausible mistake (defaults: the right answer)."""

    def inception_module(x, filters):
        n1, r3, n3, r5, n5, proj = filters
        if swap_reduce:
            r3, n3 = n3, r3

        def conv(t, n, k, relu=True, padding="same"):
            if relu_function:
                t = layers.Conv2D(n, k, padding=padding)(t)
                return keras.activations.relu(t) if relu else t
            if separate_relu:
                t = layers.Conv2D(n, k, padding=padding)(t)
                return layers.ReLU()(t) if relu else t
            return layers.Conv2D(n, k, padding=padding, activation="relu" if relu else None)(t)

        Pool = {"max": layers.MaxPooling2D, "avg": layers.AveragePooling2D,  # or keras.ops' pools, on a tensor
                "ops max": lambda *a, **k: lambda t: keras.ops.max_pool(t, *a, **k),
                "ops avg": lambda *a, **k: lambda t: keras.ops.average_pool(t, *a, **k)}[pool]
        if create_pool_first:
            pooled = Pool(3, strides=pool_stride, padding=pool_padding)(x)
        b1 = conv(x, n1, 1)
        reduce5 = conv(x, r5, 1, relu=relu_on_reduce)
        if reduce_after:
            b3 = conv(conv(x, n3, 3, padding=middle_padding), r3, 1)
        else:
            reduce3 = reduce5 if reductions == "shared" else conv(x, r3, 1, relu=relu_on_reduce)
            if reductions == "crossed":  # each of the 3x3 and 5x5 convolutions called on the other's reduction
                reduce3, reduce5 = reduce5, reduce3
            b3 = conv(reduce3, n3, 3, padding=middle_padding)
        b5 = conv(reduce5, n5, 5, padding=middle_padding)
        if not create_pool_first:
            pooled = Pool(3, strides=pool_stride, padding=pool_padding)(x)
        bp = conv(pooled, proj, 1)
        branches = [b1, b3, b5, bp]
        if join is not None:
            return join([branches[i] for i in order], axis=axis)
        return layers.Concatenate(axis=axis)([branches[i] for i in order])

    return inception_module


WRONG = {
    "answer key: the course's inception_module": lambda x, filters: blocks.inception_module(x, filters),
    "answer key: notebook 05's bottleneck_layer, the course's": lambda x, filters: layers.Concatenate()([
        layers.Conv2D(filters[0], 1, activation="relu")(x), blocks.bottleneck_layer(x, filters[1], filters[2], 3),
        blocks.bottleneck_layer(x, filters[3], filters[4], 5),
        layers.Conv2D(filters[5], 1, activation="relu")(layers.MaxPooling2D(3, 1, padding="same")(x))]),
    "not implemented": stub,
    "branches concatenated in another order": module(order=(0, 2, 1, 3)),
    "pool before the 1x1 branch": module(order=(3, 0, 1, 2)),
    "average pooling instead of max": module(pool="avg"),
    "keras.ops.average_pool instead of max": (module(pool="ops avg"), "AveragePooling2D"),
    "keras.ops.max_pool without padding": (module(pool="ops max", pool_padding="valid"), "padding='same'"),
    "pool without padding": module(pool_padding="valid"),
    "pool with stride 2": module(pool_stride=2),
    "valid 3x3 and 5x5": module(middle_padding="valid"),
    "3x3 reduce and 3x3 filters swapped": module(swap_reduce=True),
    "no ReLU after the reductions": module(relu_on_reduce=False),
    "1x1 reduction after the 3x3": module(reduce_after=True),
    "the 3x3 and 5x5 convolutions called on each other's reduction": module(reductions="crossed"),
    "one reduction for the 3x3 and the 5x5 branch": module(reductions="shared"),
    "concatenated along the width": module(axis=2),
    "adds the branches": lambda x, filters: layers.Add()([layers.Conv2D(filters[0], 1)(x)] * 2),
    "returns the input": lambda x, filters: x,
    "returns a list": lambda x, filters: [layers.Conv2D(filters[0], 1)(x)],
}
RIGHT = {
    "the reference layout": module(),
    "ReLU as separate layers": module(separate_relu=True),
    "keras.ops.max_pool, read as the pooling it is": module(pool="ops max"),
    "pool layer created first": module(create_pool_first=True),
    "keras.ops.concatenate and keras.activations.relu": module(join=keras.ops.concatenate, relu_function=True),
    # notebook 06 puts one module in a model: a fixed name is no clash there
    "the concatenation given a fixed name": module(join=lambda tensors, axis: layers.Concatenate(
        axis=axis, name="inception_output")(tensors)),
}

HINTS = {"branches concatenated in another order": "table's order", "pool without padding": "padding='same'",
         "3x3 reduce and 3x3 filters swapped": "3x3 reduce",
         "the 3x3 and 5x5 convolutions called on each other's reduction": "called on its own branch's tensor",
         "one reduction for the 3x3 and the 5x5 branch": "is in two branches"}
test_inception_module_rejects, test_inception_module_accepts = catalogue(check_inception_module, WRONG, RIGHT, HINTS)

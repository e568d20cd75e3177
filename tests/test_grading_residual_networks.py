"""Wrong-answer catalogue of notebook 02's residual-block graders."""

import keras
from catalogue import catalogue, stub
from keras import layers

from cnn_course.grading import check_convolutional_block, check_identity_block


def bottleneck(x, f, filters, s=1, shortcut="identity", order=("conv", "bn", "relu"), middle_padding="same",
               stride_on="first", swap_add=False, shortcut_first=True, relu_after_add=True, relu_before_add=False,
               join=layers.Add, relu=lambda: layers.Activation("relu"), shortcut_bn=True, shortcut_stride=True):
    """A configurable bottleneck block: every wrong answer below changes one thing."""
    f1, f2, f3 = filters

    def make_shortcut(inp):
        if shortcut == "identity":
            return inp
        out = layers.Conv2D(f3, 1, strides=s if shortcut_stride else 1)(inp)
        return layers.BatchNormalization()(out) if shortcut_bn else out

    def unit(t, filters_, kernel, strides, padding, last=False):
        for step in order:
            if step == "conv":
                t = layers.Conv2D(filters_, kernel, strides=strides, padding=padding)(t)
            elif step == "bn":
                t = layers.BatchNormalization()(t)
            elif step == "relu" and (not last or relu_before_add):
                t = relu()(t)
        return t

    short = make_shortcut(x) if shortcut_first else None
    main = unit(x, f1, 1, s if stride_on == "first" else 1, "valid")
    main = unit(main, f2, f, s if stride_on == "middle" else 1, middle_padding)
    main = unit(main, f3, 1, 1, "valid", last=True)
    short = make_shortcut(x) if not shortcut_first else short
    out = join()([main, short] if swap_add else [short, main])
    return relu()(out) if relu_after_add else out


def identity(**options):
    def identity_block(x, f, filters):
        return bottleneck(x, f, filters, **options)
    return identity_block


def convolutional(**options):
    def convolutional_block(x, f, filters, s=2):
        return bottleneck(x, f, filters, s=s, **{"shortcut": "conv", **options})
    return convolutional_block


WRONG_IDENTITY = {
    "stub": stub,
    "shortcut added after the last ReLU": identity(relu_before_add=True),
    "no ReLU after the addition": identity(relu_after_add=False),
    "ReLU before batch norm": identity(order=("conv", "relu", "bn")),
    "valid padding in the middle": identity(middle_padding="valid"),
    "a convolution on the shortcut": identity(shortcut="conv"),
    "concatenate instead of add": identity(join=layers.Concatenate),
    "F1 and F2 swapped": lambda x, f, filters: bottleneck(x, f, (filters[1], filters[0], filters[2])),
    "returns a model": lambda x, f, filters: keras.Model(x, bottleneck(x, f, filters)),
}
RIGHT_IDENTITY = {
    "Activation('relu')": identity(),
    "Add with its inputs swapped": identity(swap_add=True),
    "ReLU layers": identity(relu=layers.ReLU),
}

WRONG_CONVOLUTIONAL = {
    "stub": stub,
    "identity shortcut": convolutional(shortcut="identity"),
    "shortcut without batch norm": convolutional(shortcut_bn=False),
    "stride on the middle convolution": convolutional(stride_on="middle"),
    "shortcut without the stride": convolutional(shortcut_stride=False),
    "shortcut added after the last ReLU": convolutional(relu_before_add=True),
    "no ReLU after the addition": convolutional(relu_after_add=False),
    "ignores s": lambda x, f, filters, s=2: bottleneck(x, f, filters, s=2, shortcut="conv"),
}
RIGHT_CONVOLUTIONAL = {
    "reference order": convolutional(),
    "shortcut built after the main path": convolutional(shortcut_first=False),
    "Add with its inputs swapped": convolutional(swap_add=True),
}

test_identity_block_rejects, test_identity_block_accepts = catalogue(
    check_identity_block, WRONG_IDENTITY, RIGHT_IDENTITY)
test_convolutional_block_rejects, test_convolutional_block_accepts = catalogue(
    check_convolutional_block, WRONG_CONVOLUTIONAL, RIGHT_CONVOLUTIONAL)


def test_messages_name_the_likely_mistake():
    after_relu = check_identity_block(WRONG_IDENTITY["shortcut added after the last ReLU"]).first_failure
    assert "after the ReLU" in after_relu
    assert "Add" in check_identity_block(WRONG_IDENTITY["concatenate instead of add"]).first_failure
    assert "stride" in check_convolutional_block(WRONG_CONVOLUTIONAL["stride on the middle convolution"]).first_failure

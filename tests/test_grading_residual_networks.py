"""Wrong-answer catalogue of notebook 02's residual-block graders."""

import keras
import tensorflow as tf
from catalogue import catalogue, pretender, stub
from keras import layers

from cnn_course import blocks, models
from cnn_course.blocks import identity_block as imported_identity_block
from cnn_course.grading.residual_networks import check_convolutional_block, check_identity_block, check_ResNet50


def bottleneck_block(x, f, filters, s=1, shortcut="identity", order=("conv", "bn", "relu"), middle_padding="same",
                     stride_on="first", swap_add=False, shortcut_first=True, relu_after_add=True,
                     relu_before_add=False, join=lambda tensors: layers.Add()(tensors),
                     relu=lambda: layers.Activation("relu"), shortcut_bn=True, shortcut_stride=True,
                     one_by_one_padding="valid", final_relu=None, shortcut_relu=False, bn_axis=-1, use_bias=True,
                     bn_options=None, last_conv_options=None, shortcut_filters=2):
    """A configurable bottleneck block: every wrong answer below changes one thing."""
    f1, f2, f3 = filters

    def make_shortcut(inp):
        if shortcut == "identity":
            return layers.ReLU()(inp) if shortcut_relu else inp
        out = layers.Conv2D(filters[shortcut_filters], 1, strides=s if shortcut_stride else 1,
                            padding=one_by_one_padding)(inp)
        out = layers.BatchNormalization()(out) if shortcut_bn else out
        return layers.Activation("relu")(out) if shortcut_relu else out

    def unit(t, filters_, kernel, strides, padding, last=False):
        for step in order:
            if step == "conv":
                options = (last_conv_options or {}) if last else {}
                t = layers.Conv2D(filters_, kernel, strides=strides, padding=padding, use_bias=use_bias, **options)(t)
            elif step == "bn":
                t = layers.BatchNormalization(axis=bn_axis, **(bn_options or {}))(t)
            elif step == "relu" and (not last or relu_before_add):
                t = relu()(t)
        return t

    short = make_shortcut(x) if shortcut_first else None
    main = unit(x, f1, 1, s if stride_on == "first" else 1, one_by_one_padding)
    main = unit(main, f2, f, s if stride_on == "middle" else 1, middle_padding)
    main = unit(main, f3, 1, 1, one_by_one_padding, last=True)
    short = make_shortcut(x) if not shortcut_first else short
    out = join([main, short] if swap_add else [short, main])
    return (final_relu or (lambda t: relu()(t)))(out) if relu_after_add else out


def where_relu(t):
    """ReLU spelled as two operations, a comparison and a choice."""
    return keras.ops.where(t > 0, t, 0.0)


_KEPT = {}  # the layers of every block size made so far


def identity_kept_between_calls(x, f, filters):
    """Each size's layers made once and kept: a second block of that size calls the same layer objects."""
    steps = _KEPT.setdefault((f, filters, x.shape[-1]), [
        layers.Conv2D(filters[0], 1), layers.BatchNormalization(), layers.ReLU(),
        layers.Conv2D(filters[1], f, padding="same"), layers.BatchNormalization(), layers.ReLU(),
        layers.Conv2D(filters[2], 1), layers.BatchNormalization()])
    shortcut = x
    for step in steps:
        x = step(x)
    return layers.ReLU()(layers.Add()([shortcut, x]))


def shortcut_from_the_main_path(x, f, filters, s=2):
    """The shortcut's 1x1 convolution built on x after the main path has replaced it."""
    x = bottleneck_block(x, f, filters, s=s, shortcut="conv", relu_after_add=False, join=lambda tensors: tensors[1])
    shortcut = layers.BatchNormalization()(layers.Conv2D(filters[2], 1, strides=s)(x))
    return layers.Activation("relu")(layers.Add()([shortcut, x]))


def identity(**options):
    def identity_block(x, f, filters):
        return bottleneck_block(x, f, filters, **options)
    return identity_block


def convolutional(**options):
    def convolutional_block(x, f, filters, s=2):
        return bottleneck_block(x, f, filters, s=s, **{"shortcut": "conv", **options})
    return convolutional_block


WRONG_IDENTITY = {
    "answer key: the course's identity_block": lambda x, f, filters: blocks.identity_block(x, f, filters),
    "answer key: imported by name": lambda x, f, filters: imported_identity_block(x, f, filters),
    "answer key: converted by tf.autograph in the answer": lambda x, f, filters: tf.autograph.to_graph(
        blocks.identity_block)(x, f, filters),
    "stub": stub,
    "shortcut added after the last ReLU": identity(relu_before_add=True),
    "no ReLU after the addition": identity(relu_after_add=False),
    "ReLU before batch norm": identity(order=("conv", "relu", "bn")),
    "valid padding in the middle": identity(middle_padding="valid"),
    "a convolution on the shortcut": identity(shortcut="conv"),
    "concatenate instead of add": identity(join=lambda tensors: layers.Concatenate()(tensors)),
    "a ReLU capped at 6 after the addition": identity(final_relu=lambda t: layers.ReLU(max_value=6)(t)),
    "a ReLU on the shortcut": identity(shortcut_relu=True),
    "batch norm over axis 1": identity(bn_axis=1),
    "convolutions without bias": identity(use_bias=False),
    "batch norm without its offset": identity(bn_options={"center": False}),
    "batch renormalization (renorm=True)": identity(bn_options={"renorm": True}),
    "a fused ReLU on the last 1x1 convolution": identity(last_conv_options={"activation": "relu"}),
    "a dilated last convolution": identity(last_conv_options={"dilation_rate": 2}),
    "F1 and F2 swapped": lambda x, f, filters: bottleneck_block(x, f, (filters[1], filters[0], filters[2])),
    "returns a model": lambda x, f, filters: keras.Model(x, bottleneck_block(x, f, filters)),
    "F2 and F3 swapped": (lambda x, f, filters: bottleneck_block(x, f, (filters[0], filters[2], filters[1])),
                          "different numbers of channels"),
    # ResNet50 calls the block 16 times in one graph, and notebook 02 counts and tunes its layers one by one
    "layers with fixed names": (identity(last_conv_options={"name": "conv_c"}), "clash"),
    "each ReLU a Sequential model of its own": (identity(relu=lambda: keras.Sequential([layers.Activation("relu")])),
                                                "model of its own"),
    "Keras' names restarted first (clear_session), so that two calls repeat them": (
        lambda x, f, filters: (keras.backend.clear_session(), bottleneck_block(x, f, filters))[1], "clear_session"),
    "the block a model of its own, called on x": (lambda x, f, filters: as_a_model(
        x, lambda u: bottleneck_block(u, f, filters)), "model of its own"),
    # ResNet50 stacks blocks of one size: kept layers would share their weights
    "its layers kept between calls for blocks of the same size": (identity_kept_between_calls,
                                                                   "a second call uses the first one's layers"),
}
RIGHT_IDENTITY = {
    "Activation('relu')": identity(),
    "Add with its inputs swapped": identity(swap_add=True),
    "ReLU layers": identity(relu=layers.ReLU),
    "1x1 convolutions with padding='same'": identity(one_by_one_padding="same"),
    "x + shortcut": identity(join=lambda tensors: tensors[0] + tensors[1]),
    "keras.activations.relu": identity(final_relu=keras.activations.relu),
    "keras.ops.where(t > 0, t, 0) after the addition": identity(final_relu=where_relu),
    "t * (sign(t) + 1) / 2 as the main path's ReLU (an addition inside the activation)": identity(
        relu=lambda: lambda t: t * (keras.ops.sign(t) + 1) / 2),
    "keras.ops.relu everywhere": identity(relu=lambda: keras.ops.relu),
    "batch-norm epsilon of keras.applications": identity(bn_options={"epsilon": 1.001e-5}),
    "a layer named after the block's input tensor (a name of its own in every block)": lambda x, f, filters: (
        bottleneck_block(x, f, filters, last_conv_options={"name": f"{x.name}_conv_c"})),
    "Activation('linear') between the last batch norm and the addition": identity(
        join=lambda tensors: layers.Add()([tensors[0], layers.Activation("linear")(tensors[1])])),
}

WRONG_CONVOLUTIONAL = {
    "a ReLU on the shortcut": convolutional(shortcut_relu=True),
    "answer key: the course's convolutional_block":
        lambda x, f, filters, s=2: blocks.convolutional_block(x, f, filters, s=s),
    "stub": stub,
    "identity shortcut": convolutional(shortcut="identity"),
    "shortcut without batch norm": convolutional(shortcut_bn=False),
    "stride on the middle convolution": convolutional(stride_on="middle"),
    "shortcut without the stride": convolutional(shortcut_stride=False),
    "shortcut added after the last ReLU": convolutional(relu_before_add=True),
    "no ReLU after the addition": convolutional(relu_after_add=False),
    "ignores s": lambda x, f, filters, s=2: bottleneck_block(x, f, filters, s=2, shortcut="conv"),
    "s defaults to 1 (the text's signature has s=2)": lambda x, f, filters, s=1: bottleneck_block(
        x, f, filters, s=s, shortcut="conv"),
    "the block a model of its own, called on x": (lambda x, f, filters, s=2: as_a_model(
        x, lambda u: bottleneck_block(u, f, filters, s=s, shortcut="conv")), "model of its own"),
    "the shortcut built on x after the main path replaced it": (shortcut_from_the_main_path, "shortcut = x first"),
}
RIGHT_CONVOLUTIONAL = {
    "reference order": convolutional(),
    "shortcut built after the main path": convolutional(shortcut_first=False),
    "Add with its inputs swapped": convolutional(swap_add=True),
    "1x1 convolutions with padding='same'": convolutional(one_by_one_padding="same"),
    "keras.activations.relu everywhere": convolutional(relu=lambda: keras.activations.relu),
}

IDENTITY_HINTS = {
    "shortcut added after the last ReLU": "after the ReLU",
    "concatenate instead of add": "Add",
    "a ReLU capped at 6 after the addition": "ReLU6",
    "a ReLU on the shortcut": "shortcut should be the input itself",
    "batch norm over axis 1": "axis=-1",
    "convolutions without bias": "use_bias=True",
    "batch norm without its offset": "center=True",
    "a fused ReLU on the last 1x1 convolution": "activation='relu'",
    "a dilated last convolution": "dilation_rate",
    "batch renormalization (renorm=True)": "renorm=False",
}
test_identity_block_rejects, test_identity_block_accepts = catalogue(
    check_identity_block, WRONG_IDENTITY, RIGHT_IDENTITY, IDENTITY_HINTS)
CONVOLUTIONAL_HINTS = {"stride on the middle convolution": "stride", "a ReLU on the shortcut": "no ReLU of its own",
                       "s defaults to 1 (the text's signature has s=2)": "s defaults to 2"}
test_convolutional_block_rejects, test_convolutional_block_accepts = catalogue(
    check_convolutional_block, WRONG_CONVOLUTIONAL, RIGHT_CONVOLUTIONAL, CONVOLUTIONAL_HINTS)


def resnet(stages=((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)), pool_padding=True, head="gap",
           shortcuts=True, package_blocks=False, stem_relu=True, stem_pool=layers.MaxPooling2D, stem_conv_same=False,
           stem_bn_options=None, nest=False, **block_options):
    """A learner-style ResNet-50 made of `bottleneck_block`s; each wrong answer changes one thing."""
    def ResNet50(input_shape=(64, 64, 3), classes=6):
        inputs, nested = keras.Input(input_shape), nest
        if stem_conv_same:
            x = layers.Conv2D(64, 7, strides=2, padding="same")(inputs)
        else:
            x = layers.Conv2D(64, 7, strides=2)(layers.ZeroPadding2D(3)(inputs))
        x = layers.BatchNormalization(**(stem_bn_options or {}))(x)
        x = layers.Activation("relu")(x) if stem_relu else x
        x = layers.ZeroPadding2D(1)(x) if pool_padding else x
        x = stem_pool(3, strides=2, padding="valid" if pool_padding else "same")(x)
        for f1, count, stride in stages:
            filters = (f1, f1, 4 * f1)
            if package_blocks:
                x = blocks.convolutional_block(x, 3, filters, s=stride)
                for _ in range(count - 1):
                    x = blocks.identity_block(x, 3, filters)
            elif shortcuts:
                block = (lambda t, **kw: as_a_model(t, lambda u: bottleneck_block(u, **kw))) if nested else \
                    (lambda t, **kw: bottleneck_block(t, **kw))
                x = block(x, f=3, filters=filters, s=stride, shortcut="conv", **block_options)
                for _ in range(count - 1):
                    x = block(x, f=3, filters=filters, **block_options)
                nested = nest is True  # "first stage": the first stage's blocks only
            else:
                for b in range(count):
                    x = plain(x, filters, stride if b == 0 else 1)
        x = layers.GlobalAveragePooling2D()(x) if head in ("gap", "softmax by hand") else layers.Flatten()(x)
        if head == "softmax by hand":  # exp of the logits less their largest, over their sum
            exp = keras.ops.exp((logits := layers.Dense(classes)(x)) - keras.ops.max(logits, -1, keepdims=True))
            return keras.Model(inputs, exp / keras.ops.sum(exp, -1, keepdims=True))
        return keras.Model(inputs, layers.Dense(classes, activation="softmax")(x))
    return ResNet50


def as_a_model(x, block):
    """`block` built as a keras.Model of its own, then called on x."""
    inner = keras.Input(x.shape[1:])
    return keras.Model(inner, block(inner))(x)


def keras_resnet_internals(input_shape, classes):
    from keras.src.applications import resnet as keras_resnet

    def stack_fn(x):
        x = keras_resnet.stack_residual_blocks_v1(x, 64, 3, stride1=1, name="conv2")
        x = keras_resnet.stack_residual_blocks_v1(x, 128, 4, name="conv3")
        x = keras_resnet.stack_residual_blocks_v1(x, 256, 6, name="conv4")
        return keras_resnet.stack_residual_blocks_v1(x, 512, 3, name="conv5")

    return keras_resnet.ResNet(stack_fn, False, True, include_top=True, weights=None, input_shape=input_shape,
                               classes=classes)


def plain(x, filters, s):
    f1, f2, f3 = filters
    for f, k, stride in ((f1, 1, s), (f2, 3, 1), (f3, 1, 1)):
        x = layers.Activation("relu")(layers.BatchNormalization()(
            layers.Conv2D(f, k, strides=stride, padding="same" if k == 3 else "valid")(x)))
    return x


WRONG_RESNET = {
    "answer key: keras.applications' private ResNet builder": keras_resnet_internals,
    "no ReLU after the additions": resnet(relu_after_add=False),
    "answer key: the course's ResNet50": lambda input_shape, classes: models.ResNet50(input_shape=input_shape,
                                                                                 classes=classes),
    "answer key: keras.applications.ResNet50": lambda input_shape, classes: keras.applications.ResNet50(
        weights=None, input_shape=input_shape, classes=classes),
    "answer key: the course's blocks": resnet(package_blocks=True),
    "stub": stub,
    "batch norm with momentum=1.0 in the stem": (resnet(stem_bn_options={"momentum": 1.0}), "momentum=1.0"),
    "the shortcut added twice, Add()([shortcut, x, shortcut])": (resnet(join=lambda tensors: layers.Add()(
        [*tensors, tensors[0]])), "3 inputs"),
    "each block a keras.Model of its own (the grader reads one graph)": (resnet(nest=True),
                                                                          "inside models of their own"),
    "the first stage's blocks keras.Models of their own": (resnet(nest="first stage"), "inside models of their own"),
    "the stem's max-pool inside a Sequential of its own": (resnet(stem_pool=lambda *args, **kwargs: keras.Sequential(
        [layers.MaxPooling2D(*args, **kwargs)])), "inside models of their own"),
    "five blocks in stage 4": resnet(stages=((64, 3, 1), (128, 4, 2), (256, 5, 2), (512, 3, 2))),
    "stride 1 in stage 3": (resnet(stages=((64, 3, 1), (128, 4, 1), (256, 6, 2), (512, 3, 2))),
                            "block 4 opens its stage with stride 1, expected 2"),
    "stride 2 in every stage": (resnet(stages=((64, 3, 2), (128, 4, 2), (256, 6, 2), (512, 3, 2))),
                                "s = 1, 2, 2, 2"),
    "no shortcuts (plain network)": resnet(shortcuts=False),
    "flatten instead of global pooling": resnet(head="flatten"),
    "shortcut added after the ReLU": resnet(relu_before_add=True),
    "hard-coded input": lambda input_shape, classes: resnet()((64, 64, 3), classes),
    "no ReLU in the stem": resnet(stem_relu=False),
    "stem max-pool with padding='same' instead of ZeroPadding2D(1)": resnet(pool_padding=False),
    "stem 7x7 convolution with padding='same' instead of ZeroPadding2D(3)": resnet(stem_conv_same=True),
    "average pooling in the stem": resnet(stem_pool=layers.AveragePooling2D),
    "a learner identity_block with a ReLU on the shortcut": resnet(shortcut_relu=True),
    "an object that says it is a keras.Model (its __class__)": (lambda input_shape, classes: pretender(keras.Model),
                                                                 "got Pretender"),
}
ONE_ADD = layers.Add()  # one layer object for every block's sum
WRONG_RESNET["one Add layer for every block"] = (resnet(join=ONE_ADD), "one Add layer")

RIGHT_RESNET = {
    "blocks with Add inputs swapped": resnet(swap_add=True),
    "shortcut built after the main path": resnet(shortcut_first=False),
    "1x1 convolutions with padding='same'": resnet(one_by_one_padding="same"),
    "keras.ops.where(t > 0, t, 0) after every addition": resnet(final_relu=where_relu),
    # its last batch norms see 1 x 1 pixels: in a batch of 2 their gradient was rounding noise, which other
    # operations round otherwise
    "the softmax written by hand": resnet(head="softmax by hand"),
}

RESNET_HINTS = {  # the part of the network that differs is named
    "no ReLU in the stem": "stem",
    "stem max-pool with padding='same' instead of ZeroPadding2D(1)": "stem",
    "stem 7x7 convolution with padding='same' instead of ZeroPadding2D(3)": "stem",
    "average pooling in the stem": "AveragePooling2D",
    "a learner identity_block with a ReLU on the shortcut": "shortcut",
    "flatten instead of global pooling": "head",
    "no ReLU after the additions": "after the addition apply a ReLU",
}

test_ResNet50_rejects, test_ResNet50_accepts = catalogue(check_ResNet50, WRONG_RESNET, RIGHT_RESNET, RESNET_HINTS)

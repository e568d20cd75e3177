"""ResNet-50, layer for layer keras.applications.ResNet50.

He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", CVPR 2016
(arXiv:1512.03385).
"""

from __future__ import annotations

import keras
from keras import layers

from cnn_course.blocks import BN_EPSILON, convolutional_block, identity_block
from cnn_course.models.weights import load_weights

# (F1, blocks, stride) of ResNet-50's four stages; each block's filters are (F1, F1, 4 F1).
RESNET50_STAGES = [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]

_RESNET50_WEIGHTS = {  # keras.applications' files and hashes
    True: ("resnet50_weights_tf_dim_ordering_tf_kernels.h5", "2cb95161c43110f7111970584f804107"),
    False: ("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "4d473c1dd8becc155b73f8504c6f6626"),
}
_RESNET_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"


def ResNet50(include_top=True, weights=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet50"):
    """ResNet-50: a 7x7 stem, then 3 + 4 + 6 + 3 bottleneck blocks, then average pooling
    and a softmax; 25,636,712 parameters at 224x224 with the top.

    Each stage starts with a `convolutional_block` (stride 1 in the first stage, 2 after)
    and continues with `identity_block`s. Layer names, order and weight shapes equal
    keras.applications.ResNet50's, so its weights (and ImageNet weight files) load into
    this model and give the same outputs.

    Args:
        include_top: add global average pooling and the classifier.
        weights: None (random), "imagenet" (downloaded once with its hash; offline this
            raises `OfflineError`), or the path of a weights file.
        input_shape: defaults to (224, 224, 3); the course's fingers use (64, 64, 3).
        pooling: without the top, None, "avg" or "max".
        classes: outputs; 1000 with ImageNet weights and the top.
        classifier_activation: activation of the last layer.
        name: model name.
    """
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("ResNet50 with ImageNet weights and the top needs classes=1000")
    inputs = keras.Input(input_shape or (224, 224, 3))
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (f1, blocks, stride) in enumerate(RESNET50_STAGES, start=2):
        filters = (f1, f1, 4 * f1)
        x = convolutional_block(x, 3, filters, s=stride, name=f"conv{stage}_block1")
        for block in range(2, blocks + 1):
            x = identity_block(x, 3, filters, name=f"conv{stage}_block{block}")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    return load_weights(keras.Model(inputs, x, name=name), weights, include_top, _RESNET50_WEIGHTS, _RESNET_URL)

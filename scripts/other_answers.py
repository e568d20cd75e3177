"""One other right answer to each graded exercise, spelled as a learner might and unlike the solution's: the seeds
`mutants.py` mutates beside the solutions. Each is graded in its notebook's namespace, as the solution is; only the
region between the markers is mutated."""

import keras
import numpy as np
from keras import layers


# 00_keras_tutorial
def sequential_cnn(input_shape=(64, 64, 3), classes=6):
    ### BEGIN SOLUTION
    stack = [keras.Input(shape=input_shape), layers.Rescaling(scale=1.0 / 255.0)]
    for width in [16, 32, 64, 128]:
        stack += [layers.Conv2D(width, (3, 3), padding="same", use_bias=False), layers.BatchNormalization(),
                  layers.Activation("relu"), layers.MaxPooling2D(pool_size=(2, 2))]
    stack += [layers.Flatten(), layers.Dense(classes), layers.Activation("softmax")]
    return keras.Sequential(stack)
    ### END SOLUTION


def compile_classifier(model, learning_rate=1e-3):
    ### BEGIN SOLUTION
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    model.compile(optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model
    ### END SOLUTION


def functional_cnn(input_shape=(64, 64, 3), classes=6):
    ### BEGIN SOLUTION
    inputs = keras.Input(shape=input_shape)
    h = layers.Rescaling(scale=1.0 / 255.0)(inputs)
    for width in [16, 32, 64, 128]:
        h = layers.Conv2D(width, kernel_size=(3, 3), padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.Activation("relu")(h)
        h = layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2))(h)
    h = layers.Flatten()(h)
    probabilities = layers.Dense(classes, activation="softmax")(h)
    return keras.Model(inputs=inputs, outputs=probabilities)
    ### END SOLUTION



# 01_classic_networks
def conv_output_shape(n, f, p, s):
    ### BEGIN SOLUTION
    import math
    return int(math.floor((n - f + 2 * p) / s)) + 1
    ### END SOLUTION


def LeNet5(input_shape=(32, 32, 1), classes=10):
    ### BEGIN SOLUTION
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(filters=6, kernel_size=(5, 5), strides=1, padding="valid", activation="tanh")(inputs)
    x = layers.AveragePooling2D(pool_size=2, strides=2)(x)
    x = layers.Conv2D(filters=16, kernel_size=(5, 5), strides=1, padding="valid", activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=2, strides=2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(units=120, activation="tanh")(x)
    x = layers.Dense(units=84, activation="tanh")(x)
    outputs = layers.Dense(units=classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)
    ### END SOLUTION


def vgg_block(x, num_convs, filters):
    ### BEGIN SOLUTION
    i = 0
    while i < num_convs:
        x = layers.Conv2D(filters, kernel_size=(3, 3), padding="same")(x)
        x = layers.ReLU()(x)
        i += 1
    return layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2))(x)
    ### END SOLUTION



# 02_residual_networks
def identity_block(x, f, filters):
    ### BEGIN SOLUTION
    F1, F2, F3 = filters
    X_shortcut = x
    X = layers.Conv2D(filters=F1, kernel_size=(1, 1), strides=(1, 1), padding="valid")(x)
    X = layers.BatchNormalization(axis=3)(X)
    X = layers.ReLU()(X)
    X = layers.Conv2D(filters=F2, kernel_size=(f, f), strides=(1, 1), padding="same")(X)
    X = layers.BatchNormalization(axis=3)(X)
    X = layers.ReLU()(X)
    X = layers.Conv2D(filters=F3, kernel_size=(1, 1), strides=(1, 1), padding="valid")(X)
    X = layers.BatchNormalization(axis=3)(X)
    X = layers.Add()([X, X_shortcut])
    return layers.ReLU()(X)
    ### END SOLUTION


def convolutional_block(x, f, filters, s=2):
    ### BEGIN SOLUTION
    F1, F2, F3 = filters
    X = layers.Conv2D(F1, (1, 1), strides=(s, s), padding="valid")(x)
    X = layers.BatchNormalization(axis=3)(X)
    X = layers.ReLU()(X)
    X = layers.Conv2D(F2, (f, f), strides=(1, 1), padding="same")(X)
    X = layers.BatchNormalization(axis=3)(X)
    X = layers.ReLU()(X)
    X = layers.Conv2D(F3, (1, 1), strides=(1, 1), padding="valid")(X)
    X = layers.BatchNormalization(axis=3)(X)
    X_shortcut = layers.Conv2D(F3, (1, 1), strides=(s, s), padding="valid")(x)
    X_shortcut = layers.BatchNormalization(axis=3)(X_shortcut)
    X = layers.Add()([X, X_shortcut])
    return layers.ReLU()(X)
    ### END SOLUTION


def ResNet50(input_shape=(64, 64, 3), classes=6):
    ### BEGIN SOLUTION
    X_input = keras.Input(shape=input_shape)
    X = layers.ZeroPadding2D((3, 3))(X_input)
    X = layers.Conv2D(64, (7, 7), strides=(2, 2))(X)
    X = layers.BatchNormalization(axis=3)(X)
    X = layers.ReLU()(X)
    X = layers.ZeroPadding2D((1, 1))(X)
    X = layers.MaxPooling2D((3, 3), strides=(2, 2))(X)
    for stage, depth in enumerate([3, 4, 6, 3]):
        filters = [64 * 2 ** stage, 64 * 2 ** stage, 256 * 2 ** stage]
        X = convolutional_block(X, f=3, filters=filters, s=2 if stage else 1)
        for _ in range(depth - 1):
            X = identity_block(X, 3, filters)
    X = layers.GlobalAveragePooling2D()(X)
    X = layers.Dense(classes)(X)
    return keras.Model(inputs=X_input, outputs=layers.Softmax()(X))
    ### END SOLUTION



# 04_one_by_one_convolutions
def one_by_one_as_dense(volume, weights, bias):
    ### BEGIN SOLUTION
    z = np.einsum("...c,cd->...d", volume, weights) + bias
    return np.where(z > 0, z, 0)
    ### END SOLUTION



# 05_inception_motivation
def conv_multiplies(n_H, n_W, n_C, f, n_C_prev):
    ### BEGIN SOLUTION
    per_output = f * f * n_C_prev
    outputs = n_H * n_W * n_C
    return outputs * per_output
    ### END SOLUTION


def bottleneck_layer(x, reduce, filters, f):
    ### BEGIN SOLUTION
    reduced = layers.Conv2D(reduce, kernel_size=(1, 1), padding="same")(x)
    reduced = layers.ReLU()(reduced)
    out = layers.Conv2D(filters, kernel_size=(f, f), padding="same")(reduced)
    return layers.Activation("relu")(out)
    ### END SOLUTION



# 06_inception_network
def inception_module(x, filters):
    ### BEGIN SOLUTION
    f1, r3, f3, r5, f5, fp = filters
    conv = lambda n, k: layers.Conv2D(n, k, padding="same", activation="relu")
    a = conv(f1, 1)(x)
    b = conv(f3, 3)(conv(r3, 1)(x))
    c = conv(f5, 5)(conv(r5, 1)(x))
    d = conv(fp, 1)(layers.MaxPooling2D(pool_size=3, strides=1, padding="same")(x))
    return layers.Concatenate(axis=-1)([a, b, c, d])
    ### END SOLUTION



# 07_mobilenet
def separable_conv_multiplies(n_out, f, n_c, n_c_out):
    ### BEGIN SOLUTION
    positions = n_out ** 2
    return positions * f * f * n_c, positions * n_c * n_c_out
    ### END SOLUTION


def depthwise_separable_conv(x, filters, stride=1):
    ### BEGIN SOLUTION
    for layer in [layers.DepthwiseConv2D((3, 3), strides=(stride, stride), padding="same", use_bias=False),
                  layers.BatchNormalization(), layers.Activation(keras.activations.relu6),
                  layers.Conv2D(filters, (1, 1), use_bias=False), layers.BatchNormalization(),
                  layers.Activation(keras.activations.relu6)]:
        x = layer(x)
    return x
    ### END SOLUTION


def inverted_residual_block(x, filters, stride=1, expansion=6):
    ### BEGIN SOLUTION
    shortcut = x
    in_channels = keras.ops.shape(x)[-1]
    h = x
    if expansion > 1:
        h = layers.Conv2D(in_channels * expansion, kernel_size=1, use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU(max_value=6)(h)
    h = layers.DepthwiseConv2D(kernel_size=3, strides=stride, padding="same", use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    h = layers.ReLU(max_value=6)(h)
    h = layers.Conv2D(filters, kernel_size=1, use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    use_residual = stride == 1 and in_channels == filters
    return layers.Add()([shortcut, h]) if use_residual else h
    ### END SOLUTION



# 08_efficientnet
def compound_scaling(phi):
    alpha, beta, gamma = 1.2, 1.1, 1.15
    ### BEGIN SOLUTION
    import math
    return math.pow(alpha, phi), math.pow(beta, phi), math.pow(gamma, phi)
    ### END SOLUTION


def round_filters(filters, width_coefficient, divisor=8):
    scaled = filters * width_coefficient
    ### BEGIN SOLUTION
    import math
    new = math.floor(scaled / divisor + 0.5) * divisor
    new = max(new, divisor)
    if new < 0.9 * scaled:
        new = new + divisor
    return int(new)
    ### END SOLUTION



# 09_open_source_implementations
def to_keras_kernel(weight, depthwise=False):
    ### BEGIN SOLUTION
    weight = np.asarray(weight)
    if depthwise:
        return np.moveaxis(weight, (0, 1), (2, 3))
    return np.moveaxis(weight, (0, 1), (3, 2))
    ### END SOLUTION



# 10_transfer_learning
def build_transfer_model(base, num_classes):
    ### BEGIN SOLUTION
    for layer in base.layers:
        layer.trainable = False
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    scaled = layers.Rescaling(scale=2 / 255, offset=-1)(inputs)
    features = base(scaled, training=False)
    pooled = layers.GlobalAveragePooling2D()(features)
    dropped = layers.Dropout(rate=0.2)(pooled)
    outputs = layers.Dense(units=num_classes, activation="softmax")(dropped)
    return keras.Model(inputs=inputs, outputs=outputs)
    ### END SOLUTION


def cache_features(base, images, path):
    ### BEGIN SOLUTION
    batches = []
    for start in range(0, len(images), 32):
        batch = np.asarray(images[start:start + 32], dtype="float32")
        maps = base(batch / 127.5 - 1.0, training=False)
        batches.append(keras.ops.convert_to_numpy(keras.ops.mean(maps, axis=[1, 2])))
    features = np.concatenate(batches, axis=0)
    np.save(path, features)
    return features
    ### END SOLUTION


def unfreeze_top(model, n_layers, learning_rate):
    ### BEGIN SOLUTION
    base = [layer for layer in model.layers if isinstance(layer, keras.Model)][0]
    base.trainable = True
    cut = max(len(base.layers) - n_layers, 0)
    for layer in base.layers[:cut]:
        layer.trainable = False
    for layer in base.layers[cut:]:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return model
    ### END SOLUTION



# 11_data_augmentation
def color_shift(image, shifts):
    ### BEGIN SOLUTION
    out = image.astype(np.float64)
    for c, s in enumerate(shifts):
        out[..., c] += s
    return np.clip(out, 0, 255).astype(image.dtype)
    ### END SOLUTION


def pca_color_augmentation(images, alpha_std=0.1, seed=None):
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    pixels = np.reshape(images, (-1, 3)).astype(np.float64)
    centred = pixels - pixels.mean(axis=0)
    covariance = centred.T @ centred / (len(pixels) - 1)
    values, vectors = np.linalg.eigh(covariance)
    out = np.empty(np.shape(images), dtype=np.float32)
    for i in range(len(images)):
        alpha = rng.normal(0.0, alpha_std, size=3)
        shift = vectors @ (alpha * values)
        out[i] = np.clip(images[i] + shift, 0.0, 1.0)
    return out
    ### END SOLUTION



# 12_state_of_computer_vision
def ensemble_predict(models, x):
    ### BEGIN SOLUTION
    total = None
    for model in models:
        p = keras.ops.convert_to_numpy(model(x, training=False))
        total = p if total is None else total + p
    return total / len(models)
    ### END SOLUTION


def ten_crop(images, crop_size):
    ### BEGIN SOLUTION
    n, h, w, ch = images.shape
    s = crop_size
    top, left = (h - s) // 2, (w - s) // 2
    views = [images[:, top:top + s, left:left + s], images[:, :s, :s], images[:, :s, w - s:],
             images[:, h - s:, :s], images[:, h - s:, w - s:]]
    views += [np.flip(v, axis=2) for v in views]
    return np.stack(views, axis=0)
    ### END SOLUTION

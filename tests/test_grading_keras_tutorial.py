"""Wrong-answer catalogue of notebook 00's graders: each must reject the wrong and accept the right."""

import functools

import keras
import numpy as np
from catalogue import catalogue, stub
from keras import layers

from cnn_course.grading import builder
from cnn_course.grading.keras_tutorial import check_compile_classifier, check_functional_cnn, check_sequential_cnn
from cnn_course.models.baseline import SmallCNN

WIDTHS = (16, 32, 64, 128)
for _shape, _classes in check_sequential_cnn.spec.cases:  # the grader's cache of references, as earlier gradings leave
    builder._reference(SmallCNN, _shape, _classes)


def stage_layers(width, order=("conv", "bn", "relu", "pool"), pool=layers.MaxPooling2D, padding="same",
                 use_bias=False, strides=1):
    make = {"conv": lambda: layers.Conv2D(width, 3, strides=strides, padding=padding, use_bias=use_bias),
            "conv_relu": lambda: layers.Conv2D(width, 3, padding=padding, use_bias=use_bias, activation="relu"),
            "bn": layers.BatchNormalization, "relu": layers.ReLU, "pool": lambda: pool(2),
            "Lambda(keras.ops.relu)": lambda: layers.Lambda(keras.ops.relu),  # a named function: reloaded
            "Lambda(lambda)": lambda: layers.Lambda(lambda t: keras.ops.relu(t)),  # not reloaded in safe mode
            "Activation(lambda)": lambda: layers.Activation(lambda t: keras.ops.maximum(t, 0.0))}
    return [make[kind]() for kind in order]


def sequential(input_shape=(64, 64, 3), classes=6, widths=WIDTHS, rescale=True, head="flatten",
               final_activation="softmax", softmax_layer=None, with_input=True, **stage):
    body = [layer for w in widths for layer in stage_layers(w, **stage)]
    top = {"flatten": [layers.Flatten()], "gap": [layers.GlobalAveragePooling2D()], "none": []}[head]
    final = [layers.Dense(classes, activation=None if softmax_layer else final_activation)]
    final += [softmax_layer()] if softmax_layer else []
    start = [keras.Input(input_shape)] if with_input else []
    return keras.Sequential([*start, *([layers.Rescaling(1 / 255)] if rescale else []), *body, *top, *final])


def functional(input_shape=(64, 64, 3), classes=6, relu=layers.ReLU, swap=False, final_activation="softmax",
               rescale=True, padding="same", use_bias=False, shared_relu=False, return_tensor=False, momentum=0.99,
               kernel_initializer="glorot_uniform"):
    inputs = keras.Input(input_shape)
    x = layers.Rescaling(1 / 255)(inputs) if rescale is True else rescale(inputs) if rescale else inputs
    one_relu = relu()
    for width in WIDTHS:
        activation = one_relu if shared_relu else relu()
        x = layers.Conv2D(width, 3, padding=padding, use_bias=use_bias, kernel_initializer=kernel_initializer)(x)
        x = activation(x) if swap else layers.BatchNormalization(momentum=momentum)(x)
        x = layers.BatchNormalization(momentum=momentum)(x) if swap else activation(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(classes, activation=final_activation)(x)
    return outputs if return_tensor else keras.Model(inputs, outputs)


def functional_with_ops(input_shape, classes):
    """The reference CNN with its activations applied as functions, not layers."""
    inputs = keras.Input(input_shape)
    x = layers.Rescaling(1 / 255)(inputs)
    for width in WIDTHS:
        x = layers.BatchNormalization()(layers.Conv2D(width, 3, padding="same", use_bias=False)(x))
        x = layers.MaxPooling2D(2)(keras.ops.relu(x))
    return keras.Model(inputs, keras.activations.softmax(layers.Dense(classes)(layers.Flatten()(x))))


class Subclassed(keras.Model):
    """The same layers in a subclassed model: not the Functional API, and no input shape until called."""

    def __init__(self, classes=6):
        super().__init__()
        self.body = [layers.Rescaling(1 / 255)] + [layer for w in WIDTHS for layer in stage_layers(w)]
        self.head = [layers.Flatten(), layers.Dense(classes, activation="softmax")]

    def call(self, x):
        for layer in self.body + self.head:
            x = layer(x)
        return x






WRONG_SEQUENTIAL = {
    # notebook 00 saves the model and loads it back: keras.models.load_model refuses a Python lambda
    "ReLU as Lambda(lambda t: keras.ops.relu(t))": (lambda input_shape, classes: sequential(
        input_shape, classes, order=("conv", "bn", "Lambda(lambda)", "pool")), "load_model cannot load"),
    "ReLU as Activation(lambda t: keras.ops.maximum(t, 0))": (lambda input_shape, classes: sequential(
        input_shape, classes, order=("conv", "bn", "Activation(lambda)", "pool")), "load_model cannot load"),
    "keras.Input with a batch size": lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape, batch_size=32), *sequential(input_shape, classes, with_input=False).layers]),
    "Flatten after the classifier": lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape), *sequential(input_shape, classes, head="none").layers, layers.Flatten()]),
    "built with .add(), no rescaling": lambda input_shape, classes: _built_with_add(input_shape, classes, False),
    "answer key: the course's SmallCNN": lambda input_shape, classes: SmallCNN(input_shape, classes),
    "stub": stub,
    "returns nothing": lambda input_shape, classes: None,
    "functional API": lambda input_shape, classes: functional(input_shape, classes),
    "relu before batch norm": lambda input_shape, classes: sequential(
        input_shape, classes, order=("conv", "relu", "bn", "pool")),
    "no batch norm": lambda input_shape, classes: sequential(input_shape, classes, order=("conv", "relu", "pool")),
    "average pooling": lambda input_shape, classes: sequential(input_shape, classes, pool=layers.AveragePooling2D),
    "valid padding": lambda input_shape, classes: sequential(input_shape, classes, padding="valid"),
    "conv with bias": lambda input_shape, classes: sequential(input_shape, classes, use_bias=True),
    "doubled widths": lambda input_shape, classes: sequential(input_shape, classes, widths=(32, 64, 128, 256)),
    "three stages": lambda input_shape, classes: sequential(input_shape, classes, widths=(16, 32, 64)),
    "no rescaling": lambda input_shape, classes: sequential(input_shape, classes, rescale=False),
    "logits, no softmax": lambda input_shape, classes: sequential(input_shape, classes, final_activation=None),
    "global pooling head": lambda input_shape, classes: sequential(input_shape, classes, head="gap"),
    "hard-coded shapes": lambda input_shape, classes: sequential(),
    "crashes": lambda input_shape, classes: sequential(input_shape, classes, widths=None),
    "no keras.Input": lambda input_shape, classes: sequential(input_shape, classes, with_input=False),
    "conv with fused relu, then BN": lambda input_shape, classes: sequential(
        input_shape, classes, order=("conv_relu", "bn", "relu", "pool")),
    "strided conv instead of pooling": lambda input_shape, classes: sequential(
        input_shape, classes, strides=2, order=("conv", "bn", "relu")),
    "no flatten": lambda input_shape, classes: sequential(input_shape, classes, head="none"),
    "the Functional model wrapped in keras.Sequential": (lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape), functional(input_shape, classes)]), "built with the other API"),
    "answer key: the grader's cached reference": lambda input_shape, classes: builder._reference(
        SmallCNN, tuple(input_shape), classes),
    "batch norm with momentum=1.0 (moving statistics that never move)": (lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape), *(layers.BatchNormalization(momentum=1.0) if isinstance(
            layer, layers.BatchNormalization) else layer for layer in sequential(input_shape, classes).layers)]),
        "momentum=1.0"),
    # notebook 00 reads the model's layers one by one (model.layers[13] is the last convolution)
    # the grader copies its own weights in: how the model starts is read before
    "every convolution starting at zero (kernel_initializer='zeros')": (lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape), *(layers.Conv2D(layer.filters, 3, padding="same", use_bias=False,
                                                   kernel_initializer="zeros") if isinstance(layer, layers.Conv2D)
                                     else layer for layer in sequential(input_shape, classes).layers)]),
        "kernel_initializer"),
    "the height read for the width too (input_shape[0] twice)": (lambda input_shape, classes: sequential(
        (input_shape[0], input_shape[0], input_shape[2]), classes), "from the input_shape argument"),
    "keras.Input(input_shape, dtype='uint8'), the dtype of the notebook's images": (
        lambda input_shape, classes: keras.Sequential([keras.Input(input_shape, dtype="uint8"), *sequential(
            input_shape, classes, with_input=False).layers]), "the input is uint8"),
    "the grader's cached reference, taken out of its cache": (lambda input_shape, classes: builder._reference.
                                                              __closure__[0].cell_contents(
                                                                  SmallCNN, tuple(input_shape), classes),
                                                              "grader's own reference layers"),
    "each stage a Sequential model of its own": (lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape), layers.Rescaling(1 / 255), *(keras.Sequential(stage_layers(width)) for width in
                                                                WIDTHS), layers.Flatten(),
         layers.Dense(classes, activation="softmax")]), "nested in this one"),
}

RIGHT_SEQUENTIAL = {
    # a softmax classifier starting at zero still learns: each class's row gets its own gradient
    "the classifier starting at zero": lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape), *sequential(input_shape, classes).layers[:-1],
         layers.Dense(classes, activation="softmax", kernel_initializer="zeros")]),
    "the notebook's layout": lambda input_shape, classes: sequential(input_shape, classes),
    "ReLU as Lambda(keras.ops.relu), a named function load_model finds": lambda input_shape, classes: sequential(
        input_shape, classes, order=("conv", "bn", "Lambda(keras.ops.relu)", "pool")),
    "Activation('relu') and .add()": lambda input_shape, classes: _built_with_add(input_shape, classes),
    "Softmax() layer after a linear Dense": lambda input_shape, classes: sequential(
        input_shape, classes, softmax_layer=layers.Softmax),
    "Activation('softmax') layer": lambda input_shape, classes: sequential(
        input_shape, classes, softmax_layer=lambda: layers.Activation("softmax")),
    "MaxPool2D alias, padding='SAME'": lambda input_shape, classes: sequential(
        input_shape, classes, pool=layers.MaxPool2D, padding="SAME"),
    "per-channel Rescaling": lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape), layers.Rescaling([1 / 255] * input_shape[-1]),
         *sequential(input_shape, classes, rescale=False, with_input=False).layers]),
    "a scale of 1/255 in float32": lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape), layers.Rescaling(np.float32(1) / 255),
         *sequential(input_shape, classes, rescale=False, with_input=False).layers]),
    "batch-norm epsilon of keras.applications": lambda input_shape, classes: keras.Sequential(
        [keras.Input(input_shape), *(layers.BatchNormalization(epsilon=1.001e-5) if isinstance(
            layer, layers.BatchNormalization) else layer for layer in sequential(input_shape, classes).layers)]),
}


def _built_with_add(input_shape, classes, rescale=True):
    model = keras.Sequential()
    model.add(keras.Input(shape=input_shape))
    if rescale:
        model.add(layers.Rescaling(scale=1.0 / 255.0))
    for width in WIDTHS:
        model.add(layers.Conv2D(width, (3, 3), padding="same", use_bias=False))
        model.add(layers.BatchNormalization())
        model.add(layers.Activation("relu"))
        model.add(layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(layers.Flatten())
    model.add(layers.Dense(classes, activation="softmax"))
    return model


WRONG_FUNCTIONAL = {
    "stub": stub,
    "sequential API": lambda input_shape, classes: sequential(input_shape, classes),
    "relu before batch norm": lambda input_shape, classes: functional(input_shape, classes, swap=True),
    "logits": lambda input_shape, classes: functional(input_shape, classes, final_activation=None),
    "hard-coded classes": lambda input_shape, classes: functional(input_shape, 6),
    "not a model": lambda input_shape, classes: keras.Input(input_shape),
    "returns the output tensor": lambda input_shape, classes: functional(input_shape, classes, return_tensor=True),
    "no rescaling": lambda input_shape, classes: functional(input_shape, classes, rescale=False),
    "valid padding": lambda input_shape, classes: functional(input_shape, classes, padding="valid"),
    "conv with bias": lambda input_shape, classes: functional(input_shape, classes, use_bias=True),
    "hard-coded input shape": lambda input_shape, classes: functional((64, 64, 3), classes),
    "subclassed model": lambda input_shape, classes: Subclassed(classes),
    "one ReLU object for all stages": lambda input_shape, classes: functional(input_shape, classes,
                                                                            shared_relu=True),
    "the Sequential model wrapped in keras.Model": (lambda input_shape, classes: (lambda inputs: keras.Model(
        inputs, sequential(input_shape, classes)(inputs)))(keras.Input(input_shape)), "built with the other API"),
    "batch norm with momentum=0.0 (statistics of the last batch only)": (
        lambda input_shape, classes: functional(input_shape, classes, momentum=0.0), "momentum=0.0"),
    "the rescaling written as arithmetic, inputs / 255": (lambda input_shape, classes: functional(
        input_shape, classes, rescale=lambda inputs: inputs / 255), "a scaling x * 1/255"),
    "the output in a dict": (lambda input_shape, classes: (lambda model: keras.Model(
        model.inputs, {"predictions": model.outputs[0]}))(functional(input_shape, classes)), "output is a dict"),
    "the output twice, in a list": (lambda input_shape, classes: (lambda model: keras.Model(
        model.inputs, [model.outputs[0]] * 2))(functional(input_shape, classes)), "output is a list"),
    "every convolution starting at zero (kernel_initializer='zeros')": (lambda input_shape, classes: functional(
        input_shape, classes, kernel_initializer="zeros"), "kernel_initializer"),
    "the layers after the stages a Functional model of their own": (lambda input_shape, classes: (lambda model: (
        lambda inputs: keras.Model(inputs, model(inputs)))(keras.Input(input_shape)))(functional(
            input_shape, classes)), "nested in this one"),
}

RIGHT_FUNCTIONAL = {
    "ReLU layers": lambda input_shape, classes: functional(input_shape, classes),
    # an activation of several operations is read as one: it computes ReLU
    "keras.ops.where(x > 0, x, 0) as the ReLU": lambda input_shape, classes: functional(
        input_shape, classes, relu=lambda: lambda t: keras.ops.where(t > 0, t, 0.0)),
    "Activation('relu')": lambda input_shape, classes: functional(input_shape, classes,
                                                                  relu=lambda: layers.Activation("relu")),
    "keras.ops.relu and keras.activations.softmax": lambda input_shape, classes: functional_with_ops(
        input_shape, classes),
    # Keras calls a model of one output given in a list like any other: model(x) is a tensor
    "keras.Model(inputs=[x], outputs=[y])": lambda input_shape, classes: (lambda model: keras.Model(
        inputs=model.inputs, outputs=model.outputs))(functional(input_shape, classes)),
}


test_sequential_cnn_rejects, test_sequential_cnn_accepts = catalogue(
    check_sequential_cnn, WRONG_SEQUENTIAL, RIGHT_SEQUENTIAL)


test_functional_cnn_rejects, test_functional_cnn_accepts = catalogue(
    check_functional_cnn, WRONG_FUNCTIONAL, RIGHT_FUNCTIONAL)


def test_random_weights_do_not_saturate_the_softmax():
    """Outputs compared on identical random weights must carry information, not one-hot argmaxes."""
    import numpy as np

    from cnn_course.fixtures import fixed_inputs, randomize_weights

    model = SmallCNN()
    randomize_weights(model)
    for training in (False, True):
        probabilities = np.asarray(model(fixed_inputs((4, 64, 64, 3)), training=training))
        assert probabilities.max(axis=1).mean() < 0.99


class LogitsLoss(keras.losses.Loss):
    """Cross-entropy told it reads logits, hidden where an attribute check cannot see it."""

    def call(self, y, p):
        return keras.losses.sparse_categorical_crossentropy(y, p, from_logits=True)


def own_cross_entropy(y, p):
    return keras.losses.sparse_categorical_crossentropy(y, p)


def compile_with(optimizer=None, loss="sparse_categorical_crossentropy", metrics=("accuracy",), give_back=True):
    def compile_classifier(model, learning_rate=1e-3):
        opt = keras.optimizers.Adam(learning_rate) if optimizer is None else optimizer(learning_rate)
        model.compile(optimizer=opt, loss=loss, metrics=list(metrics))
        return model if give_back else None
    return compile_classifier


WRONG_COMPILE = {
    "the model as Adam's learning rate": (lambda model, learning_rate=1e-3: compile_with(
        lambda rate: keras.optimizers.Adam(model))(model, learning_rate), "settings cannot be read"),
    "a function as Adam's learning rate": (compile_with(lambda rate: keras.optimizers.Adam(lambda: rate)),
                                           "pass the number learning_rate"),
    "stub": stub,
    "forgets to return": compile_with(give_back=False),
    "never compiles": lambda model, learning_rate=1e-3: model,
    "SGD": compile_with(optimizer=lambda lr: keras.optimizers.SGD(lr)),
    "ignores the learning rate": compile_with(optimizer=lambda lr: "adam"),
    "one-hot loss on integer labels": compile_with(loss="categorical_crossentropy"),
    "from_logits on a softmax": compile_with(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)),
    "no metric": compile_with(metrics=()),
    "wrong metric": (compile_with(metrics=("mae",)), "and the metric 'accuracy': metrics="),  # loss_weights unsaid
    "Accuracy() compares labels to probabilities": compile_with(metrics=(keras.metrics.Accuracy(),)),
    "AdamW": compile_with(optimizer=lambda lr: keras.optimizers.AdamW(lr)),
    "Adam() without the learning rate": compile_with(optimizer=lambda lr: keras.optimizers.Adam()),
    "Adam with weight decay": compile_with(optimizer=lambda lr: keras.optimizers.Adam(lr, weight_decay=0.01)),
    "Adam with amsgrad": compile_with(optimizer=lambda lr: keras.optimizers.Adam(lr, amsgrad=True)),
    "Adam with beta_1=0.5": compile_with(optimizer=lambda lr: keras.optimizers.Adam(lr, beta_1=0.5)),
    "Adam with clipnorm": compile_with(optimizer=lambda lr: keras.optimizers.Adam(lr, clipnorm=1.0)),
    "Adam with a moving average of the weights": compile_with(optimizer=lambda lr: keras.optimizers.Adam(
        lr, use_ema=True)),
    "Adam with a decaying schedule": compile_with(optimizer=lambda lr: keras.optimizers.Adam(
        keras.optimizers.schedules.ExponentialDecay(lr, 100, 0.5))),
    "from_logits inside a lambda": compile_with(
        loss=lambda y, p: keras.losses.sparse_categorical_crossentropy(y, p, from_logits=True)),
    "from_logits through functools.partial": compile_with(
        loss=functools.partial(keras.losses.sparse_categorical_crossentropy, from_logits=True)),
    "from_logits inside a Loss subclass": compile_with(loss=LogitsLoss()),
    "reduction=None": compile_with(loss=keras.losses.SparseCategoricalCrossentropy(reduction=None)),
    "loss_weights=[0.5]": (lambda model, learning_rate=1e-3: (model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
        loss_weights=[0.5]), model)[1], "0.5 times the cross-entropy"),
    "the metrics passed third, by position (compile's loss_weights)": (lambda model, learning_rate=1e-3: (
        model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy", ["accuracy"]),
        model)[1], "third argument is loss_weights"),
    "reduction='sum'": (compile_with(loss=keras.losses.SparseCategoricalCrossentropy(reduction="sum")),
                        "sums over the batch"),
    **({"one metric object for every model (on TensorFlow it counts on across them)": (compile_with(
        metrics=(keras.metrics.SparseCategoricalAccuracy(name="accuracy"),)), "counts on across models")}
       if keras.backend.backend() == "tensorflow" else {}),
    # logged under another name, the accuracy breaks the notebook's next cells, which read history['accuracy']
    "metrics=['acc']": (compile_with(metrics=("acc",)), "logged as 'acc'"),
    "metrics=['sparse_categorical_accuracy']": (compile_with(metrics=("sparse_categorical_accuracy",)),
                                                "logged as 'sparse_categorical_accuracy'"),
    "a metric object made inside, under its own name": (lambda model, learning_rate=1e-3: compile_with(
        metrics=(keras.metrics.SparseCategoricalAccuracy(),))(model, learning_rate), "name='accuracy'"),
    "a metric that is always 0.5": (compile_with(metrics=(keras.metrics.MeanMetricWrapper(
        lambda y, p: keras.ops.full((keras.ops.shape(p)[0],), 0.5)),)), "no metric reports the accuracy"),
    "from_logits in a one-entry list": (compile_with(loss=[keras.losses.SparseCategoricalCrossentropy(
        from_logits=True)]), "from_logits=True"),
    "the model frozen, then compiled": (lambda model, learning_rate=1e-3: compile_with()(
        (setattr(model, "trainable", False), model)[1], learning_rate), "trainable"),
    "the weights zeroed, then compiled": (lambda model, learning_rate=1e-3: compile_with()(
        (model.set_weights([np.zeros_like(w) for w in model.get_weights()]), model)[1], learning_rate), "weights"),
    "every variable frozen (variable.trainable = False), then compiled": (
        lambda model, learning_rate=1e-3: compile_with()(
            ([setattr(v, "trainable", False) for v in model.trainable_variables], model)[1], learning_rate),
        "after one training step"),
    "a constraint on the kernel variable that zeroes it": (lambda model, learning_rate=1e-3: compile_with()(
        (setattr(model.layers[-1].kernel, "constraint", lambda w: w * 0.0), model)[1], learning_rate),
        "after one training step"),
    "the training step replaced by one that does nothing": (lambda model, learning_rate=1e-3: compile_with()(
        (setattr(model, "train_step", lambda data: {"loss": 0.0}), model)[1], learning_rate), "training step"),
    # notebook 00 saves the model and loads it again, which compiles it from its saved settings
    "the loss in a lambda": (compile_with(loss=lambda y, p: keras.losses.sparse_categorical_crossentropy(y, p)),
                             "a function of your own"),
    "the loss a function of one's own": (compile_with(loss=own_cross_entropy), "a function of your own"),
    "the loss class itself, without parentheses (the model cannot be saved)": (compile_with(
        loss=keras.losses.SparseCategoricalCrossentropy), "with parentheses"),
    "ignore_class=5: the notebook's sixth class counts for nothing": (compile_with(
        loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=5)), "ignore_class=5"),
    "the loss in a dict keyed by the output's name (fit raises)": (lambda model, learning_rate=1e-3: compile_with(
        loss={model.layers[-1].name: "sparse_categorical_crossentropy"})(model, learning_rate), "a dict of losses"),
}

RIGHT_COMPILE = {
    "strings": compile_with(),
    "objects": lambda model, learning_rate=1e-3: compile_with(loss=keras.losses.SparseCategoricalCrossentropy(),
                                                              metrics=(keras.metrics.SparseCategoricalAccuracy(
                                                                  name="accuracy"),))(model, learning_rate),
    "a function as the loss": compile_with(loss=keras.losses.sparse_categorical_crossentropy),
    "the loss in a one-entry list (one per output)": compile_with(loss=["sparse_categorical_crossentropy"]),
    "ignore_class=None said aloud": compile_with(loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=None)),
    "Adam whose get_config was emptied (its settings read from the optimizer)": lambda model, learning_rate=1e-3: (
        lambda optimizer: (setattr(optimizer, "get_config", dict), compile_with(lambda rate: optimizer)(
            model, learning_rate))[1])(keras.optimizers.Adam(learning_rate)),
}


test_compile_classifier_rejects, test_compile_classifier_accepts = catalogue(
    check_compile_classifier, WRONG_COMPILE, RIGHT_COMPILE)


def test_report_is_readable_and_machine_readable():
    report = check_sequential_cnn(stub)
    bundle = report._repr_mimebundle_()
    assert "NOT IMPLEMENTED" in bundle["text/plain"] and "not implemented" in bundle["text/html"]
    assert '"passed": false' in bundle["application/vnd.cnn-course.grade+json"]


def test_grader_bug_never_raises(monkeypatch):
    import cnn_course.grading.builder as module

    monkeypatch.setattr(module, "describe_difference", None)  # make the grader itself crash
    report = check_sequential_cnn(RIGHT_SEQUENTIAL["the notebook's layout"])
    assert not report.passed and report.status == "error" and "grader could not finish" in report.first_failure


def test_layer_list_messages_say_only_what_applies():
    no_rescaling = check_sequential_cnn(WRONG_SEQUENTIAL["built with .add(), no rescaling"]).first_failure
    assert "Rescaling" in no_rescaling and "several places" not in no_rescaling
    assert "several places" in check_functional_cnn(WRONG_FUNCTIONAL["one ReLU object for all stages"]).first_failure
    assert "Flatten" in check_sequential_cnn(WRONG_SEQUENTIAL["no flatten"]).first_failure
    hard_coded = check_sequential_cnn(WRONG_SEQUENTIAL["hard-coded shapes"]).first_failure
    assert "(None, 32, 24, 1)" in hard_coded and "*(" not in hard_coded and "input_shape" in hard_coded
    assert "Flatten" not in check_functional_cnn(WRONG_FUNCTIONAL["hard-coded classes"]).first_failure
    assert "batch_size" in check_sequential_cnn(WRONG_SEQUENTIAL["keras.Input with a batch size"]).first_failure
    after = check_sequential_cnn(WRONG_SEQUENTIAL["Flatten after the classifier"]).first_failure
    assert "end with the Dense(6) classifier" in after

"""Walking a Functional graph backwards: producers, chains and branches."""

import keras
from keras import layers

from cnn_course import graph


def two_paths():
    inputs = keras.Input((4, 4, 2), name="x")
    a = layers.Conv2D(2, 1, name="a1")(inputs)
    a = layers.ReLU(name="a2")(a)
    b = layers.BatchNormalization(name="b1")(inputs)
    joined = layers.Add(name="join")([b, a])
    relu = layers.ReLU(name="out")
    return inputs, a, b, joined, relu(joined), relu


def test_producer_and_inputs():
    inputs, a, b, joined, _, _ = two_paths()
    layer, called_on = graph.producer(joined)
    assert layer.name == "join" and called_on == [b, a] and graph.inputs_of(layer) == [b, a]
    input_layer, nothing = graph.producer(inputs)
    assert isinstance(input_layer, layers.InputLayer) and nothing == []
    assert graph.producer_name(a) == "a2" and graph.producer_name(inputs) == "x"


def test_chain_back_stops_at_a_merge_and_branch_needs_the_source():
    inputs, a, b, joined, out, _ = two_paths()
    assert graph.chain_back(out) == [out, joined]
    assert [layer.name for layer in graph.branch(a, inputs)] == ["a1", "a2"]
    assert graph.branch(out, inputs) is None
    assert graph.branch(inputs, inputs) == []


def test_reused_layers_counts_only_the_calls_that_lead_to_the_output():
    inputs = keras.Input((3,))
    shared, once = layers.Dense(3), layers.Dense(3)
    assert graph.reused_layers([shared(once(shared(inputs)))]) == [shared]
    rebuilt = keras.Sequential([keras.Input((3,))])
    for _ in range(3):  # each add() rebuilds the graph and calls the earlier layers again
        rebuilt.add(layers.Dense(3))
    assert graph.reused_layers(rebuilt.outputs) == []


def test_operations_include_plus_and_activation_functions():
    inputs, a, b, joined, out, _ = two_paths()
    model = keras.Model(inputs, [out, keras.activations.relu(a + b)])  # layers.Add, then +
    assert sum(graph.is_addition(op) for op in graph.operations(model)) == 2
    assert not any(graph.is_addition(layer) for layer in model.layers if layer.name != "join")


def test_path_to_nested_models_and_head_layers_read_a_base_nested_in_a_model():
    inputs = keras.Input((8, 8, 3))
    base = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3, name="conv")], name="base")
    wrapper = keras.Sequential([keras.Input((8, 8, 3)), layers.Rescaling(1 / 255), base], name="wrapper")
    x = wrapper(inputs, training=False)
    pooled = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(2, name="dense")(layers.Dropout(0.2, name="drop")(pooled))
    model = keras.Model(inputs, outputs)
    assert graph.path_to(model, base) == [wrapper, base] and graph.path_to(model, layers.Dense(2)) is None
    assert graph.nested_models(model) == [wrapper, base] and graph.nested_models(base) == []
    assert [layer.name for layer in graph.head_layers(model, wrapper)] == ["pool", "drop", "dense"]
    wrapper(keras.Input((8, 8, 3)))  # a call outside the model (a look at the output's shape) is not the model's
    assert [arguments.get("training") for arguments in graph.call_arguments(wrapper, within=model)] == [False]


def test_head_layers_reach_through_operations_of_several_inputs():
    inputs = keras.Input((4,))
    logits = layers.Dense(3, name="dense")(layers.Dropout(0.2, name="drop")(inputs))
    shifted = logits - keras.ops.max(logits, axis=-1, keepdims=True)
    model = keras.Model(inputs, keras.ops.exp(shifted) / keras.ops.sum(keras.ops.exp(shifted), axis=-1, keepdims=True))
    head = [type(operation).__name__ for operation in graph.head_layers(model, None)]
    assert head[:2] == ["Dropout", "Dense"] and head.count("Exp") == 2 and head[-1] == "TrueDivide"

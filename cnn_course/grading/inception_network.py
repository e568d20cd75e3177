"""Graders of notebook 06, the Inception network.

The module is checked branch by branch: the grader follows each input of the learner's
Concatenate back to the module's input, recognises the branch by what it does (only a 1x1
convolution, a 3x3 or a 5x5 convolution behind a 1x1 reduction, or a max-pool and a 1x1
projection), checks its layers, loads the reference branch's weights and compares outputs.
The order in which the layers were created does not matter; the order of the concatenation
does, since it decides which output channels are which.
"""

from __future__ import annotations

from cnn_course import blocks
from cnn_course.fixtures import fixed_inputs
from cnn_course.grading.compare import compare_with_reference, symbolic_call
from cnn_course.grading.report import grader
from cnn_course.grading.signature import describe_difference, layer_signature
from cnn_course.graph import branch, is_concatenation, producer

BRANCHES = ("1x1", "3x3", "5x5", "pool")
_SAME_SIZE = ("the branches are stacked along the channels (Concatenate(axis=-1)), so every branch must keep "
              "n_H and n_W: padding='same' and stride 1, also for the max-pool (MaxPooling2D(3, strides=1, "
              "padding='same'))")
_FILTERS = "filters are (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj)"
# (input shape, filters): module 3a of the paper, and small modules whose six numbers all differ.
_MODULE_CASES = [((28, 28, 192), (64, 96, 128, 16, 32, 32)), ((7, 7, 6), (5, 3, 4, 2, 7, 6)),
                 ((6, 5, 4), (2, 6, 3, 5, 4, 8))]


def _role(layers_) -> str:
    """Which branch a chain of layers is: by its pooling and its largest kernel."""
    from keras import layers

    if any(isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D)) for layer in layers_):
        return "pool"
    kernels = [layer.kernel_size[0] for layer in layers_ if isinstance(layer, layers.Conv2D)]
    return f"{max(kernels)}x{max(kernels)}" if kernels else "none"


def _branches(output, source, report, what) -> dict:
    """{role: layers} of the module's four branches, in the learner's concatenation order."""

    layer, inputs = producer(output)
    report.precondition(is_concatenation(layer) and len(inputs) == 4,
                        f"{what}: the module should end by concatenating its four branches (layers.Concatenate()), "
                        f"found {type(layer).__name__ if layer else 'the input'} with {len(inputs)} input(s)")
    report.precondition(layer.axis in (-1, 3),
                        f"{what}: concatenate along the channels (axis=-1), not axis={layer.axis}")
    chains = [branch(t, source) for t in inputs]
    report.precondition(all(c is not None for c in chains),
                        f"{what}: each input of the Concatenate must be one chain of layers from the module's input")
    roles = [_role(c) for c in chains]
    report.precondition(sorted(roles) == sorted(BRANCHES),
                        f"{what}: expected a 1x1, a 3x3, a 5x5 and a pooling branch, found {', '.join(roles)}")
    report.require(roles == list(BRANCHES), "branches concatenated in the table's order (1x1, 3x3, 5x5, pool)",
                   f"{what}: the branches are concatenated as ({', '.join(roles)}); use the table's order "
                   f"(1x1, 3x3, 5x5, pool) -- it decides which output channels are which")
    return dict(zip(roles, chains))


@grader("inception_module", answer_key=["cnn_course.blocks.inception_module"])
def check_inception_module(inception_module, report) -> None:
    """Grade ``inception_module(x, filters)`` against cnn_course.blocks.inception_module."""
    import keras

    for case, (input_shape, filters) in enumerate(_MODULE_CASES):
        what = f"inception_module(x, {filters}) on x of shape {input_shape}"
        inputs, outputs = symbolic_call(inception_module, input_shape, (filters,), report, what=what,
                                        hints=[("Concatenate", _SAME_SIZE)], returns="return the concatenated tensor")
        got = tuple(outputs.shape[1:])
        report.precondition(got[:2] == input_shape[:2], f"{what} gives shape {got}: {_SAME_SIZE}")
        answer_branches = _branches(outputs, inputs, report, what)
        want_channels = dict(zip(BRANCHES, (filters[0], filters[2], filters[4], filters[5])))
        for role in BRANCHES:
            channels = answer_branches[role][-1].output.shape[-1]
            report.precondition(channels == want_channels[role], f"{what}: the {role} branch outputs {channels} "
                                                                 f"channels, expected {want_channels[role]} "
                                                                 f"({_FILTERS})")
        report.success(f"{what} -> {(*input_shape[:2], sum(want_channels.values()))}")
        ref_inputs = keras.Input(input_shape)
        reference = keras.Model(ref_inputs, blocks.inception_module(ref_inputs, filters))
        reference_branches = _branches(reference.output, ref_inputs, report, "the reference")
        for role in BRANCHES:
            difference = describe_difference(layer_signature(answer_branches[role]),
                                             layer_signature(reference_branches[role]))
            report.precondition(not difference, f"{what}, {role} branch: {difference} -- {_FILTERS}, every "
                                                f"convolution 'same' with a ReLU, the pool a 3x3 max-pool")
        paths = ([reference_branches[r] for r in BRANCHES], [answer_branches[r] for r in BRANCHES])
        compare_with_reference(keras.Model(inputs, outputs), reference,
                               fixed_inputs((2, *input_shape), seed=case, low=-1, high=1), report, seed=case,
                               paths=paths, what=what, advice=_FILTERS)

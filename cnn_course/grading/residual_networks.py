"""Graders of notebook 02, residual networks (He et al. 2016): the blocks read by role (`paths.residual`), so that
creating the shortcut after the main path or writing ``Add()([x, shortcut])`` is accepted; ResNet-50 as a stem,
blocks and a head."""

from __future__ import annotations

import functools
import re

import keras

from cnn_course import blocks
from cnn_course.grading import paths
from cnn_course.grading.block import BlockExercise, block_grader, compare_path
from cnn_course.grading.builder import BuilderExercise, builder_grader, describe_difference
from cnn_course.grading.report import Report
from cnn_course.grading.vocabulary import read, tokens, words
from cnn_course.graph import (
    branch,
    chain_back,
    inputs_of,
    is_addition,
    nested_models,
    operations,
    reused_layers,
)
from cnn_course.models.resnet import ResNet50

_SETTING_ADVICE = {
    "use_bias": "batch norm would make the bias redundant, but this exercise follows keras.applications.ResNet50, "
                "whose convolutions keep the default use_bias=True",
    "filters": "check the filters (F1, F2, F3) of each convolution",
    "axis": "BatchNormalization normalizes each channel: keep its default axis=-1 (the channels are last)",
    **dict.fromkeys(("center", "scale"), "keep the defaults center=True and scale=True -- its learned offset beta and "
                                         "scale gamma"),
    "strides": "in the convolutional block both the first 1x1 convolution and the shortcut's 1x1 convolution take "
               "stride s; the f x f one keeps stride 1",
    "padding": "the middle f x f convolution uses padding='same', the 1x1 ones 'valid'"}


def _residual_advice(role, index, expected, found, case) -> str:
    if role == "main path" and expected is None and found == "ReLU":
        return ("the shortcut is added after the ReLU: add it to the last BatchNormalization's output and apply the "
                "ReLU after the Add")
    if role == "shortcut" and found == "ReLU":
        return "the shortcut has no ReLU of its own (the one ReLU comes after the addition)"
    return ""


def _add_advice(error: str) -> str:
    """What to check when the paths' shapes differ at the Add: the channels (the filters), or the rows and columns."""
    shapes = re.search(r"shapes \(([^)]*)\) and \(([^)]*)\)", error)
    first, second = ([size.strip() for size in shape.split(",")] for shape in shapes.groups()) if shapes else ([], [])
    if first and first[:-1] == second[:-1]:
        return (f"the paths end with different numbers of channels ({first[-1]} and {second[-1]}), both F3: the main "
                f"path's last 1x1 convolution has F3 filters; the shortcut is the block's input itself (identity "
                f"block) or a 1x1 convolution with F3 filters (convolutional block)")
    return ("both paths must have the same shape at the Add: the shortcut starts from the block's input, kept before "
            "the main path changes x (shortcut = x first); the middle f x f convolution needs padding='same'; and in "
            "the convolutional block both the first 1x1 convolution and the shortcut's 1x1 convolution take stride s")


def _setting_advice(exercise, word, ordinal, setting, got, want, case) -> str:
    """The advice on a setting; on a case that leaves `s` to its default (no keyword arguments), that it is 2."""
    default_s = exercise == "convolutional_block" and case is not None and len(case) == 2
    return _SETTING_ADVICE.get(setting, "") + (" -- and s defaults to 2, def convolutional_block(x, f, filters, s=2)"
                                               if setting == "strides" and default_s else "")


def _residual_block(exercise, cases, success) -> BlockExercise:
    return BlockExercise(
        exercise=exercise, reference=getattr(blocks, exercise), cases=cases, success=success, paths=paths.residual,
        advice=_residual_advice, setting_advice=functools.partial(_setting_advice, exercise),
        hints=[("incompatible shapes", _add_advice)],
        returns="a block returns its output tensor", repeated="ResNet50 stacks 16 of these blocks in one model",
        nested="build its layers on x itself: ResNet50 puts 16 blocks in one graph, whose layers the notebook counts "
               "and tunes one by one")


check_identity_block = block_grader(_residual_block(
    "identity_block", [((6, 6, 8), (3, (4, 4, 8))), ((5, 5, 6), (5, (2, 3, 6))), ((4, 4, 3), (1, (3, 5, 3)))],
    "main path 1x1 -> f x f 'same' -> 1x1 with batch norm and ReLUs, the input added, then a ReLU"))

check_convolutional_block = block_grader(_residual_block(
    "convolutional_block", [((7, 7, 3), (3, (4, 2, 6)), {"s": 2}), ((6, 6, 5), (5, (3, 3, 4)), {"s": 1}),
                            ((9, 9, 2), (3, (2, 2, 4)), {"s": 3}), ((8, 8, 4), (3, (2, 3, 8)))],  # last: s's default
    "main path with stride s, a 1x1 convolution with stride s and batch norm on the shortcut, added, then a ReLU"))


_ENDS = {"stem": "ZeroPadding2D(3), 7x7 conv with stride 2, BN, ReLU, ZeroPadding2D(1), 3x3 max-pool with stride 2",
         "head": "global average pooling, then the softmax Dense"}


def _parts(model, report, what):
    """A residual network as stem layers, blocks (main path, shortcut) and head layers, found from its additions."""
    source, adds = model.inputs[0], [operation for operation in operations(model) if is_addition(operation)]
    if not adds:
        report.fail(f"{what} has no Add layer: build it from your identity and convolutional blocks")
    shared = [layer.name for layer in reused_layers(model.outputs) if is_addition(layer)]
    report.precondition(not shared, f"{what}: one Add layer ({shared[0] if shared else ''}) joins several blocks: "
                                    f"create a new layers.Add() in each block, as the notebook reads it layer by layer")
    parts, block_inputs = [], []
    for number, add in enumerate(adds, start=1):
        report.precondition(len(inputs_of(add)) == 2, f"{what}, block {number}: the addition has "
                            f"{len(inputs_of(add))} inputs; add exactly the two paths, layers.Add()([shortcut, x])")
        a, b = inputs_of(add)
        chain_a, chain_b = chain_back(a, source), chain_back(b, source)
        block_input = next((t for t in chain_a if any(t is u for u in chain_b)), None)
        report.precondition(block_input is not None, f"{what}: the two inputs of {add.name} do not start from one "
                                                     f"tensor")
        main, shortcut = sorted([branch(a, block_input), branch(b, block_input)], key=paths.weight, reverse=True)
        parts.append((main, shortcut))
        block_inputs.append(block_input)
    head = branch(model.outputs[0], adds[-1].output)  # the last block's ReLU, then the head
    report.precondition(head is not None, f"{what}: after the last block expect the ReLU's output to feed the head")
    for number, (add, ends) in enumerate(zip(adds, [*block_inputs[1:], None]), start=1):
        after = words(branch(ends, add.output) or []) if ends is not None else words(head)[:1]
        report.precondition(after == ["ReLU"], f"{what}, block {number}: after the addition apply a ReLU, a[l+2] = "
                                               f"g(z[l+2] + a[l]); found {' -> '.join(after) or 'nothing'}")
    return branch(block_inputs[0], source) or [], parts, head


def _compare_resnet(model, reference, report, what):
    """Stem and head layer by layer, 16 blocks of the right kinds, each block's paths by role, its output shape."""
    nested = [layer.name for layer in nested_models(model)]
    report.precondition(not nested, f"{what}: layers are inside models of their own ({', '.join(nested[:3])}): call "
                        f"the block functions on tensors, x = identity_block(x, ...), each building its layers on x, "
                        f"so that the network is one graph -- the notebook counts and tunes its layers one by one")
    stem, parts, head = _parts(model, report, what)
    reference_stem, reference_parts, reference_head = _parts(reference, Report("the reference"), "the reference")
    if len(parts) != len(reference_parts):
        report.fail(f"{what} has {len(parts)} residual blocks, expected 16 (3 + 4 + 6 + 3)")
    report.success("16 residual blocks (3 + 4 + 6 + 3)")
    kinds, want_kinds = ([["identity", "conv"]["Conv2D" in words(shortcut)] for _, shortcut in blocks_]
                         for blocks_ in (parts, reference_parts))
    report.require(kinds == want_kinds, "a convolutional block opens each stage, identity blocks follow",
                   f"{what}: block types {kinds}, expected {want_kinds}")
    for part, got, want in (("stem", stem, reference_stem), ("head", head, reference_head)):
        difference = (describe_difference(tokens(got), tokens(want))
                      or paths.setting_difference(read(got), read(want), part))
        report.precondition(not difference, f"{what}, {part}: {difference} (the {part}: {_ENDS[part]})")
    spec = check_identity_block.spec
    for number, ((main, shortcut), (want_main, want_shortcut)) in enumerate(zip(parts, reference_parts), start=1):
        strides, want = {_first_stride(main), _first_stride(shortcut)}, _first_stride(want_main)
        report.precondition(len(strides) > 1 or strides == {want}, f"{what}: block {number} opens its stage with "
                            f"stride {min(strides)}, expected {want}: the stages' convolutional blocks take s = 1, 2, "
                            f"2, 2")
        for path, want, role in ((main, want_main, "main path"), (shortcut, want_shortcut, "shortcut")):
            compare_path(spec, None, path, want, role, f"{what}, block {number}", report)
        got_shape, want_shape = tuple(main[-1].output.shape[1:]), tuple(want_main[-1].output.shape[1:])
        report.precondition(got_shape == want_shape, f"{what}: block {number} outputs {got_shape}, expected "
                            f"{want_shape} (stem: {_ENDS['stem']}; stage strides 1, 2, 2, 2)")
    report.success("every block's main path and shortcut as in the lecture")
    return ([reference_stem, *(path for block in reference_parts for path in block), reference_head],
            [stem, *(path for block in parts for path in block), head])


def _first_stride(path):
    """The strides of a path's first convolution (1 where it has none: an identity shortcut)."""
    return next((tuple(layer.strides)[0] for layer in path if isinstance(layer, keras.layers.Conv2D)), 1)


check_ResNet50 = builder_grader(BuilderExercise(
    exercise="ResNet50", reference=ResNet50, cases=[((64, 64, 3), 6), ((32, 48, 1), 4)], compare=_compare_resnet,
    success="ResNet-50 as keras.applications builds it: stem, 3 + 4 + 6 + 3 bottleneck blocks, pooled softmax head"))

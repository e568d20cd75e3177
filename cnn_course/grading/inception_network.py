"""Grader of notebook 06, the Inception network: the Inception module, each branch recognised by what it does; the
order of the concatenation matters, that in which the layers were created does not."""

from __future__ import annotations

from cnn_course import blocks
from cnn_course.grading import paths
from cnn_course.grading.block import BlockExercise, block_grader
from cnn_course.grading.vocabulary import read

_SAME_SIZE = ("the branches are stacked along the channels (Concatenate(axis=-1)), so every branch must keep "
              "n_H and n_W: padding='same' and stride 1, also for the max-pool (MaxPooling2D(3, strides=1, "
              "padding='same'))")
_NAMES = ("#1x1", "#3x3 reduce", "#3x3", "#5x5 reduce", "#5x5", "pool proj")
_FILTERS = f"filters are ({', '.join(_NAMES)})"


def _role(path) -> str:
    """Which branch a chain of layers is: by its pooling and its largest kernel."""
    steps = read(path)
    if any("Pooling" in step.word for step in steps):
        return "pool"
    kernels = [step.layers[0].kernel_size[0] for step in steps if step.word == "Conv2D"]
    return f"{max(kernels)}x{max(kernels)}" if kernels else "none"


def _setting_advice(word, ordinal, setting, got, want, case) -> str:
    if setting in ("padding", "strides"):
        return _SAME_SIZE
    if setting != "filters":
        return "every convolution 'same' with a ReLU, the pool a 3x3 max-pool"
    named = [name for name, value in zip(_NAMES, case[1][0]) if value == got]  # another layer's number, or its tensor?
    return (f"{got} is {' and '.join(named)}: is each layer given its own number, and called on its own branch's "
            f"tensor? " if named else "") + _FILTERS


check_inception_module = block_grader(BlockExercise(
    exercise="inception_module", reference=blocks.inception_module,
    # (input shape, filters): module 3a of the paper, and small modules whose six numbers all differ.
    cases=[((28, 28, 192), ((64, 96, 128, 16, 32, 32),)), ((7, 7, 6), ((5, 3, 4, 2, 7, 6),)),
           ((6, 5, 4), ((2, 6, 3, 5, 4, 8),))],
    paths=lambda output, source, report, what: paths.branches(
        output, source, report, what, _role, ("1x1", "3x3", "5x5", "pool"),
        "use the table's order (1x1, 3x3, 5x5, pool) -- it decides which output channels are which"),
    setting_advice=_setting_advice, hints=[("Concatenate", _SAME_SIZE)], returns="return the concatenated tensor",
    advice=lambda role, index, expected, found, case: f"{_FILTERS}, every convolution 'same' with a ReLU, the pool a "
                                                      f"3x3 max-pool",
    success="four branches -- 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max-pool then 1x1 -- concatenated in the table's "
            "order, with the reference's outputs"))

"""The graders the notebooks call: ``check_<exercise>(answer)`` returns a `Report`.

The graders of notebook ``NN_topic`` live in ``cnn_course.grading.topic`` (notebook 02's in `residual_networks`), each
a *description* for one of four engines: `formula` (numbers from numbers: an output size, a count of
multiplications), `array` (an array transform: a 1x1 convolution in NumPy, a kernel's layout, the 10-crop), `block`
(a block on a Keras tensor, read by role with `paths`) and `builder` (a whole model), against the package's own code.

What they share: `report` (the Report that never raises, the time limit), `answer_key` (the package's and
keras.applications' functions out of reach while the answer runs, found mechanically), `vocabulary` (one reading of
layers: activations by what they compute), `mistakes` (one named-mistake lookup), `compare` (the same outputs as the
reference on identical weights) and `grading_base` (a small base to grade transfer learning on, and what an answer did
to a model it was given). Where no engine fits, a grader is written by hand: `compile_classifier` (with
`check_compiled`, reused by `unfreeze_top`), the other graders of notebook 10, `pca_color_augmentation`.
"""

from cnn_course.grading.report import Report, grader

__all__ = ["Report", "grader"]

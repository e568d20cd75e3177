"""The graders the notebooks call: ``check_<exercise>(answer)`` returns a `Report`.

Notebook ``NN_topic``'s graders live in ``cnn_course.grading.topic``, each a description for one engine: `formula`
(numbers from numbers), `array` (an array transform), `block` (a block on a Keras tensor, read by role with `paths`)
or `builder` (a whole model). They share `report`, `answer_key`, `limits`, `vocabulary`, `mistakes`, `compare` and
`grading_base`; where no engine fits (notebook 10, `compile_classifier`, `pca_color_augmentation`) a grader is written
by hand.
"""

from cnn_course.grading.report import Report, grader

__all__ = ["Report", "grader"]

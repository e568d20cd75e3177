"""The graders the notebooks call: ``check_<exercise>(answer)`` returns a `Report`.

The graders of notebook ``NN_topic`` live in ``cnn_course.grading.topic`` (e.g. notebook 02's
in `residual_networks`), each built with the `grader` decorator of `report`. A report displays
as a pass/fail list in the notebook and never raises; its ``passed`` is a bool. The shared
machinery: `report` (the Report and its idioms), `signature` (layers as comparable tokens),
`compare` (same outputs as the reference on identical weights) and `generic` (builders and blocks).
"""

from cnn_course.grading.report import Report, grader

__all__ = ["Report", "grader"]

"""The graders the notebooks call: ``check_<exercise>(answer)`` returns a `Report`.

A report displays as a pass/fail list in the notebook and never raises; its ``passed``
is a bool. ``python -m cnn_course grade NOTEBOOK`` runs a notebook and tabulates them.
"""

from cnn_course.grading.classic_networks import check_conv_output_shape, check_LeNet5, check_vgg_block
from cnn_course.grading.core import Report, grader
from cnn_course.grading.inception_motivation import check_bottleneck, check_conv_multiplies
from cnn_course.grading.inception_network import check_inception_module
from cnn_course.grading.keras_tutorial import check_compile_classifier, check_functional_cnn, check_sequential_cnn
from cnn_course.grading.one_by_one_convolutions import check_one_by_one_as_dense
from cnn_course.grading.residual_networks import check_convolutional_block, check_identity_block, check_resnet50

__all__ = ["Report", "grader", "check_sequential_cnn", "check_functional_cnn", "check_compile_classifier",
           "check_conv_output_shape", "check_LeNet5", "check_vgg_block", "check_identity_block",
           "check_convolutional_block", "check_resnet50", "check_one_by_one_as_dense", "check_conv_multiplies",
           "check_bottleneck", "check_inception_module"]

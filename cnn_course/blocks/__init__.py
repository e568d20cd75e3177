"""Building blocks as plain functions on tensors: each adds layers to a Functional graph.

A block never wraps its layers in a nested model, so a network built from blocks is one flat
graph whose layer names and weight order can match keras.applications.
"""

from cnn_course.blocks.classic import vgg_block
from cnn_course.blocks.inception import bottleneck_layer, inception_module, mlpconv
from cnn_course.blocks.mobile import bn_relu6, depthwise_separable_conv, inverted_residual_block, mbconv_block
from cnn_course.blocks.residual import BN_EPSILON, convolutional_block, identity_block, residual_block

__all__ = ["vgg_block", "BN_EPSILON", "identity_block", "convolutional_block", "residual_block", "inception_module",
           "bottleneck_layer", "mlpconv", "bn_relu6", "depthwise_separable_conv", "inverted_residual_block",
           "mbconv_block"]

"""Model builders, called like keras.applications'."""

from cnn_course.models.classic import VGG16, AlexNet, LeNet5
from cnn_course.models.efficientnet import (
                                             EfficientNetB0,
                                             EfficientNetB1,
                                             EfficientNetB2,
                                             EfficientNetB3,
                                             EfficientNetB4,
                                             EfficientNetB5,
                                             EfficientNetB6,
                                             EfficientNetB7,
                                             EfficientNetLite0,
)
from cnn_course.models.inception import GoogLeNet
from cnn_course.models.mobilenet import MobileNet, MobileNetV2
from cnn_course.models.resnet import CifarResNet, ResNet18, ResNet50

__all__ = ["LeNet5", "AlexNet", "VGG16", "ResNet50", "ResNet18", "CifarResNet", "GoogLeNet", "MobileNet", "MobileNetV2",
           "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3", "EfficientNetB4", "EfficientNetB5",
           "EfficientNetB6", "EfficientNetB7", "EfficientNetLite0"]

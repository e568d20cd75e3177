"""Model builders, called like keras.applications'.

As in keras.applications, the module of each family with ImageNet weights has the `preprocess_input` those
weights expect and `decode_predictions` for their outputs (offline): `resnet`, `classic` (VGG16), `mobilenet`,
`efficientnet` (B0-B7) and `ported` (EfficientNet-Lite0), e.g. ``from cnn_course.models import resnet`` and
``resnet.preprocess_input(images)``.
"""

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

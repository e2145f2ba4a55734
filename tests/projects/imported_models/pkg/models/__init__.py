from .resnet import ResNet, resnet
from .backbone import Backbone

"""A quantizable subclass of an imported model, built and handed to a project helper and to torch's
quantization: no code here could give a Linear its values (torchvision/models/quantization/resnet.py)."""
import torch

from ..models.resnet import ResNet
from .utils import replace_relu


class QuantizableResNet(ResNet):
    def fuse_model(self):
        torch.ao.quantization.fuse_modules(self, [["conv1"]], inplace=True)


def quantizable_resnet(quantize=False, **kwargs):
    model = QuantizableResNet(**kwargs)
    replace_relu(model)
    if quantize:
        torch.ao.quantization.prepare(model, inplace=True)
    return model

"""Its block handed to ResNet in one call: ResNet builds it through `block_fn` and covers its Conv2d."""
import torch.nn as nn

from .builder import build_model_with_cfg
from .resnet import ResNet


class Bottle2neck(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.conv1 = nn.Conv2d(dim, dim, 1, bias=False)
        self.conv2 = nn.Conv2d(dim, dim, 3, padding=1, bias=False)


def res2net50(pretrained=False, **kwargs):
    model_args = dict(block=Bottle2neck, dim=8)
    return build_model_with_cfg(ResNet, "res2net50", pretrained, **dict(model_args, **kwargs))

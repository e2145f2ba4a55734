"""Issue 11 judged sample, torchvision S7 (a known miss until the solver read a fork of a build through a
variable as a doubt): a ShuffleNet-style model whose blocks come from a class given as a constructor
parameter (`inverted_residual=InvertedResidual`) and built through it, with no init code anywhere; a
builder function builds the model with `**kwargs` and loads weights only when asked (`if weights is not
None: model.load_state_dict(...)`).  Every conv keeps PyTorch's default when no weights are given: the
block's conv too, whether or not the variable builds it (the model covers it on one way only, and the
block alone is covered by nothing).

Seen in torchvision/models/shufflenetv2.py.
"""
from typing import Callable

import torch.nn as nn
from torchvision.utils import _log_api_usage_once


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride):
        super().__init__()
        self.branch = nn.Sequential(
            nn.Conv2d(inp, oup, kernel_size=1, bias=False),  # expect: INI001
            nn.BatchNorm2d(oup),
            nn.ReLU(inplace=True),
        )


class ShuffleNet(nn.Module):
    def __init__(self, channels=8, num_classes=10, inverted_residual: Callable[..., nn.Module] = InvertedResidual):
        super().__init__()
        _log_api_usage_once(self)
        self.conv1 = nn.Conv2d(3, channels, 3, 2, 1, bias=False)  # expect: INI001
        for name in ("stage2", "stage3"):
            seq = [inverted_residual(channels, channels, 2)]
            seq.append(inverted_residual(channels, channels, 1))
            setattr(self, name, nn.Sequential(*seq))
        self.fc = nn.Linear(channels, num_classes)  # expect: INI001


def _shufflenet(weights=None, **kwargs):
    model = ShuffleNet(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict())
    return model

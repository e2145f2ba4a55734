"""A module-level helper that loops `conv.modules()` with isinstance and xavier init, called on each head container from `__init__` (seen in torchvision/models/detection/ssd.py: _xavier_init; ssdlite.py: _normal_init): no findings."""
import torch
from torch import nn


def _xavier_init(conv: nn.Module):
    for layer in conv.modules():
        if isinstance(layer, nn.Conv2d):
            torch.nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                torch.nn.init.constant_(layer.bias, 0.0)


class ScoringHead(nn.Module):
    def __init__(self, in_channels=(8, 16), num_anchors=(4, 6), num_columns=5):
        super().__init__()
        self.module_list = nn.ModuleList()
        for ch, anchors in zip(in_channels, num_anchors):
            self.module_list.append(nn.Conv2d(ch, num_columns * anchors, kernel_size=3, padding=1))
        _xavier_init(self.module_list)

    def forward(self, xs):
        return [m(x) for m, x in zip(self.module_list, xs)]


class ExtraBlocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.extra = nn.Sequential(
            nn.Conv2d(16, 8, kernel_size=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(8, 16, kernel_size=3, padding=1, stride=2),
        )
        _xavier_init(self.extra)

    def forward(self, x):
        return self.extra(x)

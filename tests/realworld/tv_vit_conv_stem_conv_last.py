"""A ViT whose patch projection is either one Conv2d or a conv stem (a Sequential whose last child is added as
`conv_last`), initialized by `isinstance(self.conv_proj, nn.Conv2d)` / `self.conv_proj.conv_last`; the builder
function loads weights only when asked (seen in torchvision/models/vision_transformer.py).

Decided (issue 11): `vit(weights=None)` is a way on which only the constructor's init runs, so what it covers
matters. It covers both projections: `self.conv_proj.conv_last` reads the Sequential's child (a Conv2d has no
such attribute), and the isinstance test follows the earlier choice (a doubt, not a way): no finding by
default; --strict lists both projections as unverified.
The head keeps the default on the way without weights: reported.
"""
import math

import torch
from torch import nn


class TinyViT(nn.Module):
    def __init__(self, hidden=16, num_classes=10, conv_stem=None):
        super().__init__()
        if conv_stem is not None:
            seq_proj = nn.Sequential()
            seq_proj.add_module("conv_bn_relu_0", nn.BatchNorm2d(3))
            seq_proj.add_module("conv_last", nn.Conv2d(in_channels=3, out_channels=hidden, kernel_size=1))  # expect-strict: INI001
            self.conv_proj = seq_proj
        else:
            self.conv_proj = nn.Conv2d(3, hidden, kernel_size=4, stride=4)  # expect-strict: INI001
        self.head = nn.Linear(hidden, num_classes)  # expect: INI001

        if isinstance(self.conv_proj, nn.Conv2d):
            fan_in = self.conv_proj.in_channels * self.conv_proj.kernel_size[0] * self.conv_proj.kernel_size[1]
            nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
            if self.conv_proj.bias is not None:
                nn.init.zeros_(self.conv_proj.bias)
        elif self.conv_proj.conv_last is not None and isinstance(self.conv_proj.conv_last, nn.Conv2d):
            nn.init.normal_(self.conv_proj.conv_last.weight, mean=0.0, std=math.sqrt(2.0 / hidden))
            if self.conv_proj.conv_last.bias is not None:
                nn.init.zeros_(self.conv_proj.conv_last.bias)

    def forward(self, x):
        return self.head(self.conv_proj(x).flatten(2).mean(-1))


def vit(weights=None, **kwargs):
    model = TinyViT(**kwargs)
    if weights is not None:
        model.load_state_dict(torch.load(weights))
    return model

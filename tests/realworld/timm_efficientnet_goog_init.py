"""TF-style (`_init_weight_goog`) init function: conv weights normal with a fan_out that divides by groups, Linear weights uniform with 1/sqrt(fan_in + fan_out), biases zero; applied by a loop over `named_modules()` (seen in timm/models/_efficientnet_builder.py: _init_weight_goog, efficientnet.py). No findings (the 1/sqrt bounds are on weights)."""
import math

import torch
from torch import nn


def _init_weight_goog(m, n="", fix_group_fanout=True):
    if isinstance(m, nn.Conv2d):
        fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
        if fix_group_fanout:
            fan_out //= m.groups
        nn.init.normal_(m.weight, 0, math.sqrt(2.0 / fan_out))
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Linear):
        fan_out = m.weight.size(0)
        fan_in = m.weight.size(1) if "routing_fn" in n else 0
        init_range = 1.0 / math.sqrt(fan_in + fan_out)
        nn.init.uniform_(m.weight, -init_range, init_range)
        nn.init.zeros_(m.bias)


class SqueezeExcite(nn.Module):
    def __init__(self, ch=16, rd=4):
        super().__init__()
        self.conv_reduce = nn.Conv2d(ch, rd, 1, bias=True)
        self.conv_expand = nn.Conv2d(rd, ch, 1, bias=True)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.conv_expand(torch.relu(self.conv_reduce(s))))


class TinyEfficientNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv_stem = nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16, bias=False)
        self.se = SqueezeExcite(16)
        self.classifier = nn.Linear(16, num_classes)
        for n, m in self.named_modules():
            _init_weight_goog(m, n)

    def forward(self, x):
        return self.classifier(self.se(self.dw(self.conv_stem(x))).mean((2, 3)))

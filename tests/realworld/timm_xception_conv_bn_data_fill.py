"""A `modules()` loop that covers Conv2d (kaiming) and fills BatchNorm through `.weight.data.fill_(1)` / `.bias.data.zero_()`; separable convs are bias-free; the Linear classifier built in the same model keeps the default (seen in timm/models/xception.py and dla.py).

Norm fills are not layer weights (no INI002). The classifier is a true finding.
"""
import math

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_ch=8, out_ch=16, kernel_size=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, in_ch, kernel_size, padding=kernel_size // 2, groups=in_ch, bias=False)
        self.pointwise = nn.Conv2d(in_ch, out_ch, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.conv1(x))


class TinyXception(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 2, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.block = SeparableConv2d(8, 16)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, num_classes)  # expect: INI001
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2.0 / n))
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        return self.fc(torch.relu(self.bn2(self.block(x))).mean((2, 3)))

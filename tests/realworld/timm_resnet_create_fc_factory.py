"""A module-level factory `_create_fc` returning a Linear or a 1x1 Conv2d head, and a model `init_weights` that loops `named_modules()` over Conv2d only, then calls each block's `zero_init_last()`; the Linear head from the factory keeps the default (seen in timm/models/resnet.py: init_weights, and timm/layers/classifier.py: _create_fc).

Findings are reported where the factory builds each layer: the Linear head keeps its default weight and bias; the 1x1 conv head (use_conv_head=True) gets its weight from the Conv2d loop but its bias keeps the default.

Decided: constructor parameters are unknown (the caller chooses `use_conv_head`), so both heads the factory can build are judged.
"""
import torch
from torch import nn


def _create_fc(num_features, num_classes, use_conv=False):
    if num_classes <= 0:
        fc = nn.Identity()
    elif use_conv:
        fc = nn.Conv2d(num_features, num_classes, 1, bias=True)  # expect: INI001
    else:
        fc = nn.Linear(num_features, num_classes, bias=True)  # expect: INI001
    return fc


class Bottleneck(nn.Module):
    def __init__(self, ch=8):
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch // 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(ch // 2)
        self.conv2 = nn.Conv2d(ch // 2, ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(ch)

    def zero_init_last(self):
        nn.init.zeros_(self.bn2.weight)

    def forward(self, x):
        return torch.relu(x + self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))))


class TinyResNet(nn.Module):
    def __init__(self, num_classes=10, use_conv_head=False, zero_init_last=True):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.layer1 = nn.Sequential(Bottleneck(8), Bottleneck(8))
        self.fc = _create_fc(8, num_classes, use_conv=use_conv_head)
        self.init_weights(zero_init_last=zero_init_last)

    def init_weights(self, zero_init_last=True):
        for n, m in self.named_modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if zero_init_last:
            for m in self.modules():
                if hasattr(m, "zero_init_last"):
                    m.zero_init_last()

    def forward(self, x):
        return self.fc(self.layer1(self.stem(x)).mean((2, 3)))

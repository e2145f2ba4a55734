"""`isinstance(m, nn.Conv2d) or isinstance(m, nn.Linear)` dispatch with a per-module `stddev` attribute read through hasattr; convs are bias-free, the Linear bias is zeroed (seen in torchvision/models/inception.py and googlenet.py): no findings."""
import torch
from torch import nn


class BasicConv2d(nn.Module):
    def __init__(self, in_ch=3, out_ch=8, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, bias=False, kernel_size=3, **kwargs)
        self.bn = nn.BatchNorm2d(out_ch, eps=0.001)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class AuxHead(nn.Module):
    def __init__(self, in_ch=8, num_classes=10):
        super().__init__()
        self.conv = BasicConv2d(in_ch, 16)
        self.conv.stddev = 0.01
        self.fc = nn.Linear(16, num_classes)
        self.fc.stddev = 0.001

    def forward(self, x):
        return self.fc(self.conv(x).mean((2, 3)))


class TinyInception(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = BasicConv2d(3, 8, stride=2)
        self.aux = AuxHead(8, num_classes)
        self.fc = nn.Linear(8, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d) or isinstance(m, nn.Linear):
                stddev = float(m.stddev) if hasattr(m, "stddev") else 0.1
                torch.nn.init.trunc_normal_(m.weight, mean=0.0, std=stddev, a=-2, b=2)
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return self.fc(self.stem(x).mean((2, 3)))

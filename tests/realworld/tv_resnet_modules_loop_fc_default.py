"""ResNet-style `modules()` loop covering Conv2d and norms, blocks built by a `_make_layer` builder method; the Linear classifier keeps the default (seen in torchvision/models/resnet.py).

The residual blocks' convolutions have bias=False, so the Conv2d branch covers them fully; zeroing the last BN weight of each block (zero_init_residual) is a norm fill, not a layer weight.
"""
import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, in_ch=8, out_ch=8, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.shortcut = None
        if stride != 1 or in_ch != out_ch:
            self.shortcut = nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False), nn.BatchNorm2d(out_ch))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class TinyResNet(nn.Module):
    def __init__(self, num_classes=10, zero_init_residual=True):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 7, stride=2, padding=3, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.stage1 = self._make_stage(8, 8, 2, stride=1)
        self.stage2 = self._make_stage(8, 16, 2, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, num_classes)  # expect: INI001

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock):
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_stage(self, in_ch, out_ch, blocks, stride):
        layers = [BasicBlock(in_ch, out_ch, stride)]
        for _ in range(1, blocks):
            layers.append(BasicBlock(out_ch, out_ch))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = torch.relu(self.bn(self.stem(x)))
        x = self.stage2(self.stage1(x))
        return self.fc(torch.flatten(self.pool(x), 1))

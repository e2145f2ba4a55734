"""DenseNet-style loop whose Linear branch sets only the bias: the classifier weight keeps the default (seen in torchvision/models/densenet.py)."""
import torch
from torch import nn


class DenseLayer(nn.Module):
    def __init__(self, in_ch=8, growth=4):
        super().__init__()
        self.norm = nn.BatchNorm2d(in_ch)
        self.conv = nn.Conv2d(in_ch, growth, 3, padding=1, bias=False)

    def forward(self, x):
        return torch.cat([x, self.conv(torch.relu(self.norm(x)))], 1)


class TinyDenseNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), DenseLayer(8), DenseLayer(12))
        self.classifier = nn.Linear(16, num_classes)  # expect: INI001
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))

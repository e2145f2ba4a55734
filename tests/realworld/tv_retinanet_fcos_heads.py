"""Dense detection heads: a conv tower initialized through `self.conv.children()`/`modules()`, a classification conv with a prior-probability bias, and regression convs initialized in a loop over a literal list of layers (seen in torchvision/models/detection/retinanet.py and fcos.py): no findings."""
import math

import torch
from torch import nn


class ClassificationHead(nn.Module):
    def __init__(self, in_channels=8, num_anchors=3, num_classes=4, prior_probability=0.01):
        super().__init__()
        tower = []
        for _ in range(2):
            tower.append(nn.Conv2d(in_channels, in_channels, 3, padding=1))
            tower.append(nn.GroupNorm(4, in_channels))
            tower.append(nn.ReLU())
        self.conv = nn.Sequential(*tower)
        for layer in self.conv.modules():
            if isinstance(layer, nn.Conv2d):
                torch.nn.init.normal_(layer.weight, std=0.01)
                if layer.bias is not None:
                    torch.nn.init.constant_(layer.bias, 0)
        self.cls_logits = nn.Conv2d(in_channels, num_anchors * num_classes, kernel_size=3, padding=1)
        torch.nn.init.normal_(self.cls_logits.weight, std=0.01)
        torch.nn.init.constant_(self.cls_logits.bias, -math.log((1 - prior_probability) / prior_probability))

    def forward(self, x):
        return self.cls_logits(self.conv(x))


class RegressionHead(nn.Module):
    def __init__(self, in_channels=8, num_anchors=3):
        super().__init__()
        tower = []
        for _ in range(2):
            tower.append(nn.Conv2d(in_channels, in_channels, 3, padding=1))
            tower.append(nn.ReLU())
        self.conv = nn.Sequential(*tower)
        self.bbox_reg = nn.Conv2d(in_channels, num_anchors * 4, kernel_size=3, padding=1)
        self.bbox_ctrness = nn.Conv2d(in_channels, num_anchors, kernel_size=3, padding=1)
        for layer in [self.bbox_reg, self.bbox_ctrness]:
            torch.nn.init.normal_(layer.weight, std=0.01)
            torch.nn.init.zeros_(layer.bias)
        for layer in self.conv.children():
            if isinstance(layer, nn.Conv2d):
                torch.nn.init.normal_(layer.weight, std=0.01)
                torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = self.conv(x)
        return self.bbox_reg(x), self.bbox_ctrness(x)

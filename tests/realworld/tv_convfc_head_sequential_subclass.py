"""An nn.Sequential subclass that appends conv and Linear layers to a list, calls `super().__init__(*blocks)`, then loops `self.modules()` covering Conv2d only: the appended Linear keeps the default (seen in torchvision/models/detection/faster_rcnn.py: FastRCNNConvFCHead)."""
import torch
from torch import nn


class ConvFCHead(nn.Sequential):
    def __init__(self, in_ch=8, conv_layers=(8, 8), fc_layers=(32,), size=4):
        blocks = []
        prev = in_ch
        for ch in conv_layers:
            blocks.append(nn.Conv2d(prev, ch, 3, padding=1))
            blocks.append(nn.ReLU(inplace=True))
            prev = ch
        blocks.append(nn.Flatten())
        prev = prev * size * size
        for width in fc_layers:
            blocks.append(nn.Linear(prev, width))  # expect: INI001
            blocks.append(nn.ReLU(inplace=True))
            prev = width
        super().__init__(*blocks)
        for layer in self.modules():
            if isinstance(layer, nn.Conv2d):
                nn.init.kaiming_normal_(layer.weight, mode="fan_out", nonlinearity="relu")
                if layer.bias is not None:
                    nn.init.zeros_(layer.bias)

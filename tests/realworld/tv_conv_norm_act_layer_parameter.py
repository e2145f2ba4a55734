"""A conv-norm-activation block whose conv class comes from a constructor parameter defaulting to nn.Conv2d (`conv_layer(...)`) (seen in torchvision/ops/misc.py: ConvNormActivation / Conv2dNormActivation).

Decided: the layer class is only a parameter's default, so the finding is a guess: no finding by default, reported as unverified in strict mode.
"""
import torch
from torch import nn


class ConvNormActivation(nn.Sequential):
    def __init__(
        self,
        in_channels=3,
        out_channels=8,
        kernel_size=3,
        stride=1,
        norm_layer=nn.BatchNorm2d,
        activation_layer=nn.ReLU,
        conv_layer=nn.Conv2d,
    ):
        padding = (kernel_size - 1) // 2
        layers = [conv_layer(in_channels, out_channels, kernel_size, stride, padding, bias=norm_layer is None)]  # expect-strict: INI001
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(inplace=True))
        super().__init__(*layers)
        self.out_channels = out_channels

"""A conv-like module holding its own `nn.Parameter(torch.empty(...))` weight and bias, initialized in `reset_parameters` with the default recipe via `_calculate_fan_in_and_fan_out` (seen in torchvision/ops/deform_conv.py: DeformConv2d). No torch layer is built: nothing to report."""
import math

import torch
from torch import nn
from torch.nn import init


class DeformLikeConv2d(nn.Module):
    def __init__(self, in_channels=4, out_channels=8, kernel_size=3, groups=1, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels // groups, kernel_size, kernel_size))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return torch.nn.functional.conv2d(x, self.weight, self.bias, padding=1)

"""An attention block whose `reset_parameters()` (called from `__init__`) initializes a 1x1 attention conv and zeroes the last conv of a fused MLP, leaving the MLP's first conv and the last conv's bias at the default (seen in timm/layers/global_context.py with timm/layers/mlp.py: ConvMlp).

Per-file mode: nothing in the file builds GlobalContext, so it is a model of its own: fc1 keeps the default (weight and bias), fc2's bias keeps the default (true findings; in timm a model elsewhere initializes them). Zeroing fc2, the last layer of the branch that is added back, is intentional (strict only).
"""
import torch
from torch import nn


class ConvMlp(nn.Module):
    def __init__(self, in_features=16, hidden_features=4):
        super().__init__()
        self.fc1 = nn.Conv2d(in_features, hidden_features, kernel_size=1, bias=True)  # expect: INI001
        self.norm = nn.GroupNorm(1, hidden_features)
        self.fc2 = nn.Conv2d(hidden_features, in_features, kernel_size=1, bias=True)  # expect: INI001

    def forward(self, x):
        return self.fc2(torch.relu(self.norm(self.fc1(x))))


class GlobalContext(nn.Module):
    def __init__(self, channels=16, rd_channels=4, use_attn=True, fuse_add=True):
        super().__init__()
        self.conv_attn = nn.Conv2d(channels, 1, kernel_size=1, bias=True) if use_attn else None  # expect: INI001
        self.mlp_add = ConvMlp(channels, rd_channels) if fuse_add else None
        self.reset_parameters()

    def reset_parameters(self):
        if self.conv_attn is not None:
            nn.init.kaiming_normal_(self.conv_attn.weight, mode="fan_in", nonlinearity="relu")
        if self.mlp_add is not None:
            nn.init.zeros_(self.mlp_add.fc2.weight)  # expect-strict: INI003

    def forward(self, x):
        b, c, h, w = x.shape
        attn = self.conv_attn(x).reshape(b, 1, h * w).softmax(-1)
        context = (x.reshape(b, c, h * w) @ attn.transpose(1, 2)).reshape(b, c, 1, 1)
        return x + self.mlp_add(context)

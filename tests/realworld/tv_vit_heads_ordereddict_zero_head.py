"""ViT-style heads in a Sequential(OrderedDict) built conditionally, each initialized by name after an isinstance test; the classifier head is zero-initialized on purpose (seen in torchvision/models/vision_transformer.py).

The MLP block initializes its own Linears in a `modules()` loop (xavier weights, tiny normal biases). The zeroed head is the last layer: reported only under --strict.
"""
import math
from collections import OrderedDict

import torch
from torch import nn


class MLPBlock(nn.Sequential):
    def __init__(self, dim=16, mlp_dim=32):
        super().__init__(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim))
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.normal_(m.bias, std=1e-6)


class TinyViT(nn.Module):
    def __init__(self, num_classes=10, representation_size=None):
        super().__init__()
        hidden = 16
        self.conv_proj = nn.Conv2d(3, hidden, kernel_size=4, stride=4)
        self.mlp = MLPBlock(hidden, 32)
        heads = OrderedDict()
        if representation_size is None:
            heads["head"] = nn.Linear(hidden, num_classes)
        else:
            heads["pre_logits"] = nn.Linear(hidden, representation_size)  # expect-strict: INI001
            heads["act"] = nn.Tanh()
            heads["head"] = nn.Linear(representation_size, num_classes)
        self.heads = nn.Sequential(heads)

        fan_in = self.conv_proj.in_channels * self.conv_proj.kernel_size[0] * self.conv_proj.kernel_size[1]
        nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
        if self.conv_proj.bias is not None:
            nn.init.zeros_(self.conv_proj.bias)
        if hasattr(self.heads, "pre_logits") and isinstance(self.heads.pre_logits, nn.Linear):
            nn.init.trunc_normal_(self.heads.pre_logits.weight, std=math.sqrt(1 / self.heads.pre_logits.in_features))
            nn.init.zeros_(self.heads.pre_logits.bias)
        if isinstance(self.heads.head, nn.Linear):
            nn.init.zeros_(self.heads.head.weight)  # expect-strict: INI003
            nn.init.zeros_(self.heads.head.bias)

    def forward(self, x):
        x = self.conv_proj(x).flatten(2).transpose(1, 2)
        return self.heads(self.mlp(x).mean(1))

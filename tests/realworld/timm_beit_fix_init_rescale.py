"""`self.apply(self._init_weights)` followed by `fix_init_weight()`, which divides the attention and MLP output projections by a depth-dependent factor (`.weight.data.div_(...)`), and a head scaled with `mul_` after init (seen in timm/models/beit.py and eva.py: fix_init_weight, head_init_scale). Rescaling after init is not a constant fill: no findings."""
import math

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, dim * 4)
        self.fc2 = nn.Linear(dim * 4, dim)

    def forward(self, x):
        q, k, v = self.qkv(self.norm1(x)).chunk(3, -1)
        x = x + self.proj((q @ k.transpose(-2, -1)).softmax(-1) @ v)
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm2(x))))


class TinyBeit(nn.Module):
    def __init__(self, num_classes=10, depth=2, head_init_scale=0.001):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, 16, 4, stride=4)
        self.blocks = nn.ModuleList([Block(16) for _ in range(depth)])
        self.head = nn.Linear(16, num_classes)
        self.apply(self._init_weights)
        self.fix_init_weight()
        self.head.weight.data.mul_(head_init_scale)
        self.head.bias.data.mul_(head_init_scale)

    def fix_init_weight(self):
        for layer_id, layer in enumerate(self.blocks):
            layer.proj.weight.data.div_(math.sqrt(2.0 * (layer_id + 1)))
            layer.fc2.weight.data.div_(math.sqrt(2.0 * (layer_id + 1)))

    def _init_weights(self, m):
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.LayerNorm):
            nn.init.constant_(m.bias, 0)
            nn.init.constant_(m.weight, 1.0)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        for blk in self.blocks:
            x = blk(x)
        return self.head(x.mean(1))

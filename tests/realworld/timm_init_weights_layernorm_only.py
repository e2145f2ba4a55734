"""A model-level `self.apply(self._init_weights)` whose function handles only nn.LayerNorm: every Linear keeps the default, including the classifier head (pattern named in /work/shared/REALWORLD.md: "a model whose _init_weights handles only nn.LayerNorm leaves its Linear head at the default"; the `self.apply(self._init_weights)` shape is timm's, e.g. timm/models/coat.py)."""
import torch
from torch import nn


class Attention(nn.Module):
    def __init__(self, dim=16, heads=2):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3, bias=False)  # expect: INI001
        self.proj = nn.Linear(dim, dim)  # expect: INI001

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        x = (q @ k.transpose(-2, -1)).softmax(-1) @ v
        return self.proj(x.transpose(1, 2).reshape(b, n, c))


class TinyTransformer(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.embed = nn.Linear(8, 16)  # expect: INI001
        self.norm1 = nn.LayerNorm(16)
        self.attn = Attention(16)
        self.norm = nn.LayerNorm(16)
        self.head = nn.Linear(16, num_classes)  # expect: INI001
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.LayerNorm):
            nn.init.constant_(m.bias, 0)
            nn.init.constant_(m.weight, 1.0)

    def forward(self, x):
        x = self.embed(x)
        x = x + self.attn(self.norm1(x))
        return self.head(self.norm(x).mean(1))

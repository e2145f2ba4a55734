"""`functools.partial(nn.Linear, bias=False)` used as the layer class (timm/layers/mlp.py and classifier.py use partial(nn.Conv2d, kernel_size=1) this way): the partial builds a torch Linear.

One attention block leaves its partial-built projections at the default (findings reported on the line that calls the partial); another initializes them: no findings there.
"""
import functools

import torch
from torch import nn

LinearNoBias = functools.partial(nn.Linear, bias=False)


class AttentionDefault(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.q = LinearNoBias(dim, dim)  # expect: INI001
        self.kv = LinearNoBias(dim, 2 * dim)  # expect: INI001

    def forward(self, x):
        k, v = self.kv(x).chunk(2, -1)
        return (self.q(x) @ k.transpose(-2, -1)).softmax(-1) @ v


class AttentionInit(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        linear = functools.partial(nn.Linear, bias=False)
        self.q = linear(dim, dim)
        self.kv = linear(dim, 2 * dim)
        nn.init.xavier_uniform_(self.q.weight)
        nn.init.xavier_uniform_(self.kv.weight)

    def forward(self, x):
        k, v = self.kv(x).chunk(2, -1)
        return (self.q(x) @ k.transpose(-2, -1)).softmax(-1) @ v

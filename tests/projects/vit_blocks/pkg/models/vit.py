import torch.nn as nn

from ..layers.mlp import Mlp
from pkg.layers import ConvBlock


class ViT(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.stem = ConvBlock(3)
        self.blocks = nn.ModuleList([Mlp(dim, 4 * dim) for _ in range(2)])
        self.head = nn.Linear(dim, 10)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)

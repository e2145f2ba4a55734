"""Gated attention: the gating Linear gets a zero weight and a bias of one (the gate starts open at sigmoid(1)), and the output projection is zeroed so the residual update starts at zero (AlphaFold-style gating; REALWORLD.md lists gates among intentional zero fills). Both are last projections of their branch: strict only."""
import torch
from torch import nn


class GatedAttention(nn.Module):
    def __init__(self, dim=16, heads=2):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.gate = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)
        for layer in (self.q, self.k, self.v):
            nn.init.xavier_uniform_(layer.weight, gain=1.0)
        nn.init.zeros_(self.gate.weight)  # expect-strict: INI003
        nn.init.ones_(self.gate.bias)
        nn.init.zeros_(self.out.weight)  # expect-strict: INI003
        nn.init.zeros_(self.out.bias)

    def forward(self, x):
        attn = (self.q(x) @ self.k(x).transpose(-2, -1)).softmax(-1)
        o = (attn @ self.v(x)) * torch.sigmoid(self.gate(x))
        return x + self.out(o)

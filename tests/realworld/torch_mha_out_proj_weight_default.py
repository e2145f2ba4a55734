"""Attention with packed in-projection parameters initialized by `_reset_parameters()` (xavier_uniform_/constant_ imported from torch.nn.init) and an output projection whose bias is zeroed but whose weight keeps the default (seen in torch/nn/modules/activation.py: MultiheadAttention).

True finding: torch's own MultiheadAttention leaves out_proj.weight at Linear's default.
"""
import torch
from torch import nn
from torch.nn.init import constant_, xavier_uniform_
from torch.nn.modules.linear import NonDynamicallyQuantizableLinear
from torch.nn.parameter import Parameter


class PackedAttention(nn.Module):
    def __init__(self, embed_dim=16, num_heads=2, bias=True):
        super().__init__()
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.in_proj_weight = Parameter(torch.empty((3 * embed_dim, embed_dim)))
        if bias:
            self.in_proj_bias = Parameter(torch.empty(3 * embed_dim))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias)  # expect: INI001
        self._reset_parameters()

    def _reset_parameters(self):
        xavier_uniform_(self.in_proj_weight)
        if self.in_proj_bias is not None:
            constant_(self.in_proj_bias, 0.0)
            constant_(self.out_proj.bias, 0.0)

    def forward(self, x):
        q, k, v = torch.nn.functional.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, -1)
        return self.out_proj((q @ k.transpose(-2, -1)).softmax(-1) @ v)

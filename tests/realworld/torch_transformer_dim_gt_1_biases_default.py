"""A transformer whose `_reset_parameters()` runs xavier_uniform_ over every parameter with `p.dim() > 1`: the weights of the encoder layers it builds are covered, their Linear biases keep the default (seen in torch/nn/modules/transformer.py: Transformer._reset_parameters with TransformerEncoderLayer; imports `from torch.nn import Linear, Module`).

True findings (bias only): torch's nn.Transformer leaves linear1/linear2 biases at Linear's default.
"""
import torch
import torch.nn.functional as F
from torch.nn import LayerNorm, Linear, Module, ModuleList
from torch.nn.init import xavier_uniform_


class EncoderLayer(Module):
    def __init__(self, d_model=16, dim_feedforward=32, bias=True):
        super().__init__()
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)  # expect: INI001
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)  # expect: INI001
        self.norm = LayerNorm(d_model)

    def forward(self, x):
        return self.norm(x + self.linear2(F.relu(self.linear1(x))))


class TinyTransformer(Module):
    def __init__(self, d_model=16, num_layers=2):
        super().__init__()
        self.layers = ModuleList([EncoderLayer(d_model) for _ in range(num_layers)])
        self._reset_parameters()

    def _reset_parameters(self):
        for p in self.parameters():
            if p.dim() > 1:
                xavier_uniform_(p)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

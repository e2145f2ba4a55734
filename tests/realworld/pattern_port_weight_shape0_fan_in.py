"""A port from a framework whose dense kernel is laid out [in, out]: it takes `weight.shape[0]` / `weight.size(0)` as fan_in for the bias bound, but in PyTorch that is out_features (REALWORLD.md: "a port from a framework whose weight layout is [in, out] that takes weight.shape[0] as fan_in"). True INI004 findings; the correctly ported layer is clean."""
import math

import torch
from torch import nn


class PortedDense(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense1 = nn.Linear(32, 8)
        self.dense2 = nn.Linear(8, 20)
        self.dense3 = nn.Linear(20, 5)
        nn.init.xavier_uniform_(self.dense1.weight)
        nn.init.xavier_uniform_(self.dense2.weight)
        fan_in = self.dense1.weight.shape[0]
        bound = 1 / math.sqrt(fan_in)
        nn.init.uniform_(self.dense1.bias, -bound, bound)  # expect: INI004
        bound2 = 1.0 / math.sqrt(self.dense2.weight.size(0))
        nn.init.uniform_(self.dense2.bias, -bound2, bound2)  # expect: INI004
        nn.init.xavier_uniform_(self.dense3.weight)
        bound3 = 1.0 / math.sqrt(self.dense3.weight.shape[1])
        nn.init.uniform_(self.dense3.bias, -bound3, bound3)

    def forward(self, x):
        return self.dense3(torch.tanh(self.dense2(torch.tanh(self.dense1(x)))))

"""An RNN cell built from two Linears and re-initialized by `reset_parameters()` with the RNN-style bound 1/sqrt(hidden_size) over every parameter (seen in torch/nn/modules/rnn.py: RNNBase/RNNCellBase.reset_parameters).

Not INI004: the bound is applied to all parameters by design (RNN convention), not a hand-written bias bound of one layer; i2h's fan_in is input_size, so a checker that treats it as a bias bound would be wrong. No findings.
"""
import math

import torch
from torch import nn
from torch.nn import init


class ElmanCell(nn.Module):
    def __init__(self, input_size=6, hidden_size=8):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size, hidden_size)
        self.h2h = nn.Linear(hidden_size, hidden_size)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def forward(self, x, h):
        return torch.tanh(self.i2h(x) + self.h2h(h))

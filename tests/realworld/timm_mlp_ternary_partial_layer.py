"""An MLP block whose layer class is chosen by a ternary between `functools.partial(nn.Conv2d, kernel_size=1)` and `nn.Linear`, with no init of its own (seen in timm/layers/mlp.py: Mlp, GluMlp; timm/layers/classifier.py).

Per-file mode: nothing in the file builds it, so it is a model of its own and both layers keep the default whichever class is chosen (true). The finding is on the line that calls `linear_layer(...)`.
"""
from functools import partial

import torch
from torch import nn


class Mlp(nn.Module):
    def __init__(self, in_features=8, hidden_features=None, out_features=None, act_layer=nn.GELU, bias=True, use_conv=False):
        super().__init__()
        out_features = out_features or in_features
        hidden_features = hidden_features or in_features
        linear_layer = partial(nn.Conv2d, kernel_size=1) if use_conv else nn.Linear
        self.fc1 = linear_layer(in_features, hidden_features, bias=bias)  # expect: INI001
        self.act = act_layer()
        self.fc2 = linear_layer(hidden_features, out_features, bias=bias)  # expect: INI001

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))

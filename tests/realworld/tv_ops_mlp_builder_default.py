"""A generic MLP (an nn.Sequential subclass) that appends Linear layers in a loop and never initializes them (seen in torchvision/ops/misc.py: MLP).

Per-file mode: no class of this file builds it, so it is judged as a model of its own and its layers keep the default (true). In torchvision the models that use it initialize it from other files (project mode).
"""
import torch
from torch import nn


class MLP(nn.Sequential):
    def __init__(self, in_channels=8, hidden_channels=(16, 4), activation_layer=nn.ReLU, bias=True, dropout=0.0):
        layers = []
        in_dim = in_channels
        for hidden_dim in hidden_channels[:-1]:
            layers.append(nn.Linear(in_dim, hidden_dim, bias=bias))  # expect: INI001
            layers.append(activation_layer())
            layers.append(nn.Dropout(dropout))
            in_dim = hidden_dim
        layers.append(nn.Linear(in_dim, hidden_channels[-1], bias=bias))  # expect: INI001
        layers.append(nn.Dropout(dropout))
        super().__init__(*layers)

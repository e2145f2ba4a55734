"""An MLP block whose activation is a class held in a variable (a build through a variable)."""
import torch.nn as nn


class Mlp(nn.Module):
    def __init__(self, dim, act_layer=nn.GELU):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim)
        self.act = act_layer()
        self.fc2 = nn.Linear(dim, dim)

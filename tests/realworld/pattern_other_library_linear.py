"""A graph library's own `Linear` (with its own initializer argument) is not torch's nn.Linear: nothing to report for it; a torch Linear next to it is still judged (REALWORLD.md: "a graph library's own Linear class has its own initializer"). no-verify: imports torch_geometric.
"""
import torch
from torch import nn
from torch_geometric.nn import Linear
from torch_geometric.nn.inits import glorot, zeros


class GraphHead(nn.Module):
    def __init__(self, hidden=16, out=4):
        super().__init__()
        self.lin1 = Linear(-1, hidden, weight_initializer="glorot")
        self.lin2 = Linear(hidden, out, bias=True)
        self.readout = nn.Linear(out, 1)
        glorot(self.readout.weight)
        zeros(self.readout.bias)

    def forward(self, x):
        return self.readout(self.lin2(torch.relu(self.lin1(x))))

"""Deformable attention: the sampling-offset Linear gets a zero weight and a bias set to a fixed grid (assigned through `.bias.data = ...`), attention weights are zeroed, value/output projections use xavier (Deformable-DETR-style; REALWORLD.md lists attention offsets among intentional zero fills; torchvision/ops/deform_conv.py is the conv analogue).

The offsets only steer where values are sampled; their output is not the input of another weight layer. Expected: no INI003 by default (a data-flow checker that follows the sampled values into output_proj would be wrong), strict only.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


class DeformableAttention(nn.Module):
    def __init__(self, dim=16, n_points=4):
        super().__init__()
        self.n_points = n_points
        self.sampling_offsets = nn.Linear(dim, n_points * 2)
        self.attention_weights = nn.Linear(dim, n_points)
        self.value_proj = nn.Linear(dim, dim)
        self.output_proj = nn.Linear(dim, dim)
        self._reset_parameters()

    def _reset_parameters(self):
        nn.init.constant_(self.sampling_offsets.weight.data, 0.0)  # expect-strict: INI003
        thetas = torch.arange(self.n_points, dtype=torch.float32) * (2.0 * math.pi / self.n_points)
        grid = torch.stack([thetas.cos(), thetas.sin()], -1)
        with torch.no_grad():
            self.sampling_offsets.bias = nn.Parameter(grid.view(-1))
        nn.init.constant_(self.attention_weights.weight.data, 0.0)  # expect-strict: INI003
        nn.init.constant_(self.attention_weights.bias.data, 0.0)
        nn.init.xavier_uniform_(self.value_proj.weight.data)
        nn.init.constant_(self.value_proj.bias.data, 0.0)
        nn.init.xavier_uniform_(self.output_proj.weight.data)
        nn.init.constant_(self.output_proj.bias.data, 0.0)

    def forward(self, query, value_map):
        b, n, c = query.shape
        offsets = self.sampling_offsets(query).view(b, n, self.n_points, 2).tanh()
        weights = self.attention_weights(query).softmax(-1)
        value = self.value_proj(value_map.flatten(2).transpose(1, 2)).transpose(1, 2).reshape(value_map.shape)
        sampled = F.grid_sample(value, offsets, align_corners=False)
        out = (sampled * weights.unsqueeze(1)).sum(-1).transpose(1, 2)
        return self.output_proj(out)

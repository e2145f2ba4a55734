"""Model-level `self.apply(self._init_weights)` in `__init__`, and a `reset_classifier` method that builds a new head after that init ran: the new head keeps the default (seen in timm/models/pvt_v2.py, vision_transformer.py, and most timm models: reset_classifier)."""
import torch
from torch import nn


class Stage(nn.Module):
    def __init__(self, dim=8):
        super().__init__()
        self.proj = nn.Conv2d(dim, dim, 3, padding=1, groups=dim)
        self.mlp = nn.Linear(dim, dim)

    def forward(self, x):
        x = self.proj(x)
        return self.mlp(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class TinyPVT(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 4, stride=4)
        self.stage = Stage(8)
        self.num_features = 8
        self.head = nn.Linear(self.num_features, num_classes) if num_classes > 0 else nn.Identity()
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.Conv2d):
            fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels // m.groups
            m.weight.data.normal_(0, (2.0 / fan_out) ** 0.5)
            if m.bias is not None:
                m.bias.data.zero_()

    def get_classifier(self):
        return self.head

    def reset_classifier(self, num_classes):
        self.head = nn.Linear(self.num_features, num_classes) if num_classes > 0 else nn.Identity()  # expect: INI001

    def forward(self, x):
        return self.head(self.stage(self.stem(x)).mean((2, 3)))

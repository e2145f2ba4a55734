"""A gate built only through a factory of another file (timm/layers/create_attn.py: `module_cls = CoordAttn`)."""
from torch import nn


class Gate(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        return x * self.conv(x).sigmoid()

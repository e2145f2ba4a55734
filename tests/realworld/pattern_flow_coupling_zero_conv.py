"""Normalizing-flow affine coupling: the coupling network's last conv is zero-initialized (a ZeroConv2d-style layer) so each coupling starts as the identity (Glow/RealNVP-style; REALWORLD.md lists flow coupling layers among intentional zero fills). Its output becomes a scale and shift, not the input of another weight layer of the same network: strict only. The hidden convs are initialized with normal_ and zero biases."""
import torch
from torch import nn


class ZeroConv2d(nn.Module):
    def __init__(self, in_ch=8, out_ch=4):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.conv.weight.data.zero_()  # expect-strict: INI003
        self.conv.bias.data.zero_()
        self.scale = nn.Parameter(torch.zeros(1, out_ch, 1, 1))

    def forward(self, x):
        return self.conv(x) * torch.exp(self.scale * 3)


class AffineCoupling(nn.Module):
    def __init__(self, ch=4, hidden=8):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(ch // 2, hidden, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, 1),
            nn.ReLU(inplace=True),
            ZeroConv2d(hidden, ch),
        )
        self.net[0].weight.data.normal_(0, 0.05)
        self.net[0].bias.data.zero_()
        self.net[2].weight.data.normal_(0, 0.05)
        self.net[2].bias.data.zero_()

    def forward(self, x):
        a, b = x.chunk(2, 1)
        log_s, t = self.net(a).chunk(2, 1)
        s = torch.sigmoid(log_s + 2)
        return torch.cat([a, (b + t) * s], 1)

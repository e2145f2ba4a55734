"""Conv+BN and BN+Linear blocks built with `add_module`, initialized in place, plus `fuse()` methods that build a fresh Conv2d/Linear and immediately copy computed weights into it (seen in timm/models/iformer.py and levit.py: ConvNorm/NormLinear.fuse; re-parameterization in repvit.py, fastvit.py). The fused layers' init is irrelevant (copy_): no findings.

The Conv2d of ConvNorm has no init of its own; the model that builds it covers Conv2d with its `apply`.
"""
import torch
from torch import nn


class ConvNorm(nn.Sequential):
    def __init__(self, in_ch=8, out_ch=8, kernel_size=1, stride=1, padding=0, groups=1, bn_weight_init=1.0):
        super().__init__()
        self.add_module("c", nn.Conv2d(in_ch, out_ch, kernel_size, stride, padding, groups=groups, bias=False))
        self.add_module("bn", nn.BatchNorm2d(out_ch))
        nn.init.constant_(self.bn.weight, bn_weight_init)
        nn.init.constant_(self.bn.bias, 0)

    @torch.no_grad()
    def fuse(self):
        c, bn = self._modules.values()
        w = bn.weight / (bn.running_var + bn.eps) ** 0.5
        b = bn.bias - bn.running_mean * w
        fused = nn.Conv2d(
            c.in_channels, c.out_channels, c.kernel_size, stride=c.stride, padding=c.padding, groups=c.groups
        )
        fused.weight.data.copy_(c.weight * w[:, None, None, None])
        fused.bias.data.copy_(b)
        return fused


class NormLinear(nn.Sequential):
    def __init__(self, in_features=8, out_features=10, std=0.02):
        super().__init__()
        self.add_module("bn", nn.BatchNorm1d(in_features))
        self.add_module("l", nn.Linear(in_features, out_features))
        nn.init.trunc_normal_(self.l.weight, std=std)
        nn.init.constant_(self.l.bias, 0)

    @torch.no_grad()
    def fuse(self):
        bn, l = self._modules.values()
        w = bn.weight / (bn.running_var + bn.eps) ** 0.5
        b = bn.bias - bn.running_mean * w
        fused = nn.Linear(l.in_features, l.out_features)
        fused.weight.data.copy_(l.weight * w[None, :])
        fused.bias.data.copy_(l.weight @ b + l.bias)
        return fused


class TinyLeViT(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(ConvNorm(3, 8, 3, 2, 1), nn.Hardswish(), ConvNorm(8, 8, 3, 2, 1))
        self.head = NormLinear(8, num_classes)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")

    def forward(self, x):
        return self.head(self.stem(x).mean((2, 3)))

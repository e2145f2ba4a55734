"""Known miss (issue 11 judged sample, mmpretrain S3 and S6): LeViT's Linear+BN and BN+Linear blocks have no
init code (mmengine's `init_cfg` is None), and the backbone and the head have none either.  Each block has a
`fuse()` method for deployment that folds the BatchNorm into the block's *own* Linear (`copy_` of values
computed from that Linear's weight), and the model runs it from construction only when asked
(`if deploy: fuse_children(self)`, which calls `child.fuse()` on every child that has one).  The default
way builds the model without fusing, and the fused values are the default weights rescaled anyway: every
Linear keeps PyTorch's default.

Why it is missed: the `copy_` into `self.linear.weight` (and `.bias`) in `fuse()` counts as a write of a
later method that may initialize the layer ("unverified"), so in default mode both Linears stay silent
(with or without the `deploy` call: without the weight `copy_`, the weight is reported).  A `copy_` whose
source is computed from the layer's own parameters re-expresses them; it gives the layer no values of its
own.  (timm's form, where `fuse()` builds a fresh layer and copies into it, is the regular case
timm_conv_bn_fuse_copy.py.)

Seen in mmpretrain/models/backbones/levit.py (LinearBatchNorm, LeViT with `deploy`) and
mmpretrain/models/heads/levit_head.py (BatchNormLinear, fuse_parameters, LeViTClsHead).
"""
import torch
import torch.nn as nn


class LinearNorm(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=False)  # expect: INI001
        self.bn = nn.BatchNorm1d(out_features)

    def forward(self, x):
        return self.bn(self.linear(x))

    @torch.no_grad()
    def fuse(self):
        scale = self.bn.weight / (self.bn.running_var + self.bn.eps) ** 0.5
        shift = self.bn.bias - self.bn.running_mean * scale
        self.linear.register_parameter("bias", nn.Parameter(torch.empty(self.linear.out_features)))
        self.linear.weight.data.copy_(self.linear.weight * scale[:, None])
        self.linear.bias.data.copy_(shift)
        return self.linear


class NormLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.bn = nn.BatchNorm1d(in_features)
        self.linear = nn.Linear(in_features, out_features)  # expect: INI001

    def forward(self, x):
        return self.linear(self.bn(x))

    @torch.no_grad()
    def fuse(self):
        scale = self.bn.weight / (self.bn.running_var + self.bn.eps) ** 0.5
        shift = self.bn.bias - self.bn.running_mean * scale
        bias = self.linear.weight @ shift + self.linear.bias
        self.linear.weight.data.copy_(self.linear.weight * scale[None, :])
        self.linear.bias.data.copy_(bias)
        return self.linear


def fuse_children(module):
    for name, child in module.named_children():
        if hasattr(child, "fuse"):
            setattr(module, name, child.fuse())
        else:
            fuse_children(child)


class TinyLeViT(nn.Module):
    def __init__(self, dim=8, num_classes=10, deploy=False):
        super().__init__()
        self.mlp = nn.Sequential(LinearNorm(dim, dim * 2), nn.Hardswish(), LinearNorm(dim * 2, dim))
        self.head = NormLinear(dim, num_classes)
        if deploy:
            fuse_children(self)

    def forward(self, x):
        return self.head(self.mlp(x))

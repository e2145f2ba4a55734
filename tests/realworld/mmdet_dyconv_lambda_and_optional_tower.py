"""A dynamic-conv block that builds its convolutions through a function it is given (a lambda building
a conv+norm class of the file) and initializes them, and an optional attention conv under
`if self.attnconv is not None` in its `init_weights()`; an offset conv that no code initializes.  The
class the lambda builds is covered by the block's loop; the optional conv is covered on the way that
builds it (paired through `is not None`, a doubt at worst); the offset conv keeps the default.

Seen in mmdet/models/dense_heads/atss_vlfusion_head.py (DyConv, Conv3x3Norm, VLFusionModule); issue 11
(recall).
"""
import torch.nn as nn


class ConvNorm(nn.Module):
    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1)
        self.norm = nn.GroupNorm(4, out_channels)


class DyConv(nn.Module):
    def __init__(self, conv_func, in_channels, out_channels, use_dyfuse=True, use_offset=False):
        super().__init__()
        self.dyconvs = nn.ModuleList()
        self.dyconvs.append(conv_func(in_channels, out_channels, 1))
        self.dyconvs.append(conv_func(in_channels, out_channels, 2))
        if use_dyfuse:
            self.attnconv = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(in_channels, 1, kernel_size=1))  # expect-strict: INI001
        else:
            self.attnconv = None
        if use_offset:
            self.offset = nn.Conv2d(in_channels, 27, 3, padding=1)  # expect: INI001
        else:
            self.offset = None
        self.init_weights()

    def init_weights(self):
        for m in self.dyconvs.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight.data, 0, 0.01)
                if m.bias is not None:
                    m.bias.data.zero_()
        if self.attnconv is not None:
            for m in self.attnconv.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.normal_(m.weight.data, 0, 0.01)
                    if m.bias is not None:
                        m.bias.data.zero_()


class FusionTower(nn.Module):
    def __init__(self, channels=8, blocks=2):
        super().__init__()
        self.tower = nn.Sequential(*[
            DyConv(lambda i, o, s: ConvNorm(i, o, s), channels, channels) for _ in range(blocks)
        ])

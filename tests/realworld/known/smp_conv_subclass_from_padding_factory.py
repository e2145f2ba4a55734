"""Known miss (issue 11 judged sample, smp S12): TF-style "same" padding convolutions are subclasses of
nn.Conv2d defined in the file; a module-level function picks the class (the dynamic one, or a
`functools.partial` of the static one bound to an image size) and the blocks build their convs through the
class it returns.  Nothing initializes these convs: they keep nn.Conv2d's default, as does the plain
Linear head, which is reported.

Why it is missed: a class of the file that extends a torch layer (`ClassInfo.layer_base`) is neither a
model that the analysis runs nor a layer site: building it (`SameConv(...)` directly, or through the
class the factory returns) records a build of a module class with no layers, so its weight and bias are
never judged.  (Every one of the three builds below is missed, the direct one included.)

Seen in segmentation_models_pytorch/encoders/_efficientnet.py (MBConvBlock, EfficientNet,
get_same_padding_conv2d, Conv2dDynamicSamePadding, Conv2dStaticSamePadding).
"""
import math
from functools import partial

import torch.nn as nn
import torch.nn.functional as F


class SameConv(nn.Conv2d):
    """Pads in forward so that the output size is ceil(input / stride)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, groups=1, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride, 0, groups=groups, bias=bias)

    def forward(self, x):
        size, k, s = x.shape[-1], self.kernel_size[0], self.stride[0]
        pad = max((math.ceil(size / s) - 1) * s + k - size, 0)
        return F.conv2d(F.pad(x, [pad // 2, pad - pad // 2] * 2), self.weight, self.bias, self.stride,
                        0, self.dilation, self.groups)


class FixedSameConv(nn.Conv2d):
    """The padding computed once from a known image size."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, image_size=None, **kwargs):
        super().__init__(in_channels, out_channels, kernel_size, stride, **kwargs)
        pad = max((math.ceil(image_size / stride) - 1) * stride + kernel_size - image_size, 0)
        self.pad = nn.ZeroPad2d((pad // 2, pad - pad // 2) * 2)

    def forward(self, x):
        return super().forward(self.pad(x))


def same_conv_class(image_size=None):
    if image_size is None:
        return SameConv
    return partial(FixedSameConv, image_size=image_size)


class InvertedBlock(nn.Module):
    def __init__(self, channels=8, image_size=None):
        super().__init__()
        Conv2d = same_conv_class(image_size=image_size)
        self.depthwise = Conv2d(channels, channels, kernel_size=3, groups=channels, bias=False)  # expect: INI001
        self.bn = nn.BatchNorm2d(channels)
        self.project = Conv2d(channels, channels, kernel_size=1, bias=False)  # expect: INI001


class TinyEfficientNet(nn.Module):
    def __init__(self, channels=8, num_classes=10, image_size=None):
        super().__init__()
        self.stem = SameConv(3, channels, 3, stride=2, bias=False)  # expect: INI001
        self.block = InvertedBlock(channels, image_size)
        self.fc = nn.Linear(channels, num_classes)  # expect: INI001

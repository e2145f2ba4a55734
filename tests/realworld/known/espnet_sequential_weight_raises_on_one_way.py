"""Known false finding (issue 11, JUDGED_11 Session 2b): a conv block with three modes draws
`kaiming_normal_(self.conv.weight)` after the branches.  In the "separable" mode `self.conv` is an
`nn.Sequential` of two convs, which has no `weight`: the draw raises AttributeError, so no block is
ever built that way and its convs never exist.  The analysis reads the draw on a container as
touching none of its layers and reports the two separable convs as keeping the default.  (The
other modes draw the weight; their bias, built when `bias=True`, keeps the default: reported.)

Seen in espnet2/asr/frontend/cnn.py (ConvLayerBlock, conv_mode="depth_sep").
"""
import torch.nn as nn


class ConvBlock(nn.Module):
    def __init__(self, in_channels=4, out_channels=8, kernel_size=3, bias=True, mode="standard"):
        super().__init__()
        if mode == "standard":
            self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, bias=bias)  # expect: INI001
        elif mode == "depthwise":
            self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, groups=in_channels, bias=bias)  # expect: INI001
        elif mode == "separable":
            self.conv = nn.Sequential(
                nn.Conv1d(in_channels, in_channels, kernel_size, groups=in_channels, bias=bias),
                nn.Conv1d(in_channels, out_channels, 1, bias=bias),
            )
        nn.init.kaiming_normal_(self.conv.weight)

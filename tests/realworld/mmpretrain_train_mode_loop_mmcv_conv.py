"""mmcv's `Conv2d` wrapper (a subclass of torch's that only changes `forward` for empty inputs) built in
a backbone whose `init_cfg` is None, and a `train(mode)` override that loops over `self.modules()` to put
norm layers in eval mode.  The wrapper is torch's Conv2d (default init); a `train` method runs after
construction for another purpose, so its loop initializes nothing: both convs keep the default.

no-verify (imports mmcv/mmengine, not installed).

Seen in mmpretrain/models/backbones/van.py (LKA, `train()` with `_BatchNorm`); issue 11 (recall).
"""
import torch.nn as nn
from mmcv.cnn import Conv2d
from mmengine.model import BaseModule
from mmengine.utils.dl_utils.parrots_wrapper import _BatchNorm


class LargeKernelAttention(BaseModule):
    def __init__(self, dims=8, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.depthwise = Conv2d(dims, dims, kernel_size=5, padding=2, groups=dims)  # expect: INI001
        self.pointwise = Conv2d(dims, dims, 1)  # expect: INI001

    def forward(self, x):
        return x * self.pointwise(self.depthwise(x))


class Backbone(BaseModule):
    def __init__(self, dims=8, norm_eval=True, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.attn = LargeKernelAttention(dims)
        self.norm = nn.BatchNorm2d(dims)
        self.norm_eval = norm_eval

    def train(self, mode=True):
        super().train(mode)
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()

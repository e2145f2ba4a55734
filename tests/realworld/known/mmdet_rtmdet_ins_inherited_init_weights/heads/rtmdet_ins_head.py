"""Known false finding (issue 11 judged sample, mmdet F17-F18): an instance-segmentation subclass (another
file) extends `_init_layers` with a mask-feature module of this file, whose convs have no init of their
own (`init_cfg=None`).  The subclass inherits `init_weights` from RTMDetHead, which draws every Conv2d
under the head: the mask module's convs are initialized.

Why it is reported: the inherited `init_weights` is a method of a base class of another file; the
analysis does not run it as a later entry of the subclass, so the module built in `_init_layers` is judged
as if nothing initialized it (the same mechanism as the known case smp_base_initialize_other_file, and,
within one file, mmpretrain_inherited_init_weights_in_file_base.py).

Seen in mmdet/models/dense_heads/rtmdet_ins_head.py (RTMDetInsHead, MaskFeatModule) and rtmdet_head.py
(RTMDetHead.init_weights).  no-verify (imports mmengine).
"""
import torch.nn as nn
from mmengine.model import BaseModule

from .rtmdet_head import RTMDetHead


class MaskFeatModule(BaseModule):
    def __init__(self, in_channels=8, feat_channels=8, num_prototypes=4):
        super().__init__(init_cfg=None)
        self.fusion_conv = nn.Conv2d(in_channels * 2, in_channels, 1)
        self.stacked_convs = nn.Sequential(nn.Conv2d(in_channels, feat_channels, 3, padding=1), nn.ReLU())
        self.projection = nn.Conv2d(feat_channels, num_prototypes, kernel_size=1)


class RTMDetInsHead(RTMDetHead):
    def _init_layers(self):
        super()._init_layers()
        self.mask_head = MaskFeatModule(self.in_channels, self.feat_channels)

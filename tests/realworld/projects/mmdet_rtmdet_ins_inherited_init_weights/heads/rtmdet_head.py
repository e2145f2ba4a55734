"""An RTMDet-style head: `init_weights` (which mmengine's runner calls after construction) draws every
Conv2d under the head, submodules included, then sets the class bias from a prior probability."""
import math

import torch.nn as nn

from .anchor_head import AnchorHead


class RTMDetHead(AnchorHead):
    def _init_layers(self):
        self.cls_conv = nn.Conv2d(self.in_channels, self.feat_channels, 3, padding=1)
        self.rtm_cls = nn.Conv2d(self.feat_channels, self.num_classes, 3, padding=1)
        self.rtm_reg = nn.Conv2d(self.feat_channels, 4, 3, padding=1)

    def init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, mean=0.0, std=0.01)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        nn.init.constant_(self.rtm_cls.bias, -math.log((1 - 0.01) / 0.01))

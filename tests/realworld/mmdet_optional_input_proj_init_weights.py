"""A head whose input projection is mmcv's `Conv2d` (torch's layer) or an `nn.Identity`, initialized in
`init_weights()` (run by the framework after construction) by `caffe2_xavier_init(self.proj)` under
`isinstance(self.proj, Conv2d)`; its class and mask embeddings are initialized by nothing.  The init
helper writes the layer whenever the layer is what `self.proj` holds; the embeddings keep the default.

no-verify (imports mmcv/mmengine, not installed).

Seen in mmdet/models/dense_heads/maskformer_head.py, mask2former_head.py; issue 11 (recall).
"""
import torch.nn as nn
from mmcv.cnn import Conv2d
from mmengine.model import BaseModule, caffe2_xavier_init


class MaskHead(BaseModule):
    def __init__(self, in_channels=8, feat_channels=8, num_classes=3, project=True, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if project:
            self.proj = Conv2d(in_channels, feat_channels, kernel_size=1)  # expect-strict: INI001
        else:
            self.proj = nn.Identity()
        self.cls_embed = nn.Linear(feat_channels, num_classes + 1)  # expect: INI001
        self.mask_embed = nn.Sequential(nn.Linear(feat_channels, feat_channels), nn.ReLU(inplace=True),  # expect: INI001
                                        nn.Linear(feat_channels, feat_channels))  # expect: INI001

    def init_weights(self):
        if isinstance(self.proj, Conv2d):
            caffe2_xavier_init(self.proj, bias=0)

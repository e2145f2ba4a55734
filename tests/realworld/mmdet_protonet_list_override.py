"""A head whose layers are appended to mmengine's `ModuleList` in a loop, optionally sliced
(`protonets[:-1]`), and then wrapped in `nn.Sequential(*protonets)` as `self.protonet`; its default
`init_cfg` initializes that child by name (`override=dict(name='protonet')`).  mmengine's containers hold
their modules like torch's, and the override reaches every layer of the list on both ways (unverified:
a config may pass another `init_cfg`).  A second head stores its stem in mmengine's `Sequential` with
no `init_cfg`: those layers keep the default.

no-verify (imports mmengine, not installed).

Seen in mmdet/models/dense_heads/yolact_head.py (YOLACTProtonet), mmpretrain/models/backbones/vig.py (Vig
stem); issue 11 (recall).
"""
import torch.nn as nn
from mmengine.model import BaseModule, ModuleList, Sequential


class Protonet(BaseModule):
    def __init__(self, in_channels=8, proto_channels=(8, 8), include_last_relu=True,
                 init_cfg=dict(type='Xavier', distribution='uniform', override=dict(name='protonet'))):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.proto_channels = proto_channels
        self.include_last_relu = include_last_relu
        self._init_layers()

    def _init_layers(self):
        in_channels = self.in_channels
        protonets = ModuleList()
        for num_channels in self.proto_channels:
            layer = nn.Conv2d(in_channels, num_channels, 3, padding=1)  # expect-strict: INI001
            protonets.append(layer)
            protonets.append(nn.ReLU(inplace=True))
            in_channels = num_channels
        if not self.include_last_relu:
            protonets = protonets[:-1]
        self.protonet = nn.Sequential(*protonets)


class GraphStem(BaseModule):
    def __init__(self, in_channels=3, channels=16, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.stem = Sequential(
            nn.Conv2d(in_channels, channels // 2, 3, stride=2, padding=1),  # expect: INI001
            nn.BatchNorm2d(channels // 2),
            nn.Conv2d(channels // 2, channels, 3, stride=2, padding=1),  # expect: INI001
        )

"""mmengine-style modules: a `BaseModule` subclass whose default `init_cfg` names the layer types the
framework initializes when the runner calls `init_weights()` after construction (seen in
mmpretrain/models/heads/beitv1_head.py, multi_label_linear_head.py, backbones/inception_v3.py,
sparse_convnext.py, necks/spark_neck.py; tnt.py names Linear but not the Conv2d of its pixel embedding).

mmdet's heads also set `self.init_cfg = [...]` (or `+=`) inside `__init__` of a base class and name
children by `override=dict(name='fc_cls')` (mmdet/models/roi_heads/bbox_heads/sabl_head.py,
convfc_bbox_head.py, double_bbox_head.py, mask_heads/global_context_head.py).

Issue 11: these were false findings; a type the default `init_cfg` names is initialized by code out of
sight (unverified: a config may pass another `init_cfg`), in the whole module, children included; a type
it does not name keeps the default. no-verify (imports mmengine).
"""
from mmengine.model import BaseModule
from torch import nn


class PixelEmbed(BaseModule):
    def __init__(self, in_channels=3, dim=8, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.proj = nn.Conv2d(in_channels, dim, 3)  # expect: INI001

    def forward(self, x):
        return self.proj(x)


class TinyTNT(BaseModule):
    def __init__(self, dim=8, num_classes=10,
                 init_cfg=[dict(type='TruncNormal', layer='Linear', std=.02),
                           dict(type='Constant', layer='LayerNorm', val=1., bias=0.)]):
        super().__init__(init_cfg=init_cfg)
        self.pixel_embed = PixelEmbed(3, dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)  # expect-strict: INI001

    def forward(self, x):
        return self.head(self.norm(self.pixel_embed(x).mean((2, 3))))


class Head(BaseModule):
    def __init__(self, in_channels=8, num_classes=10,
                 init_cfg=dict(type='Normal', layer=['Conv2d', 'Linear'], std=0.01)):
        super().__init__(init_cfg=init_cfg)
        self.conv = nn.Conv2d(in_channels, in_channels, 1)  # expect-strict: INI001
        self.fc = nn.Linear(in_channels, num_classes)  # expect-strict: INI001

    def forward(self, x):
        return self.fc(self.conv(x).mean((2, 3)))


class BBoxHeadBase(BaseModule):
    def __init__(self, in_channels=8, num_classes=10, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.fc_cls = nn.Linear(in_channels, num_classes)  # expect-strict: INI001
        self.upsample = nn.ConvTranspose1d(in_channels, in_channels, 2, 2)  # expect-strict: INI001
        self.att = nn.Conv2d(in_channels, 1, 1)  # expect: INI001
        if init_cfg is None:
            self.init_cfg = [dict(type='Xavier', layer='Linear', override=[dict(type='Normal', name='fc_cls')])]
            self.init_cfg += [dict(type='Kaiming', override=dict(name='upsample'))]

    def forward(self, x):
        return self.fc_cls(x)


class BBoxHead(BBoxHeadBase):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)


"""A classifier head with an optional distillation head (`if self.dist:`), its init by the framework's `init_cfg`
(a base class from elsewhere), and a `loss` method that forks on the same flag and calls the base's `loss`
(seen in mmpretrain/models/heads/efficientformer_head.py; the same unknown-build shape in mmdet/models/reid/fc_module.py).

Decided (issue 11): a method that runs after construction is no way of building: a fork there is a doubt, and so is
a build through an unknown callable (`build_activation_layer(cfg)`) that may build this class. The heads are
initialized by code out of sight (the framework base): no finding by default, unverified under --strict.
"""
from mmcv.cnn import build_activation_layer
from torch import nn

from mmpretrain.models.heads import ClsHead
from mmpretrain.registry import MODELS


@MODELS.register_module()
class DistHead(ClsHead):
    def __init__(self, num_classes, in_channels, distillation=True, init_cfg=dict(type="Normal", layer="Linear")):
        super().__init__(init_cfg=init_cfg)
        self.dist = distillation
        self.head = nn.Linear(in_channels, num_classes)  # expect-strict: INI001
        if self.dist:
            self.dist_head = nn.Linear(in_channels, num_classes)  # expect-strict: INI001
            self.act = build_activation_layer(dict(type="ReLU"))

    def loss(self, feats, targets, **kwargs):
        if self.dist:
            raise NotImplementedError("no loss for a distilled head")
        else:
            return super().loss(feats, targets, **kwargs)

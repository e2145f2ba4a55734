"""Known miss (issue 11 judged sample, mmdet S3): a subclass of a subclass (both of other files) that
overrides `_init_layers`, which the base's `__init__` calls, and `init_weights`, which sets the class
bias (sigmoid loss only) and zeroes the last box layer.  The class weight keeps the default.

Why it is missed: a layer built in a method that a base class of another file may call
(`from_external_hook`) is read as "built where a base from elsewhere may initialize it" (unverified),
although the bases are project files whose code is in sight: DETRHead only calls `_init_layers()`, and the
init that runs after construction is this class's own `init_weights`.

Seen in mmdet/models/dense_heads/dab_detr_head.py (DABDETRHead).
"""
import math

import torch.nn as nn

from .conditional_detr_head import ConditionalDETRHead


class DABDETRHead(ConditionalDETRHead):
    def _init_layers(self):
        self.fc_cls = nn.Linear(self.embed_dims, self.cls_out_channels)  # expect: INI001
        self.fc_reg = nn.Sequential(
            nn.Linear(self.embed_dims, self.embed_dims),  # expect: INI001
            nn.ReLU(),
            nn.Linear(self.embed_dims, 4),
        )

    def init_weights(self):
        if self.use_sigmoid:
            nn.init.constant_(self.fc_cls.bias, -math.log((1 - 0.01) / 0.01))
        nn.init.zeros_(self.fc_reg[-1].weight)  # expect-strict: INI003
        nn.init.zeros_(self.fc_reg[-1].bias)

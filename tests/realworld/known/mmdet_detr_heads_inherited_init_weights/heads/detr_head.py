"""Known miss (issue 11 judged sample, mmdet S4 and S3): a DETR-style head (mmengine `BaseModule`,
`init_cfg` None by default) whose `__init__` builds its layers in `self._init_layers()` and which defines
no `init_weights`: mmengine's `init_weights` applies `init_cfg` and nothing else, so the class and box
layers keep PyTorch's default.  Subclasses live in other files (conditional_detr_head.py,
dab_detr_head.py).

Why it is missed here: project mode reads conditional_detr_head.py, which imports this head and whose
`init_weights` calls `super().init_weights()`, a method of a base class of another file, as code out of
sight that may initialize anything it imports ("hands modules to ?"), so these layers go silent, although
the inherited method is mmengine's (this file defines none) and it runs on the subclass, not on this head.

Seen in mmdet/models/dense_heads/detr_head.py (DETRHead._init_layers), conditional_detr_head.py.
no-verify (imports mmengine).
"""
import torch.nn as nn
from mmengine.model import BaseModule


class DETRHead(BaseModule):
    def __init__(self, num_classes=10, embed_dims=8, use_sigmoid=False, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.use_sigmoid = use_sigmoid
        self.embed_dims = embed_dims
        self.cls_out_channels = num_classes if use_sigmoid else num_classes + 1
        self._init_layers()

    def _init_layers(self):
        self.fc_cls = nn.Linear(self.embed_dims, self.cls_out_channels)  # expect: INI001
        self.fc_reg = nn.Linear(self.embed_dims, 4)  # expect: INI001

    def forward(self, hidden_states):
        return self.fc_cls(hidden_states), self.fc_reg(hidden_states).sigmoid()

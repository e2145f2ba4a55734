"""Known miss (issue 11 judged sample, mmdet S10): a two-stage option builds two Linears in `_init_layers`
(called by the base's `__init__`), and `init_weights` xavier-inits their weights only: their biases keep
PyTorch's default.  The one-stage option's reference-point Linear is initialized in full.

Why it is missed: the Linears are built in a method that a base class of another file calls, read as
"built where a base from elsewhere may initialize it", and `super().init_weights()` of that base is read as
a dispatch out of sight that may initialize every parameter; both stay "unverified", although the base
(base_detr.py) is in the project and defines no `init_weights` (mmengine's applies `init_cfg` only).

Seen in mmdet/models/detectors/deformable_detr.py (memory_trans_fc, pos_trans_fc, reference_points_fc).
"""
import torch.nn as nn

from .base_detr import DetectionTransformer


class DeformableDETR(DetectionTransformer):
    def __init__(self, as_two_stage=False, **kwargs):
        self.as_two_stage = as_two_stage
        super().__init__(**kwargs)

    def _init_layers(self):
        if self.as_two_stage:
            self.memory_trans_fc = nn.Linear(self.embed_dims, self.embed_dims)  # expect: INI001
            self.pos_trans_fc = nn.Linear(self.embed_dims * 2, self.embed_dims * 2)  # expect: INI001
        else:
            self.reference_points_fc = nn.Linear(self.embed_dims, 2)

    def init_weights(self):
        super().init_weights()
        if self.as_two_stage:
            nn.init.xavier_uniform_(self.memory_trans_fc.weight)
            nn.init.xavier_uniform_(self.pos_trans_fc.weight)
        else:
            nn.init.xavier_uniform_(self.reference_points_fc.weight)
            nn.init.zeros_(self.reference_points_fc.bias)

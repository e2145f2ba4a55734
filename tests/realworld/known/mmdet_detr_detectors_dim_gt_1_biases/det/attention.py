"""Known miss (issue 11 judged sample, mmdet S11): a conditional-attention module (mmengine `BaseModule`)
building its projections in `self._init_layers()`; it zeroes the output projection's bias only.  The
detector that builds it (conditional_detr.py) xavier-inits the decoder's parameters with `dim() > 1`, the
weights: every other projection bias keeps PyTorch's default.

Why it is missed: conditional_detr.py, which reaches this class through the decoder layer, calls
`super().init_weights()` in its `init_weights`, a method of a base class of another file (base_detr.py),
which project mode reads as code out of sight that may initialize every module it imports ("hands modules
to ?"), so the biases go silent; the inherited method is mmengine's (base_detr.py defines none), which
applies `init_cfg` and nothing else.

Seen in mmdet/models/layers/transformer/utils.py (ConditionalAttention), conditional_detr_layers.py,
mmdet/models/detectors/detr.py, conditional_detr.py.  no-verify (imports mmengine).
"""
import torch.nn as nn
from mmengine.model import BaseModule


class ConditionalAttention(BaseModule):
    def __init__(self, embed_dims=8, cross_attn=False, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.embed_dims = embed_dims
        self.cross_attn = cross_attn
        self._init_layers()

    def _init_layers(self):
        dims = self.embed_dims
        self.q_proj = nn.Linear(dims, dims)  # expect: INI001
        self.k_proj = nn.Linear(dims, dims)  # expect: INI001
        self.v_proj = nn.Linear(dims, dims)  # expect: INI001
        if self.cross_attn:
            self.q_sine_proj = nn.Linear(dims, dims)  # expect: INI001
        self.out_proj = nn.Linear(dims, dims)
        nn.init.constant_(self.out_proj.bias, 0.0)

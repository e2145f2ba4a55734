"""Issue 11 judged sample, mmpretrain F15 (a known false finding until the analysis ran inherited methods as
later entries): a subclass (SVT) of a backbone of the same file (PCPVT) inherits `init_weights()`, which
mmengine's runner calls after construction and which initializes every Linear and Conv2d when `init_cfg`
is None.  The subclass runs the base's `init_weights` as its own later entry, so neither its own attention
conv nor the base's embedding is reported in default mode; `--strict` marks both unverified, as it does
every layer whose init runs in a method a framework calls after construction.

no-verify (imports mmengine, not installed).

Seen in mmpretrain/models/backbones/twins.py (PCPVT.init_weights, SVT, GlobalSubsampledAttention).
"""
import torch.nn as nn
from mmengine.model import BaseModule


class PCPVT(BaseModule):
    def __init__(self, dim=8, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.embed = nn.Conv2d(3, dim, 4, stride=4)  # expect-strict: INI001

    def init_weights(self):
        if self.init_cfg is not None:
            super().init_weights()
        else:
            for m in self.modules():
                if isinstance(m, nn.Linear):
                    nn.init.trunc_normal_(m.weight, std=0.02)
                    nn.init.zeros_(m.bias)
                elif isinstance(m, nn.Conv2d):
                    nn.init.normal_(m.weight, std=0.02)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)


class SVT(PCPVT):
    def __init__(self, dim=8, init_cfg=None):
        super().__init__(dim, init_cfg=init_cfg)
        self.sr = nn.Conv2d(dim, dim, 2, stride=2)  # expect-strict: INI001

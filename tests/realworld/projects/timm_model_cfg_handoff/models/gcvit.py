"""Issue 11 (recall), distilled from timm/models/gcvit.py (and ghostnet, repghost, volo): a model that builds
blocks of other files (`Mlp`) and is itself handed to a generic builder.  Naming `Mlp` hands it nothing:
Mlp's builds through variables (`act_layer()`) cannot build this model, so the model is a model of its
own, and its init, which covers Linear only, leaves the stem conv at the default."""
import torch.nn as nn

from .builder import build_model_with_cfg
from .mlp import Mlp


class GlobalContextVit(nn.Module):
    def __init__(self, dim=8, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, dim, 3, stride=2, padding=1)  # expect: INI001
        self.mlp = Mlp(dim)
        self.head = nn.Linear(dim, num_classes)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.trunc_normal_(module.weight, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


def gcvit_tiny(pretrained=False, **kwargs):
    return build_model_with_cfg(GlobalContextVit, "gcvit_tiny", pretrained, **kwargs)

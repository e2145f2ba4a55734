"""A subclass of a model imported from another package (timm's VisionTransformer) that adds a distillation head and delegates init to `super().init_weights()` (seen in timm/models/deit.py: VisionTransformerDistilled). no-verify: imports timm.

The base class and its init are invisible here: no finding by default, INI001 under --strict (unverified). Unsure: the heads built in `reset_classifier` keep the default after any init (true), but the class is uncertain as a whole; expected only under --strict here. The lead may decide to report them by default.

Decided (issue 11, conditions are forks): `weight_init == "skip"` is a way of building it on which no code
initializes head_dist: reported by default, naming that way; the heads of `reset_classifier` stay strict.
"""
import torch
from torch import nn
from timm.models.vision_transformer import VisionTransformer, trunc_normal_


class DistilledViT(VisionTransformer):
    def __init__(self, *args, **kwargs):
        weight_init = kwargs.pop("weight_init", "")
        super().__init__(*args, **kwargs, weight_init="skip")
        self.dist_token = nn.Parameter(torch.zeros(1, 1, self.embed_dim))
        self.head_dist = nn.Linear(self.embed_dim, self.num_classes) if self.num_classes > 0 else nn.Identity()  # expect: INI001
        if weight_init != "skip":
            self.init_weights(weight_init)

    def init_weights(self, mode=""):
        trunc_normal_(self.dist_token, std=0.02)
        super().init_weights(mode=mode)

    def reset_classifier(self, num_classes, global_pool=None):
        self.num_classes = num_classes
        self.head = nn.Linear(self.embed_dim, num_classes) if num_classes > 0 else nn.Identity()  # expect-strict: INI001
        self.head_dist = nn.Linear(self.embed_dim, num_classes) if num_classes > 0 else nn.Identity()  # expect-strict: INI001

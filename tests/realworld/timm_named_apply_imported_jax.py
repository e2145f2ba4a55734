"""timm-style model that imports `named_apply` and `trunc_normal_`/`lecun_normal_` from timm and applies a JAX-style init function of this file covering Linear and Conv2d; the head is zeroed by name (seen in timm/models/mlp_mixer.py and vision_transformer.py: init_weights_vit_jax). no-verify: imports timm.

Framework knowledge (issue 6): `named_apply(fn, self)` applies fn to every submodule, so coverage is what fn dispatches on. No findings; the zeroed head is a last layer (strict only).
"""
import math
from functools import partial

import torch
from torch import nn
from timm.layers import lecun_normal_, trunc_normal_
from timm.models._manipulate import named_apply


def _init_weights(module, name, head_bias=0.0):
    if isinstance(module, nn.Linear):
        if name.startswith("head"):
            nn.init.zeros_(module.weight)  # expect-strict: INI003
            nn.init.constant_(module.bias, head_bias)
        else:
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                if "mlp" in name:
                    nn.init.normal_(module.bias, std=1e-6)
                else:
                    nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Conv2d):
        lecun_normal_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.LayerNorm):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)


class MixerBlock(nn.Module):
    def __init__(self, dim=16, tokens=4):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.mlp_tokens = nn.Sequential(nn.Linear(tokens, tokens * 2), nn.GELU(), nn.Linear(tokens * 2, tokens))
        self.norm2 = nn.LayerNorm(dim)
        self.mlp_channels = nn.Sequential(nn.Linear(dim, dim * 4), nn.GELU(), nn.Linear(dim * 4, dim))

    def forward(self, x):
        x = x + self.mlp_tokens(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.mlp_channels(self.norm2(x))


class TinyMixer(nn.Module):
    def __init__(self, num_classes=10, nlhb=False):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, kernel_size=8, stride=8)
        self.blocks = nn.Sequential(MixerBlock(), MixerBlock())
        self.norm = nn.LayerNorm(16)
        self.head = nn.Linear(16, num_classes)
        self.pos_embed = nn.Parameter(torch.zeros(1, 4, 16))
        trunc_normal_(self.pos_embed, std=0.02)
        head_bias = -math.log(num_classes) if nlhb else 0.0
        named_apply(partial(_init_weights, head_bias=head_bias), module=self)

    def forward(self, x):
        x = self.stem(x).flatten(2).transpose(1, 2) + self.pos_embed
        return self.head(self.norm(self.blocks(x)).mean(1))

"""`init_weights(mode)` picking one of several init functions through a factory that returns functools.partial objects; only the 'jax' function covers Conv2d, the default ('') mode covers Linear only (seen in timm/models/vision_transformer.py: get_init_weights_vit).

Unsure: in the default mode the patch-embedding Conv2d keeps PyTorch's default (true: timm's default ViT init leaves it so), but seeing it requires taking the intersection over every function the factory may return. Expected: INI001 on the conv (the truth); if the lead prefers precision here, drop it.

Decided: `mode` is a constructor argument, unknown statically; one mode's init covers the Conv2d and the other's does not, so the layer is unverified: reported in strict mode only (precision over recall).

Decided (issue 11, conditions are forks): the default mode is a way on which no code initializes the conv: reported.
"""
from functools import partial

import torch
from torch import nn


def init_timm(module, name="", head_bias=0.0):
    if isinstance(module, nn.Linear):
        nn.init.trunc_normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def init_jax(module, name="", head_bias=0.0):
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Conv2d):
        nn.init.kaiming_normal_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def get_init_fn(mode="", head_bias=0.0):
    if mode.startswith("jax"):
        return partial(init_jax, head_bias=head_bias)
    return partial(init_timm, head_bias=head_bias)


class TinyViT(nn.Module):
    def __init__(self, num_classes=10, weight_init=""):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, 16, kernel_size=4, stride=4)  # expect: INI001
        self.fc = nn.Linear(16, 16)
        self.head = nn.Linear(16, num_classes)
        self.init_weights(weight_init)

    def init_weights(self, mode=""):
        init_fn = get_init_fn(mode)
        for name, m in self.named_modules():
            init_fn(m, name)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).mean(-1)
        return self.head(torch.relu(self.fc(x)))

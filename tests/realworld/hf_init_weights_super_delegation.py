"""Hugging Face-style `_init_weights` that first calls `super()._init_weights(module)` (the framework base covers Linear, Conv1d/2d/3d and ConvTranspose1d/2d) and then special-cases its own parameters; the model calls `self.post_init()` (seen in recent transformers modeling_*.py files, per REALWORLD.md). no-verify: imports transformers.

Framework knowledge (issue 6): post_init() + base `_init_weights` covers every layer here. No findings. Unsure: whether --strict should still mark the invisible base as unverified; expected: nothing in either mode, because the framework table knows that base.
"""
import torch
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init


class BarPreTrainedModel(PreTrainedModel):
    base_model_prefix = "bar"

    def _init_weights(self, module):
        super()._init_weights(module)
        if isinstance(module, BarEmbeddings):
            init.trunc_normal_(module.position_embeddings, std=0.02)
            init.zeros_(module.cls_token)


class BarEmbeddings(nn.Module):
    def __init__(self, hidden=16, patch=4):
        super().__init__()
        self.patch_embeddings = nn.Conv2d(3, hidden, kernel_size=patch, stride=patch)
        self.position_embeddings = nn.Parameter(torch.empty(1, 17, hidden))
        self.cls_token = nn.Parameter(torch.empty(1, 1, hidden))

    def forward(self, x):
        x = self.patch_embeddings(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1)
        return x + self.position_embeddings


class BarModel(BarPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.embeddings = BarEmbeddings()
        self.upsample = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.pooler = nn.Linear(16, 16)
        self.post_init()

    def forward(self, x):
        return self.pooler(self.embeddings(x)[:, 0])

"""Heads mixed by a learned `randn(heads, heads)` matrix: talking-heads attention (no normalization after the
mix: INI009) and re-attention (a LayerNorm over the heads right after the mix: its scale does not matter).

Distilled from vit_pytorch/cait.py (Attention.mix_heads_pre_attn / mix_heads_post_attn) and
vit_pytorch/deepvit.py (Attention.reattn_weights followed by reattn_norm). Written for this project; the
einops rearranges are spelled with permute.
"""
import torch
from torch import nn


class TalkingHeads(nn.Module):
    def __init__(self, heads=8, dim_head=16):
        super().__init__()
        self.scale = dim_head ** -0.5
        self.mix_heads_pre = nn.Parameter(torch.randn(heads, heads))  # expect: INI009
        self.mix_heads_post = nn.Parameter(torch.randn(heads, heads))  # expect: INI009

    def forward(self, q, k, v):
        dots = torch.einsum("bhid,bhjd->bhij", q, k) * self.scale
        dots = torch.einsum("bhij,hg->bgij", dots, self.mix_heads_pre)
        attn = dots.softmax(dim=-1)
        attn = torch.einsum("bhij,hg->bgij", attn, self.mix_heads_post)
        return torch.einsum("bhij,bhjd->bhid", attn, v)


class ReAttention(nn.Module):
    def __init__(self, heads=8):
        super().__init__()
        self.reattn_weights = nn.Parameter(torch.randn(heads, heads))
        self.reattn_norm = nn.LayerNorm(heads)

    def forward(self, attn, v):
        attn = torch.einsum("bhij,hg->bgij", attn, self.reattn_weights)
        attn = self.reattn_norm(attn.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        return torch.einsum("bhij,bhjd->bhid", attn, v)

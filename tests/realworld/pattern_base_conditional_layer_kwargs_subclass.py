"""A base class that builds a layer only under a flag, and a subclass that forwards `**kwargs` to it with one
argument fixed (`super().__init__(causal=False, **kwargs)`), as issue 11 lists it (an attention base whose
output projection depends on a flag; the subclass fixes causality).

Issue 11: the spread may carry the flag, so the subclass builds the projection on some way; before, the
base's defaults were read as the only way and the projection was never seen as built by the subclass.
The projection keeps the default; the always-built, initialized qkv does not.
"""
from torch import nn


class AttentionBase(nn.Module):
    def __init__(self, dim=8, causal=True, project_out=False):
        super().__init__()
        self.causal = causal
        self.qkv = nn.Linear(dim, dim * 3)
        nn.init.xavier_uniform_(self.qkv.weight)
        nn.init.zeros_(self.qkv.bias)
        self.proj = nn.Linear(dim, dim) if project_out else nn.Identity()  # expect: INI001

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.proj(v)


class CrossAttention(AttentionBase):
    def __init__(self, **kwargs):
        super().__init__(causal=False, **kwargs)

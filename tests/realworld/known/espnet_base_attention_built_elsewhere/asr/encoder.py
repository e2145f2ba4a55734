"""An encoder of the newer recipe: it builds the plain attention and initializes nothing."""
import torch.nn as nn

from .attention import HeadedAttention


class SelfAttentionEncoder(nn.Module):
    def __init__(self, dim=8, heads=2, layers=2):
        super().__init__()
        self.blocks = nn.ModuleList([HeadedAttention(heads, dim) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)

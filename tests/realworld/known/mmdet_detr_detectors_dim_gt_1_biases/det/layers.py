"""A decoder layer building a self- and a cross-attention and a feed-forward Linear."""
import torch.nn as nn
from mmengine.model import BaseModule

from .attention import ConditionalAttention


class DecoderLayer(BaseModule):
    def __init__(self, embed_dims=8, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.self_attn = ConditionalAttention(embed_dims)
        self.cross_attn = ConditionalAttention(embed_dims, cross_attn=True)
        self.ffn = nn.Linear(embed_dims, embed_dims)  # expect: INI001

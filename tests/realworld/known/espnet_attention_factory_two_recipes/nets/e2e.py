"""The older recipe's model: it builds the attention through the factory, then initializes itself."""
import torch.nn as nn

from .attentions import make_attention
from .init_utils import lecun_init


class E2E(nn.Module):
    def __init__(self, kind="coverage", enc_dim=8, dec_dim=8, att_dim=4):
        super().__init__()
        self.att = make_attention(kind, enc_dim, dec_dim, att_dim)
        lecun_init(self)

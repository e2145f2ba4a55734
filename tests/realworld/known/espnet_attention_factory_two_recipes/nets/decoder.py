"""The newer recipe's decoder: a helper of its own builds a list of attentions through the factory,
and nothing initializes them."""
import torch.nn as nn

from .attentions import make_attention


def build_attention_list(kind, enc_dim, dec_dim, att_dim, num_att=1):
    attentions = nn.ModuleList()
    for _ in range(num_att):
        attentions.append(make_attention(kind, enc_dim, dec_dim, att_dim))
    return attentions


class RNNDecoder(nn.Module):
    def __init__(self, kind="coverage", enc_dim=8, dec_dim=8, att_dim=4):
        super().__init__()
        self.attentions = build_attention_list(kind, enc_dim, dec_dim, att_dim)

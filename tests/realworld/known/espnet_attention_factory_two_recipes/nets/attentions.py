"""Known miss (issue 11, JUDGED_11 Session 2 S3): attention classes built through a factory
(`make_attention(kind, ...)`) by two recipes.  The older model (e2e.py) runs a LeCun-style loop over
all its parameters, so its attention is initialized; the newer decoder (decoder.py) builds the same
attention through the same factory and initializes nothing, so on that way every projection keeps
PyTorch's default.  Project mode asks whether some importer could initialize the class, finds the
older model's init (code of another file, read as a dispatch that may cover Linear) and stays silent
for every way, the decoder's included.

Seen in espnet/nets/pytorch_backend/rnn/attentions.py (AttCov and its siblings, `initial_att`),
built by espnet2/asr/decoder/rnn_decoder.py (`build_attention_list`, no init by default) and by
espnet/nets/pytorch_backend/e2e_asr.py (`lecun_normal_init_parameters(self)`).
"""
import torch.nn as nn


class DotAttention(nn.Module):
    def __init__(self, enc_dim, dec_dim, att_dim):
        super().__init__()
        self.enc_proj = nn.Linear(enc_dim, att_dim)  # expect: INI001
        self.dec_proj = nn.Linear(dec_dim, att_dim, bias=False)  # expect: INI001


class CoverageAttention(nn.Module):
    def __init__(self, enc_dim, dec_dim, att_dim):
        super().__init__()
        self.enc_proj = nn.Linear(enc_dim, att_dim)  # expect: INI001
        self.dec_proj = nn.Linear(dec_dim, att_dim, bias=False)  # expect: INI001
        self.coverage = nn.Linear(1, att_dim)  # expect: INI001
        self.score = nn.Linear(att_dim, 1)  # expect: INI001


def make_attention(kind, enc_dim, dec_dim, att_dim):
    if kind == "dot":
        return DotAttention(enc_dim, dec_dim, att_dim)
    if kind == "coverage":
        return CoverageAttention(enc_dim, dec_dim, att_dim)
    raise ValueError(kind)

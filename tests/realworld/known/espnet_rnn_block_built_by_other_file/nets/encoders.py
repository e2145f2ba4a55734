"""Known miss (issue 11, JUDGED_11 Session 2 S4): a recurrent block with projection layers
(`ProjectedRNN`) is built in its own file by `Encoder`, and directly by another file's encoder.
Because a class of its file builds it, the file judges its layers only along the ways from its
models (`Encoder`, which the older recipe initializes in mix_model.py).  The newer encoder
(rnn_encoder.py) imports the block and builds it itself with no init: on that way the LSTM and the
projection keep PyTorch's default, but project mode never asks about builds of a class that is not
a model of its own file, and stays silent.

Seen in espnet/nets/pytorch_backend/rnn/encoders.py (RNNP, built by its Encoder and by
espnet2/asr/encoder/rnn_encoder.py without init by default); espnet/nets/pytorch_backend/e2e_asr_mix.py
runs `lecun_normal_init_parameters` on the model that holds the Encoder.
"""
import torch.nn as nn


class ProjectedRNN(nn.Module):
    def __init__(self, in_dim, hidden, proj_dim, layers=2):
        super().__init__()
        self.rnns = nn.ModuleList()
        self.projections = nn.ModuleList()
        for i in range(layers):
            self.rnns.append(nn.LSTM(in_dim if i == 0 else proj_dim, hidden, batch_first=True))  # expect: INI007
            self.projections.append(nn.Linear(hidden, proj_dim))  # expect: INI001


class Encoder(nn.Module):
    def __init__(self, in_dim, hidden, proj_dim, layers=2):
        super().__init__()
        self.blocks = nn.ModuleList([ProjectedRNN(in_dim, hidden, proj_dim, layers)])

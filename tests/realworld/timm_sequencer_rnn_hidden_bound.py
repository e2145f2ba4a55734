"""An init function applied by the model that covers Linear, Conv2d, norms and LSTMs; LSTM parameters get the RNN-style bound 1/sqrt(hidden_size) (seen in timm/models/sequencer.py: _init_weights). That bound is on recurrent weights, not a Linear/Conv bias: no INI004, no findings."""
import math

import torch
from torch import nn


def _init_weights(module, name=""):
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Conv2d):
        nn.init.kaiming_normal_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.LayerNorm, nn.BatchNorm2d, nn.GroupNorm)):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.RNN, nn.GRU, nn.LSTM)):
        stdv = 1.0 / math.sqrt(module.hidden_size)
        for weight in module.parameters():
            nn.init.uniform_(weight, -stdv, stdv)


class BiLSTM2d(nn.Module):
    def __init__(self, dim=8, hidden=4):
        super().__init__()
        self.rnn_v = nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)
        self.rnn_h = nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(4 * hidden, dim)

    def forward(self, x):
        b, h, w, c = x.shape
        v, _ = self.rnn_v(x.permute(0, 2, 1, 3).reshape(-1, h, c))
        hh, _ = self.rnn_h(x.reshape(-1, w, c))
        v = v.reshape(b, w, h, -1).permute(0, 2, 1, 3)
        return self.fc(torch.cat([v, hh.reshape(b, h, w, -1)], -1))


class TinySequencer(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 4, stride=4)
        self.block = BiLSTM2d(8, 4)
        self.head = nn.Linear(8, num_classes)
        for name, m in self.named_modules():
            _init_weights(m, name)

    def forward(self, x):
        x = self.stem(x).permute(0, 2, 3, 1)
        return self.head(self.block(x).mean((1, 2)))

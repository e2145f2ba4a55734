"""A module-level factory `def Linear(...)` that builds nn.Linear, initializes it with xavier and zero bias, and shadows the name; a second factory for Conv1d likewise (REALWORLD.md: "a module-level factory def Linear(...) that builds nn.Linear and initializes it with xavier shadows nn.Linear"; fairseq-style). No findings."""
import math

import torch
from torch import nn


def Linear(in_features, out_features, bias=True):
    m = nn.Linear(in_features, out_features, bias)
    nn.init.xavier_uniform_(m.weight)
    if bias:
        nn.init.constant_(m.bias, 0.0)
    return m


def ConvTBC1d(in_channels, out_channels, kernel_size, dropout=0.0):
    m = nn.Conv1d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
    std = math.sqrt((4 * (1.0 - dropout)) / (kernel_size * in_channels))
    nn.init.normal_(m.weight, mean=0, std=std)
    nn.init.constant_(m.bias, 0)
    return m


class Decoder(nn.Module):
    def __init__(self, embed_dim=16, hidden=32, vocab=50):
        super().__init__()
        self.conv = ConvTBC1d(embed_dim, embed_dim, 3, dropout=0.1)
        self.fc1 = Linear(embed_dim, hidden)
        self.fc2 = Linear(hidden, embed_dim, bias=False)
        self.out = Linear(embed_dim, vocab)

    def forward(self, x):
        x = self.conv(x.transpose(1, 2)).transpose(1, 2)
        return self.out(self.fc2(torch.relu(self.fc1(x))))

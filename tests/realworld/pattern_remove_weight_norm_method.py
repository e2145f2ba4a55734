"""A vocoder-style generator whose convolutions are wrapped in `weight_norm` and that offers a
`remove_weight_norm()` method applying `torch.nn.utils.remove_weight_norm` to every module.  Removing
the parametrization computes the weight back from it: it initializes nothing, so the method (named
after weights) is no reason to stay silent.  The wrapped layers keep the default (no fix: the weight is
computed from the parametrization); the plain output conv too.

Seen in espnet2/gan_tts/hifigan/hifigan.py, melgan.py, parallel_wavegan.py (`self.apply(_remove_weight_norm)`);
issue 11 (recall).
"""
import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, channels=8):
        super().__init__()
        self.pre = torch.nn.utils.weight_norm(nn.Conv1d(1, channels, 7, padding=3))  # expect: INI001
        self.post = nn.Conv1d(channels, 1, 7, padding=3)  # expect: INI001

    def forward(self, x):
        return self.post(torch.tanh(self.pre(x)))

    def remove_weight_norm(self):
        def _remove(module):
            try:
                torch.nn.utils.remove_weight_norm(module)
            except ValueError:
                return

        self.apply(_remove)

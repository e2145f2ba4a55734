"""A weight filled with one constant written as an expression of the constructor's arguments, on layers
that are not 1-in/1-out (issue 11; the 1-in/1-out averaging kernel is the shape of
espnet2/gan_tts/parallel_wavegan/upsample.py, `fill_(1.0 / np.prod(kernel_size))`, which stays silent).

Every unit of such a layer computes the same function: INI002, whether the constant is a literal or
`1.0 / (scale * 2 + 1)`. The constant is never 0 here (a reciprocal), so it is not a zero fill.
"""
import math

from torch import nn


class Smoothing(nn.Module):
    def __init__(self, scale=2, channels=4):
        super().__init__()
        self.mix = nn.Linear(channels, channels)
        nn.init.constant_(self.mix.weight, 1.0 / (scale * 2 + 1))  # expect: INI002
        nn.init.zeros_(self.mix.bias)
        self.spread = nn.Conv2d(channels, channels, 3, bias=False)
        self.spread.weight.data.fill_(1 / math.sqrt(channels * 9))  # expect: INI002
        self.average = nn.Conv2d(1, 1, (scale, scale), bias=False)
        self.average.weight.data.fill_(1.0 / (scale * scale))

    def forward(self, x):
        return self.average(self.spread(self.mix(x.transpose(1, 3)).transpose(1, 3)).mean(1, keepdim=True))

"""Known miss (issue 11 judged sample, smp S9): a decoder block with a ConvTranspose2d, built by a model whose
`__init__` calls `self.initialize()`, a method of its base class in another file that covers Conv2d (not
ConvTranspose2d) and Linear.  The transposed conv keeps the default; project mode reads the inherited
method of another file as code out of sight that may initialize anything, so it stays silent.

Seen in segmentation_models_pytorch/decoders/linknet/decoder.py (TransposeX2), base/model.py,
base/initialization.py.
"""
import torch.nn as nn

from .base import SegmentationModel


class TransposeX2(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1)  # expect: INI001
        self.conv = nn.Conv2d(out_channels, out_channels, 3, padding=1)


class Linknet(SegmentationModel):
    def __init__(self, channels=8):
        super().__init__()
        self.decoder = nn.Sequential(TransposeX2(channels, channels), TransposeX2(channels, channels))
        self.initialize()

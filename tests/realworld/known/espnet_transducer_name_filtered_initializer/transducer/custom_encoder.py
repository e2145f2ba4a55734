"""The custom encoder: its input block, then a stack of feed-forward blocks."""
import torch

from .vgg import VGGFront


class CustomEncoder(torch.nn.Module):
    def __init__(self, idim, odim, blocks=2):
        super().__init__()
        self.embed = VGGFront(idim, odim)
        self.encoders = torch.nn.ModuleList([torch.nn.Linear(odim, odim) for _ in range(blocks)])  # expect: INI001

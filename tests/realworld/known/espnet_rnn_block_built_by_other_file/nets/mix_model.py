"""The older recipe: a model holding the file's `Encoder`, initialized by the LeCun-style loop."""
import torch.nn as nn

from .encoders import Encoder
from .init_utils import lecun_init


class MixModel(nn.Module):
    def __init__(self, in_dim=8, hidden=8, proj_dim=4):
        super().__init__()
        self.encoder = Encoder(in_dim, hidden, proj_dim)
        lecun_init(self)

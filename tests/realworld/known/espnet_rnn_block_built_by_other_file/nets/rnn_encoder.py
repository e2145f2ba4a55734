"""The newer recipe's encoder: it builds the projected block itself and initializes nothing."""
import torch.nn as nn

from .encoders import ProjectedRNN


class RNNEncoder(nn.Module):
    def __init__(self, in_dim=8, hidden=8, proj_dim=4):
        super().__init__()
        self.rnn = ProjectedRNN(in_dim, hidden, proj_dim)

"""The RNN encoder with a VGG-style block of its own."""
import torch


class RNNFront(torch.nn.Module):
    def __init__(self, idim, odim):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.proj = torch.nn.Linear(16 * idim, odim)


class RNNEncoder(torch.nn.Module):
    def __init__(self, idim, odim):
        super().__init__()
        self.front = RNNFront(idim, odim)
        self.rnn = torch.nn.LSTM(odim, odim, batch_first=True)

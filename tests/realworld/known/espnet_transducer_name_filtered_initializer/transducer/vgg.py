"""The VGG-style input block of the custom encoder."""
import torch


class VGGFront(torch.nn.Module):
    def __init__(self, idim, odim):
        super().__init__()
        self.convs = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1),  # expect: INI001
            torch.nn.ReLU(),
            torch.nn.Conv2d(16, 16, 3, padding=1),  # expect: INI001
            torch.nn.ReLU(),
        )
        self.output = torch.nn.Linear(16 * idim, odim)  # expect: INI001

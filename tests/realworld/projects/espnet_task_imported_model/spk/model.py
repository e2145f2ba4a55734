"""The model the task assembles: it keeps what it is given as children and initializes nothing."""
import torch


class SpeakerModel(torch.nn.Module):
    def __init__(self, encoder, projector):
        super().__init__()
        self.encoder = encoder
        self.projector = projector

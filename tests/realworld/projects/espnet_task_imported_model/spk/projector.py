"""A projector chosen by name, like the encoder."""
import torch


class Projector(torch.nn.Module):
    def __init__(self, input_size, output_size=4):
        super().__init__()
        self.fc = torch.nn.Linear(input_size, output_size)  # expect: INI001

"""An x-vector style encoder the task builds through a registry of classes: nothing initializes it
unless the task's config names an init (`args.init`, None by default)."""
import torch


class XvectorEncoder(torch.nn.Module):
    def __init__(self, input_size, output_size=8):
        super().__init__()
        self.conv = torch.nn.Conv1d(input_size, output_size, 5)  # expect: INI001

    def output_size(self):
        return 8

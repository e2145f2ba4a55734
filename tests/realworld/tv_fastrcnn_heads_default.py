"""Detection box heads that rely on PyTorch's default init for every Linear (two-MLP head and box predictor) (seen in torchvision/models/detection/faster_rcnn.py: TwoMLPHead, FastRCNNPredictor).

True findings: nothing in the file initializes these layers; torchvision trains them from the default.
"""
import torch
import torch.nn.functional as F
from torch import nn

INIT_LINT_ARGS = {"TwoMLPHead": ((32, 16), {}), "BoxPredictor": ((16, 3), {})}


class TwoMLPHead(nn.Module):
    def __init__(self, in_channels, representation_size):
        super().__init__()
        self.fc6 = nn.Linear(in_channels, representation_size)  # expect: INI001
        self.fc7 = nn.Linear(representation_size, representation_size)  # expect: INI001

    def forward(self, x):
        x = x.flatten(start_dim=1)
        return F.relu(self.fc7(F.relu(self.fc6(x))))


class BoxPredictor(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.cls_score = nn.Linear(in_channels, num_classes)  # expect: INI001
        self.bbox_pred = nn.Linear(in_channels, num_classes * 4)  # expect: INI001

    def forward(self, x):
        x = x.flatten(start_dim=1)
        return self.cls_score(x), self.bbox_pred(x)

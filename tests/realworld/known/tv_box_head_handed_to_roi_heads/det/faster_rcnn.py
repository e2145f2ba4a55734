"""Known miss (issue 11 judged sample, torchvision S2): a two-layer MLP box head built by the detector and
handed to the ROI heads' constructor (a class of another file of the project, which only keeps it as a
child).  No code initializes the head's Linear layers; the hand-off to a constructor of another file is
read as code out of sight that may initialize it.

Seen in torchvision/models/detection/faster_rcnn.py (TwoMLPHead, FasterRCNN), roi_heads.py.
"""
import torch.nn as nn

from .roi_heads import RoIHeads


class TwoMLPHead(nn.Module):
    def __init__(self, in_channels, representation_size):
        super().__init__()
        self.fc6 = nn.Linear(in_channels, representation_size)  # expect: INI001
        self.fc7 = nn.Linear(representation_size, representation_size)  # expect: INI001


class FastRCNNPredictor(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.cls_score = nn.Linear(in_channels, num_classes)  # expect: INI001


class FasterRCNN(nn.Module):
    def __init__(self, num_classes=3, channels=8):
        super().__init__()
        box_head = TwoMLPHead(channels, channels)
        box_predictor = FastRCNNPredictor(channels, num_classes)
        self.roi_heads = RoIHeads(box_head, box_predictor)

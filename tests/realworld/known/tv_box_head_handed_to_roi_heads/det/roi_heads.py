"""The ROI heads: they keep the box head and predictor they are given as children; no init."""
import torch.nn as nn


class RoIHeads(nn.Module):
    def __init__(self, box_head, box_predictor):
        super().__init__()
        self.box_head = box_head
        self.box_predictor = box_predictor

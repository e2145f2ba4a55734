"""A predictor (Sequential of an OrderedDict) that initializes through `named_parameters()` with a `"weight" in name` test: the biases of both layers keep the default (seen in torchvision/models/detection/mask_rcnn.py: MaskRCNNPredictor, whose bias branch is commented out).

True findings (bias only), but they need the analysis to read the name test as "weights only"; if it cannot, it will see the loop as covering everything and miss them. Flagged for the lead.
"""
from collections import OrderedDict

import torch
from torch import nn


class MaskPredictor(nn.Sequential):
    def __init__(self, in_channels=16, dim_reduced=8, num_classes=3):
        super().__init__(
            OrderedDict(
                [
                    ("upsample", nn.ConvTranspose2d(in_channels, dim_reduced, 2, 2, 0)),  # expect: INI001
                    ("relu", nn.ReLU(inplace=True)),
                    ("logits", nn.Conv2d(dim_reduced, num_classes, 1, 1, 0)),  # expect: INI001
                ]
            )
        )
        for name, param in self.named_parameters():
            if "weight" in name:
                nn.init.kaiming_normal_(param, mode="fan_out", nonlinearity="relu")

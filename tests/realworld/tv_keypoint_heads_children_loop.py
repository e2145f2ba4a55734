"""An nn.Sequential subclass built from a list with a `self.children()` isinstance loop, and a predictor whose ConvTranspose2d is initialized right after construction (seen in torchvision/models/detection/keypoint_rcnn.py): no findings."""
import torch
from torch import nn


class KeypointHeads(nn.Sequential):
    def __init__(self, in_channels=8, layers=(16, 16)):
        d = []
        prev = in_channels
        for out_channels in layers:
            d.append(nn.Conv2d(prev, out_channels, 3, stride=1, padding=1))
            d.append(nn.ReLU(inplace=True))
            prev = out_channels
        super().__init__(*d)
        for m in self.children():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.constant_(m.bias, 0)


class KeypointPredictor(nn.Module):
    def __init__(self, in_channels=16, num_keypoints=5):
        super().__init__()
        kernel = 4
        self.score_lowres = nn.ConvTranspose2d(in_channels, num_keypoints, kernel, stride=2, padding=kernel // 2 - 1)
        nn.init.kaiming_normal_(self.score_lowres.weight, mode="fan_out", nonlinearity="relu")
        nn.init.constant_(self.score_lowres.bias, 0)

    def forward(self, x):
        return self.score_lowres(x)

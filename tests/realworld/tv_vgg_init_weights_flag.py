"""VGG-style init loop guarded by an `init_weights` constructor flag (False when weights will be loaded from a checkpoint) (seen in torchvision/models/vgg.py, googlenet.py, inception.py).

Unsure: with init_weights=False every layer keeps the default, but that path exists to load pretrained weights. Expected: no findings (the flag is an explicit choice; precision over recall). The lead may decide otherwise.

Decided: `init_weights` is a constructor argument: the loop runs only under a condition, so its layers are unverified and reported in strict mode only.

Decided (issue 11): the default `init_weights=True`, which no call site of the file overrides, decides the
condition: the loop runs; no finding in either mode (a call site passing False would be reported).
"""
import torch
from torch import nn


class TinyVGG(nn.Module):
    def __init__(self, num_classes=10, init_weights=True):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(16 * 2 * 2, 32),
            nn.ReLU(True),
            nn.Dropout(),
            nn.Linear(32, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))

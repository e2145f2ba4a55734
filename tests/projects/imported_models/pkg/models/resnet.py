"""A model whose `modules()` loop covers Conv2d only: its Linear head keeps the default unless weights are
loaded (torchvision/models/resnet.py). Other files import it; none of them could initialize a Linear."""
import torch
from torch import nn


class ResNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.fc(self.conv1(x).mean((2, 3)))


def resnet(weights=None, **kwargs):
    model = ResNet(**kwargs)
    if weights is not None:
        model.load_state_dict(torch.load(weights))
    return model

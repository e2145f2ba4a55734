"""A ResNet whose blocks come from a class handed in (`block_fn`), and whose init covers every Conv2d."""
import torch.nn as nn


class BasicBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.conv = nn.Conv2d(dim, dim, 3, padding=1, bias=False)


class ResNet(nn.Module):
    def __init__(self, block=BasicBlock, dim=8, num_classes=10):
        super().__init__()
        self.layer = block(dim)
        self.fc = nn.Linear(dim, num_classes)  # expect: INI001
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

"""A detector that imports a backbone class and initializes every Linear and Conv2d of what it builds."""
from torch import nn

from ..models import Backbone


class Detector(nn.Module):
    def __init__(self, backbone_cls=Backbone):
        super().__init__()
        self.backbone = backbone_cls()
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.backbone(x)

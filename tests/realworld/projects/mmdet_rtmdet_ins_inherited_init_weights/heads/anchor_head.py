"""The dense-head base: `__init__` builds the layers in `self._init_layers()`."""
from mmengine.model import BaseModule


class AnchorHead(BaseModule):
    def __init__(self, in_channels=8, feat_channels=8, num_classes=10, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.feat_channels = feat_channels
        self.num_classes = num_classes
        self._init_layers()

    def _init_layers(self):
        raise NotImplementedError

"""The detector base: `__init__` builds the layers in `self._init_layers()`; no `init_weights` of its own
(mmengine's applies `init_cfg` and nothing else)."""
from mmengine.model import BaseModule


class DetectionTransformer(BaseModule):
    def __init__(self, embed_dims=8, num_layers=2, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.embed_dims = embed_dims
        self.num_layers = num_layers
        self._init_layers()

    def _init_layers(self):
        raise NotImplementedError

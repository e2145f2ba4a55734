"""A detector whose `init_weights` runs the inherited one, then xavier-inits every decoder parameter with
`dim() > 1`: the weights, not the biases."""
import torch.nn as nn

from .base_detr import DetectionTransformer
from .layers import DecoderLayer


class ConditionalDETR(DetectionTransformer):
    def _init_layers(self):
        self.decoder = nn.ModuleList([DecoderLayer(self.embed_dims) for _ in range(self.num_layers)])

    def init_weights(self):
        super().init_weights()
        for p in self.decoder.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

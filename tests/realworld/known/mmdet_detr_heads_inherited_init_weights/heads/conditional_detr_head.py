"""A subclass whose `init_weights` runs the inherited one, then sets the class bias for a sigmoid loss
only (the class weight keeps the default on every way, the bias on the softmax way)."""
import math

import torch.nn as nn

from .detr_head import DETRHead


class ConditionalDETRHead(DETRHead):
    def init_weights(self):
        super().init_weights()
        if self.use_sigmoid:
            nn.init.constant_(self.fc_cls.bias, -math.log((1 - 0.01) / 0.01))

"""A module that defines `reset_parameters()` delegating to each Linear's own `reset_parameters()` (the default, chosen deliberately) but does not call it from `__init__` (seen in torch/nn/modules/adaptive.py: AdaptiveLogSoftmaxWithLoss, which imports `from torch.nn import Linear, ModuleList, Sequential`).

Decided: no finding by default (a reset method nobody in the file calls may be called by the user); strict mode reports the layers as unverified, since the init that would cover them never runs in the file.
"""
import torch
from torch.nn import Linear, Module, ModuleList, Sequential


class AdaptiveHead(Module):
    def __init__(self, in_features=16, n_classes=20, cutoffs=(8, 14), div_value=4.0):
        super().__init__()
        self.cutoffs = list(cutoffs) + [n_classes]
        self.head = Linear(in_features, self.cutoffs[0] + len(cutoffs), bias=False)  # expect-strict: INI001
        self.tail = ModuleList()
        for i in range(len(cutoffs)):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False), Linear(hsz, osz, bias=False)))  # expect-strict: INI001 INI001

    def reset_parameters(self):
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, x):
        return self.head(x)

"""A Linear subclass for quantization-aware training: `from_float` builds `cls(...)` and takes the float module's parameters by assignment; `to_float` builds a plain nn.Linear and assigns new Parameters copied from its own (seen in torch/ao/nn/qat/modules/linear.py).

The class is a layer, not a model that builds one; the nn.Linear built in `to_float` gets its weight and bias assigned right away (the bias only when there is one, matching the constructor's `bias=` argument). No findings.
"""
import torch
from torch import nn

INIT_LINT_ARGS = {"QATLinear": ((4, 3), {"qconfig": "fake"})}


class QATLinear(nn.Linear):
    _FLOAT_MODULE = nn.Linear

    def __init__(self, in_features, out_features, bias=True, qconfig=None):
        super().__init__(in_features, out_features, bias)
        if not qconfig:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig

    @classmethod
    def from_float(cls, mod):
        qat = cls(mod.in_features, mod.out_features, bias=mod.bias is not None, qconfig=mod.qconfig)
        qat.weight = mod.weight
        qat.bias = mod.bias
        return qat

    def to_float(self):
        linear = torch.nn.Linear(self.in_features, self.out_features, self.bias is not None)
        linear.weight = torch.nn.Parameter(self.weight.detach())
        if self.bias is not None:
            linear.bias = torch.nn.Parameter(self.bias.detach())
        linear.train(self.training)
        return linear

"""LoRA: an adapter wraps a base Linear; A gets kaiming_uniform_(a=sqrt(5)), B is zeroed so the adapter starts as a no-op (peft-style `reset_lora_parameters`; REALWORLD.md lists LoRA B among intentional zero fills). B is the adapter's last projection: strict only. The base layer is initialized by the model that builds it."""
import math

import torch
from torch import nn


class LoraLinear(nn.Module):
    def __init__(self, base=None, r=4, alpha=8):
        super().__init__()
        self.base = base if base is not None else nn.Identity()
        in_f = base.in_features if base is not None else 16
        out_f = base.out_features if base is not None else 16
        self.lora_A = nn.ModuleDict({"default": nn.Linear(in_f, r, bias=False)})
        self.lora_B = nn.ModuleDict({"default": nn.Linear(r, out_f, bias=False)})
        self.scaling = alpha / r
        self.reset_lora_parameters("default")

    def reset_lora_parameters(self, adapter_name):
        nn.init.kaiming_uniform_(self.lora_A[adapter_name].weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B[adapter_name].weight)  # expect-strict: INI003

    def forward(self, x):
        return self.base(x) + self.lora_B["default"](self.lora_A["default"](x)) * self.scaling


class AdaptedModel(nn.Module):
    def __init__(self):
        super().__init__()
        q = nn.Linear(16, 16)
        nn.init.normal_(q.weight, std=0.02)
        nn.init.zeros_(q.bias)
        self.q = LoraLinear(q)
        self.out = nn.Linear(16, 4)
        nn.init.normal_(self.out.weight, std=0.02)
        nn.init.zeros_(self.out.bias)

    def forward(self, x):
        return self.out(torch.relu(self.q(x)))

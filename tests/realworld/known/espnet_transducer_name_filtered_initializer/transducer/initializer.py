"""Initializes the parameters whose names say they belong to the RNN encoder or decoder."""
import math

import torch


def initializer(model: torch.nn.Module) -> None:
    for name, p in model.named_parameters():
        if any(part in name for part in ["enc.", "dec."]):
            if p.dim() == 1:
                p.data.zero_()
            else:
                fan_in = p.size(1)
                for k in p.size()[2:]:
                    fan_in *= k
                p.data.normal_(0, 1.0 / math.sqrt(fan_in))

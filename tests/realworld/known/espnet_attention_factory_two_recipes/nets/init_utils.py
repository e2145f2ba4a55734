"""A LeCun-style initializer over every parameter of a module: biases zero, weights drawn with a
standard deviation of 1/sqrt(fan_in)."""
import math

import torch


def lecun_init(module: torch.nn.Module) -> None:
    for p in module.parameters():
        values = p.data
        if values.dim() == 1:
            values.zero_()
        elif values.dim() == 2:
            values.normal_(0, 1.0 / math.sqrt(values.size(1)))
        elif values.dim() in (3, 4):
            fan_in = values.size(1)
            for k in values.size()[2:]:
                fan_in *= k
            values.normal_(0, 1.0 / math.sqrt(fan_in))
        else:
            raise NotImplementedError

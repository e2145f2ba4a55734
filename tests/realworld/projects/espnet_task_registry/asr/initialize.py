"""A generic init of every parameter of a model, run by the task only when a config asks for it."""
import math

import torch


def initialize(model: torch.nn.Module, init: str):
    for p in model.parameters():
        if p.dim() > 1:
            torch.nn.init.xavier_uniform_(p.data)
    for name, p in model.named_parameters():
        if ".bias" in name and p.dim() == 1:
            p.data.zero_()

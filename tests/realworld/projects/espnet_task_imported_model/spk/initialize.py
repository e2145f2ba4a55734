"""A generic init of every parameter of a model, run by the task only when a config asks for it."""
import torch


def initialize(model: torch.nn.Module, init: str):
    for p in model.parameters():
        if p.dim() > 1:
            torch.nn.init.xavier_uniform_(p.data)
        else:
            p.data.zero_()

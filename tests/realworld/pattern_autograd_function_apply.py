"""`GradReverse.apply(...)` is `torch.autograd.Function.apply`, not `nn.Module.apply`: it initializes nothing, and the domain classifier's layers keep the default (names lie, REALWORLD.md; autograd Functions used this way in timm/layers/activations_me.py)."""
import torch
from torch import nn


class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, alpha):
        ctx.alpha = alpha
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.alpha * grad, None


class DomainClassifier(nn.Module):
    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha
        self.fc1 = nn.Linear(16, 8)  # expect: INI001
        self.fc2 = nn.Linear(8, 2)  # expect: INI001
        self.register_buffer("scale", GradReverse.apply(torch.ones(1), alpha))

    def forward(self, x):
        x = GradReverse.apply(x, self.alpha)
        return self.fc2(torch.relu(self.fc1(x)))

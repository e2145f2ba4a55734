"""A classifier that deliberately replicates a TensorFlow reference: bias bound 1/sqrt(out_features), with a comment saying so (REALWORLD.md: "TF-style dense init 1/sqrt(out_features) for a classifier"; intentional non-fan-in schemes).

Unsure: the bound is provably not the layer's fan_in, so INI004 is expected (it is an unsafe-fix rule, and the design says never autofix code that says it replicates a reference); the lead may prefer to silence findings next to such a comment.

Decided: `in_features` and `num_classes` are constructor arguments, unknown statically; 1/sqrt(out_features) is not provably different from 1/sqrt(in_features), so INI004 stays silent (it only reports what literal sizes prove). With literal sizes it would report, and the comment would keep the unsafe fix away.
"""
import math

import torch
from torch import nn


class TFClassifier(nn.Module):
    def __init__(self, in_features=64, num_classes=10):
        super().__init__()
        self.fc = nn.Linear(in_features, num_classes)
        # replicates the TF reference implementation's dense initializer
        init_range = 1.0 / math.sqrt(self.fc.out_features)
        nn.init.uniform_(self.fc.weight, -init_range, init_range)
        nn.init.uniform_(self.fc.bias, -init_range, init_range)

    def forward(self, x):
        return self.fc(x)

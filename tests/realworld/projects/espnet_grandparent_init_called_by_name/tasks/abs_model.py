"""The common abstract base of every task's model: abstract methods only, no `__init__` of its own
(constructing it runs `torch.nn.Module.__init__`, which initializes nothing)."""
from abc import ABC, abstractmethod

import torch


class AbsTaskModel(torch.nn.Module, ABC):
    @abstractmethod
    def forward(self, **batch):
        raise NotImplementedError

    @abstractmethod
    def collect_feats(self, **batch):
        raise NotImplementedError

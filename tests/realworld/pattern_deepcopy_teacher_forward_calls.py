"""A student/teacher wrapper: the teacher is `copy.deepcopy` of the student, and construction runs the
augmentations and the crop (module forwards) on a dummy batch.  Neither a copy nor a forward
initializes anything, so the projector's layers keep PyTorch's default on every way.

Seen in vit_pytorch/dino.py, es_vit.py, lejepa.py (EMA teacher built by deepcopy, `self.local_crop(image)`
run in `__init__`); issue 11 (recall).
"""
import copy

import torch
import torch.nn as nn


class Projector(nn.Module):
    def __init__(self, dim, out_dim, hidden=16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, hidden),  # expect: INI001
            nn.GELU(),
            nn.Linear(hidden, out_dim),  # expect: INI001
        )

    def forward(self, x):
        return self.net(x)


class StudentTeacher(nn.Module):
    def __init__(self, dim=8, out_dim=4, augment=None):
        super().__init__()
        self.student = Projector(dim, out_dim)
        self.teacher = copy.deepcopy(self.student)
        self.augment = augment if augment is not None else nn.Identity()
        self.crop = nn.Identity()
        probe = self.augment(torch.randn(2, dim))
        self.crop(probe)

    def forward(self, x):
        return self.student(x), self.teacher(x)

"""Layer classes chosen at run time: a ternary between nn.Conv2d and nn.Conv3d, an inline ternary between two constructors, `getattr(nn, f"Conv{dims}d")`, and a lookup table of layer classes (REALWORLD.md: "layers hide behind ternaries choosing a class, getattr(nn, f'Conv{d}d'), lookup tables"; ternaries seen in timm/layers/mlp.py and classifier.py).

Every possible class is a torch layer; the covered model is clean, the uncovered one keeps the default whichever class is picked (findings on the constructing lines).

Decided: constructor parameters are unknown (the caller chooses them), so both branches of the ternary build a layer that keeps the default; `getattr(nn, f"Conv{dims}d")` with an unknown `dims` names no known class, so nothing is reported for it (precision over recall).
"""
import torch
from torch import nn

INIT_LINT_ARGS = {"Uncovered": ((), {"dims": 2}), "Covered": ((), {"dims": 2})}

_PROJ = {"linear": nn.Linear, "bilinear": nn.Bilinear}


class Uncovered(nn.Module):
    def __init__(self, dims=2, flat_head=True):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.stem = conv(3, 8, 3)  # expect: INI001
        self.mix = getattr(nn, f"Conv{dims}d")(8, 8, 1)
        self.head = nn.Linear(8, 4) if flat_head else nn.Conv2d(8, 4, 1)  # expect: INI001 INI001

    def forward(self, x):
        return self.head(self.mix(self.stem(x)).flatten(2).mean(-1))


class Covered(nn.Module):
    def __init__(self, dims=2, kind="linear"):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.stem = conv(3, 8, 3)
        self.mix = getattr(nn, f"Conv{dims}d")(8, 8, 1)
        self.proj = _PROJ[kind](8, 8) if kind == "linear" else _PROJ[kind](8, 8, 8)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.Linear, nn.Bilinear)):
                nn.init.normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.proj(self.mix(self.stem(x)).flatten(2).mean(-1))

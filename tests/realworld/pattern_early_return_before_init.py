"""`if <condition>: return` before the init code, in `__init__` or in the `init_weights` it calls (the shape
of mmpretrain/mmdet `init_weights`: `if init_cfg['type'] == 'Pretrained': return`, and of ghostnet/repghost
`if self.infer_mode: return`); a `raise` on a bad argument, and a `raise` guard before a `modules()` loop.

Issue 11: the code after such an `if` runs only on the way that does not return, so the ways decide:
`Classifier(pretrained=True)` at a call site returns before the init and nothing loads weights there (a
finding naming the call); `Backbone`'s test reads an attribute in a method, which no way decides: the
`self.pretrained` way keeps the default (a fork, reported); a branch that raises builds nothing and is
no way at all (no finding). Before, the code after any early return was only "maybe run" and every
layer was unverified (strict only).
"""
from torch import nn


class Backbone(nn.Module):
    def __init__(self, pretrained=False):
        super().__init__()
        self.pretrained = pretrained
        self.conv = nn.Conv2d(3, 8, 3)  # expect: INI001
        self.init_weights()

    def init_weights(self):
        if self.pretrained:
            return
        nn.init.kaiming_normal_(self.conv.weight, mode="fan_out")
        nn.init.zeros_(self.conv.bias)

    def forward(self, x):
        return self.conv(x)


class Classifier(nn.Module):
    def __init__(self, pretrained=False, num_classes=10):
        super().__init__()
        self.fc = nn.Linear(8, num_classes)  # expect: INI001
        if pretrained:
            return
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        return self.fc(x)


class Strict(nn.Module):
    def __init__(self, mode="fan_in"):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        if mode not in ("fan_in", "fan_out"):
            raise ValueError(mode)
        nn.init.kaiming_uniform_(self.fc.weight, mode=mode)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        return self.fc(x)


class Block(nn.Module):
    def __init__(self, inp=8, oup=8):
        super().__init__()
        self.conv = nn.Conv2d(inp, oup, 3, bias=False)

    def forward(self, x):
        return self.conv(x)


class Guarded(nn.Module):
    """torchvision/models/mobilenetv2.py, mnasnet.py, video/mvit.py: a `raise` guard on the settings, then a
    `modules()` loop that covers every Conv2d: the loop runs on every way that builds the model."""

    def __init__(self, settings=((8, 8),)):
        super().__init__()
        if len(settings) == 0:
            raise ValueError("settings must not be empty")
        self.convs = nn.Sequential(*[Block(i, o) for i, o in settings])
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")

    def forward(self, x):
        return self.convs(x)


def build(num_classes):
    return Classifier(pretrained=True, num_classes=num_classes), Classifier(num_classes=num_classes)

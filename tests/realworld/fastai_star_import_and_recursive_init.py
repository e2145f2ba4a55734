"""`nn` reached only through a star import (`from .torch_imports import *`, which does `import torch.nn
as nn`): its `nn.Linear` is torch's.  A block grouping norm, dropout and a Linear keeps the default;
a model initialized by a function that recurses through `children()` (`init_cnn`) is covered on
every module below it; a decoder whose bias exists only when `bias=bias` is true and is zeroed under
`if bias:` keeps no default on the way without a bias.

no-verify (a relative star import).

Seen in fastai/layers.py (LinBnDrop), fastai/vision/models/xresnet.py (init_cnn), fastai/text/models/core.py
(LinearDecoder); issue 11 (recall).
"""
from .torch_imports import *


class LinBnDrop(nn.Sequential):
    def __init__(self, n_in, n_out, bn=True, p=0.0):
        layers = [nn.BatchNorm1d(n_in)] if bn else []
        if p != 0:
            layers.append(nn.Dropout(p))
        lin = [nn.Linear(n_in, n_out, bias=not bn)]  # expect: INI001
        super().__init__(*(layers + lin))


def init_cnn(m):
    if getattr(m, "bias", None) is not None:
        nn.init.constant_(m.bias, 0)
    if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)):
        nn.init.kaiming_normal_(m.weight)
    for child in m.children():
        init_cnn(child)


class TinyResNet(nn.Sequential):
    def __init__(self, c_in=3, n_out=10):
        stem = nn.Sequential(nn.Conv2d(c_in, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
        super().__init__(stem, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, n_out))
        init_cnn(self)


class LinearDecoder(nn.Module):
    initrange = 0.1

    def __init__(self, n_out, n_hid, bias=True):
        super().__init__()
        self.decoder = nn.Linear(n_hid, n_out, bias=bias)
        self.decoder.weight.data.uniform_(-self.initrange, self.initrange)
        if bias:
            self.decoder.bias.data.zero_()

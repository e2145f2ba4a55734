"""Re-parameterization: a block with train-time conv branches (initialized by the model's `modules()` loop) and a `reparameterize()` method that builds one fused Conv2d and assigns its `.weight.data` / `.bias.data` from the branches (seen in timm/models/fastvit.py and mobileone-style blocks: reparameterize). The fused conv's init is irrelevant: no findings."""
import torch
import torch.nn.functional as F
from torch import nn


class RepBlock(nn.Module):
    def __init__(self, ch=8):
        super().__init__()
        self.ch = ch
        self.reparam_conv = None
        self.conv_kxk = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.conv_1x1 = nn.Conv2d(ch, ch, 1, bias=False)

    def _fused_kernel(self):
        return self.conv_kxk.weight + F.pad(self.conv_1x1.weight, [1, 1, 1, 1])

    @torch.no_grad()
    def reparameterize(self):
        if self.reparam_conv is not None:
            return
        kernel = self._fused_kernel()
        self.reparam_conv = nn.Conv2d(self.ch, self.ch, 3, padding=1, bias=True)
        self.reparam_conv.weight.data = kernel
        self.reparam_conv.bias.data = torch.zeros(self.ch)
        del self.conv_kxk
        del self.conv_1x1

    def forward(self, x):
        if self.reparam_conv is not None:
            return F.relu(self.reparam_conv(x))
        return F.relu(self.conv_kxk(x) + self.conv_1x1(x))


class TinyRepNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.blocks = nn.Sequential(RepBlock(8), RepBlock(8))
        self.head = nn.Linear(8, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean((2, 3)))

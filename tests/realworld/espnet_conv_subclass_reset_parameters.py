"""A conv subclass that overrides `reset_parameters` (Kaiming-normal weight, zero bias) and a 1x1
subclass of it; a residual block builds only these.  `nn.Conv1d.__init__` ends by calling
`self.reset_parameters()`, which dispatches to the override: every conv is initialized when it is
built, whatever the block's arguments.  Nothing keeps the default; the linter is silent (right).

Issue 11, JUDGED_11 Session 2 S13 judged this class "missed"; re-read in Session 3: the convs are
the file's own classes with their own init.  Seen in espnet2/gan_tts/wavenet/residual_block.py
(Conv1d, Conv1d1x1, ResidualBlock), as in parallel_wavegan's.
"""
import torch


class KaimingConv1d(torch.nn.Conv1d):
    def reset_parameters(self):
        torch.nn.init.kaiming_normal_(self.weight, nonlinearity="relu")
        if self.bias is not None:
            torch.nn.init.constant_(self.bias, 0.0)


class PointwiseConv1d(KaimingConv1d):
    def __init__(self, in_channels, out_channels, bias):
        super().__init__(in_channels, out_channels, kernel_size=1, bias=bias)


class GatedResidualBlock(torch.nn.Module):
    def __init__(self, kernel_size=3, channels=8, gate_channels=16, aux_channels=4, dilation=1, bias=True):
        super().__init__()
        padding = (kernel_size - 1) // 2 * dilation
        self.conv = KaimingConv1d(channels, gate_channels, kernel_size, padding=padding, dilation=dilation,
                                  bias=bias)
        if aux_channels > 0:
            self.aux = PointwiseConv1d(aux_channels, gate_channels, bias=False)
        else:
            self.aux = None
        self.out = PointwiseConv1d(gate_channels // 2, channels * 2, bias=bias)

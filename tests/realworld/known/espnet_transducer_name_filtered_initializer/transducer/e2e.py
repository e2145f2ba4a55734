"""Known miss (issue 11, JUDGED_11 Session 1 F4-F6, re-judged in Session 3): a transducer model
holds either a custom encoder under `self.encoder` or an RNN encoder under `self.enc`, then runs an
initializer of another file that draws only the parameters whose names contain "enc." or "dec.".
The RNN encoder's parameters (`enc.front.conv.weight`, ...) match and are initialized; the custom
encoder's (`encoder.embed.convs.0.weight`, ...) do not: "encoder." has no "enc.", so on the custom
way the VGG block and the encoder's blocks keep PyTorch's default.  Project mode reads the
initializer as code out of sight that may initialize every type it is handed and stays silent on
both ways.

Seen in espnet/nets/pytorch_backend/e2e_asr_transducer.py (`self.encoder = CustomEncoder(...)` or
`self.enc = encoder_for(...)`, then `initializer(self, args)`), transducer/initializer.py (the name
filter), transducer/vgg2l.py, conv1d_nets.py, blocks.py, custom_encoder.py, rnn_encoder.py.  On espnet
itself vgg2l.py is reported (its layers are also built by encoders whose models keep the default
under `transformer_init="pytorch"`); the session-1 verdict "false" on it was wrong: the name filter
skips the custom encoder.  The transducer's custom Conv1d blocks stay silent for the reason above.
"""
import torch

from .custom_encoder import CustomEncoder
from .initializer import initializer
from .rnn_encoder import RNNEncoder


class Transducer(torch.nn.Module):
    def __init__(self, idim=4, odim=8, etype="rnn"):
        super().__init__()
        if etype == "custom":
            self.encoder = CustomEncoder(idim, odim)
        else:
            self.enc = RNNEncoder(idim, odim)
        initializer(self)

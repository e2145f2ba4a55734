"""Issue 11, JUDGED_11 Session 2 S8 (a miss until Session 3): a task model whose optional
conditioning layer is never initialized.  A subclass in another file (slu_model.py) skips this
class's `__init__` and calls the abstract base's by name, `AbsTaskModel.__init__(self)`.  That call
was read as handing the module to code out of sight (an imported callable), so the subclass's file
"may initialize" every layer type, and since it imports this class, project mode stayed silent on
this class's layers too.  A base's `__init__` called by name on `self` is now read as
`super().__init__()` is: it can touch only what was built before it.  (The base here is a plain
class with no `__init__`: the call runs `torch.nn.Module.__init__`, which initializes nothing.)

Seen in espnet2/asr/espnet_model.py (ESPnetASRModel `conditioning_layer`), espnet2/slu/espnet_model.py
(`AbsESPnetModel.__init__(self)`), espnet2/train/abs_espnet_model.py.
"""
import torch

from .abs_model import AbsTaskModel


class ASRModel(AbsTaskModel):
    def __init__(self, vocab_size=10, encoder_dim=8, use_conditioning=False):
        super().__init__()
        self.vocab_size = vocab_size
        if use_conditioning:
            self.conditioning_layer = torch.nn.Linear(vocab_size, encoder_dim)  # expect: INI001

    def forward(self, **batch):
        return batch

    def collect_feats(self, **batch):
        return batch

"""A decoder whose other base is an interface from another package (a beam-search scorer) and whose
constructor registers a `_register_load_state_dict_pre_hook` (nn.Module's own method: it registers a
hook, it writes no parameter).  Calling it is no code out of sight that may initialize: the output
layer keeps the default.  Its `score` method calls the interface's methods after construction, for
another purpose: no reason either.

no-verify (imports a package that is not installed).

Seen in espnet/nets/pytorch_backend/transformer/decoder.py (`BatchScorerInterface`); issue 11 (recall).
"""
import torch
from espnet.nets.scorer_interface import BatchScorerInterface


def _pre_hook(state_dict, prefix, *args):
    return None


class Decoder(BatchScorerInterface, torch.nn.Module):
    def __init__(self, odim=10, dim=8):
        torch.nn.Module.__init__(self)
        self.embed = torch.nn.Embedding(odim, dim)  # expect: INI006
        self.output_layer = torch.nn.Linear(dim, odim)  # expect: INI001
        self._register_load_state_dict_pre_hook(_pre_hook)

    def score(self, ys, state, x):
        return self.batch_score(ys, state, x)

"""Known false finding (issue 11, JUDGED_11 Session 3): a stray trailing comma makes one input
layer a tuple, `self.embed = (nn.Embedding(...),)`.  `nn.Module.__setattr__` registers modules and
parameters only, so the tuple is a plain attribute: the embedding is no submodule, its weight is no
parameter of the model (never trained, saved, moved or reached by any init), and `forward` fails
calling a tuple.  Whether its weight keeps N(0, 1) says nothing about the model; the analysis reads
a layer inside a tuple attribute as held by the module (`self.embed[0]`) and reports INI006 on it.
(The "linear" way's Linear, which is registered through `nn.Sequential`, keeps the default:
reported.)

Seen in espnet2/asr/encoder/linear_encoder.py (LinearEncoder, input_layer="embed").
"""
import torch


class LinearEncoder(torch.nn.Module):
    def __init__(self, input_size=10, output_size=8, input_layer="linear", padding_idx=-1):
        super().__init__()
        if input_layer == "linear":
            self.embed = torch.nn.Sequential(
                torch.nn.Linear(input_size, output_size),  # expect: INI001
                torch.nn.ReLU(),
            )
        elif input_layer == "embed":
            self.embed = (torch.nn.Embedding(input_size, output_size, padding_idx=padding_idx),)
        else:
            raise ValueError(input_layer)

    def forward(self, xs):
        return self.embed(xs)

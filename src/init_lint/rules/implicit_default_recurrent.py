"""INI007 implicit-default-recurrent: RNN/LSTM/GRU (and cell) parameters that keep uniform(+-1/sqrt(hidden_size))."""

from __future__ import annotations

from typing import Iterator

from init_lint.catalogue import RECURRENT, RECURRENT_CELL
from init_lint.diagnostics import SAFE
from init_lint.rules._examples import Invalid
from init_lint.rules._modules import judge, message
from init_lint.rules.base import CheckContext, RawFinding, Rule


class ImplicitDefaultRecurrent(Rule):
    """INI007: the module tree's verdict on every parameter of a recurrent module."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        for judged in judge(context, (RECURRENT, RECURRENT_CELL)):
            text, help_ = message(judged, context, "the default", self.code,
                                  "PyTorch draws them uniform(+-1/sqrt(hidden_size)); initialize them explicitly "
                                  "(orthogonal recurrent weights are common)")
            yield RawFinding(judged.site.call, text, help=help_, fix=SAFE if judged.plan else None,
                             plan=judged.plan, strict=judged.level.name == "MAYBE", depends=judged.depends)


RULE = ImplicitDefaultRecurrent(
    code="INI007",
    name="implicit-default-recurrent",
    summary="An `nn.RNN` / `LSTM` / `GRU` (or cell) whose parameters no code initializes.",
    what="""
        Finds `nn.RNN`, `nn.LSTM`, `nn.GRU`, `nn.RNNCell`, `nn.LSTMCell` and `nn.GRUCell` modules of an
        `nn.Module` with parameters that no code initializes, and names them (`weight_ih_l0`,
        `bias_hh_l1_reverse`). A `for name, p in self.lstm.named_parameters()` loop covers exactly the
        names its conditions select (`if 'weight_hh' in name:`); `isinstance` dispatch on `nn.LSTM` or
        `nn.RNNBase`, `apply(fn)` and `parameters()` loops count as for every layer.
    """,
    why="""
        The constructor draws every parameter, biases included, from
        uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size)): a scale tied to the hidden size rather than
        to each matrix's fan, and not the orthogonal recurrent weights or forget-gate bias that most
        papers prescribe. The recipe is invisible in the code that relies on it.
    """,
    example="""
        class CharLM(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(64, 128, num_layers=2)
    """,
    use_instead="""
        class CharLM(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(64, 128, num_layers=2)
                for name, p in self.rnn.named_parameters():
                    if "weight_hh" in name:
                        nn.init.orthogonal_(p)
                    elif "weight_ih" in name:
                        nn.init.xavier_uniform_(p)
                    else:
                        nn.init.zeros_(p)
    """,
    fix_safety="""
        Safe: the fix writes PyTorch's own recipe, uniform(+-1/sqrt(hidden_size)) on each parameter
        that relied on it, in `parameters()` order. With `--fix-style skip-init` the module is built on
        the meta device and materialized with `to_empty` (what `skip_init` does; `skip_init` itself
        refuses recurrent classes) and the whole recipe replayed, so the values are bitwise identical
        under the same seed. A parameter that a computed `bias=` or `proj_size=` may remove is written
        under a guard. No fix when the number of layers (or `bidirectional`) is not a literal and only
        some parameters are initialized (they cannot be named), or when the constructor raises.
    """,
    valid=[
        """
        import torch.nn as nn

        class CharLM(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(64, 128, num_layers=2)
                for name, p in self.rnn.named_parameters():
                    if "weight_hh" in name:
                        nn.init.orthogonal_(p)
                    elif "weight_ih" in name:
                        nn.init.xavier_uniform_(p)
                    else:
                        nn.init.zeros_(p)
        """,
        """
        import torch.nn as nn

        class Tagger(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.GRU(32, 64, bidirectional=True)
                for m in self.modules():
                    if isinstance(m, nn.RNNBase):
                        for p in m.parameters():
                            nn.init.uniform_(p, -0.08, 0.08)
        """,
    ],
    invalid=[
        Invalid("""
            import torch.nn as nn

            class CharLM(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.rnn = nn.LSTM(64, 128)
                    for name, p in self.rnn.named_parameters():
                        if "weight" in name:
                            nn.init.orthogonal_(p)
            """, expected="""
            import math

            import torch.nn as nn

            class CharLM(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.rnn = nn.LSTM(64, 128)
                    bound = 1 / math.sqrt(128)
                    nn.init.uniform_(self.rnn.bias_ih_l0, -bound, bound)
                    nn.init.uniform_(self.rnn.bias_hh_l0, -bound, bound)
                    for name, p in self.rnn.named_parameters():
                        if "weight" in name:
                            nn.init.orthogonal_(p)
            """),
    ],
)

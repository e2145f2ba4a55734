"""INI008 implicit-default-attention: MultiheadAttention / Transformer* parameters that keep a Linear default."""

from __future__ import annotations

from typing import Iterator

from init_lint.catalogue import ATTENTION, TRANSFORMER
from init_lint.diagnostics import SAFE
from init_lint.rules._examples import Invalid
from init_lint.rules._modules import judge, message
from init_lint.rules.base import CheckContext, RawFinding, Rule


class ImplicitDefaultAttention(Rule):
    """INI008: the module tree's verdict on the Linear-default parameters of attention modules."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        for judged in judge(context, (ATTENTION, TRANSFORMER)):
            text, help_ = message(judged, context, "the Linear default", self.code,
                                  "initialize them explicitly (an `isinstance(m, nn.Linear)` dispatch "
                                  "over `modules()` reaches them)")
            yield RawFinding(judged.site.call, text, help=help_, fix=SAFE if judged.plan else None,
                             plan=judged.plan, strict=judged.level.name == "MAYBE", depends=judged.depends)


RULE = ImplicitDefaultAttention(
    code="INI008",
    name="implicit-default-attention",
    summary="An `nn.MultiheadAttention` / `nn.Transformer*` whose Linear parameters keep their default init.",
    what="""
        Finds `nn.MultiheadAttention`, `nn.TransformerEncoderLayer`, `nn.TransformerDecoderLayer`
        and `nn.Transformer` modules of an `nn.Module` whose parameters keep the Linear default that
        their constructor leaves them, and names them: `out_proj.weight` of every attention,
        `linear1`/`linear2` of every layer, and the feed-forward biases of `nn.Transformer` (which
        applies `xavier_uniform_` to every matrix but leaves biases as drawn). The input projections'
        `xavier_uniform_`, the zeroed biases and LayerNorm's ones are deliberate and not reported.
        `isinstance(m, nn.Linear)` dispatch over `modules()` reaches these children, as it does at
        run time.
    """,
    why="""
        `MultiheadAttention` builds `out_proj` as an `nn.Linear`, whose weight keeps
        `kaiming_uniform_(a=sqrt(5))`, while the input projections get `xavier_uniform_`: two scales
        in one block, neither visible in the model's code. PyTorch keeps these defaults for backward
        compatibility (PRs #5370, #14034).
    """,
    example="""
        class Block(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.attn = nn.MultiheadAttention(d, 8)
    """,
    use_instead="""
        class Block(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.attn = nn.MultiheadAttention(d, 8)
                nn.init.xavier_uniform_(self.attn.out_proj.weight)
    """,
    fix_safety="""
        Safe: the fix writes PyTorch's own recipe for the named parameters. With
        `--fix-style skip-init` the module is built with `torch.nn.utils.skip_init` and the whole
        constructor replayed in draw order (the `out_proj` draws first, even its bias that is then
        zeroed, because they consume random numbers), so the values are bitwise identical under the
        same seed. No fix for a Transformer built around a custom encoder or decoder, with zero
        layers, or with a layer count that is not a literal.
    """,
    valid=[
        """
        import torch.nn as nn

        class Block(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.attn = nn.MultiheadAttention(d, 8)
                self.apply(self._init)

            def _init(self, m):
                if isinstance(m, nn.Linear):
                    nn.init.xavier_uniform_(m.weight)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
        """,
    ],
    invalid=[
        Invalid("""
            import torch.nn as nn

            class Block(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.attn = nn.MultiheadAttention(64, 8)
            """, expected="""
            import math

            import torch.nn as nn

            class Block(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.attn = nn.MultiheadAttention(64, 8)
                    nn.init.kaiming_uniform_(self.attn.out_proj.weight, a=math.sqrt(5))
            """),
    ],
)

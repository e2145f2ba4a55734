"""INI005 fan-init-on-1d: kaiming_* / xavier_* applied to a bias or another 1-D tensor."""

from __future__ import annotations

from typing import Iterator

from init_lint.analysis.initops import is_fan_based
from init_lint.analysis.values import Tri
from init_lint.diagnostics import UNSAFE
from init_lint.rules._layers import describe, literal_fan_in, targets
from init_lint.rules._replace import replace_plan
from init_lint.rules._examples import Invalid
from init_lint.rules.base import CheckContext, RawFinding, Rule


class FanInitOn1d(Rule):
    """INI005: filters fan-based init calls on a bias or a one-dimensional tensor."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        """Every kaiming_* / xavier_* call on a layer's bias or on a tensor created 1-D."""
        analysis = context.analysis
        seen: set = set()
        for call in analysis.facts.init_calls:
            if call.method or not is_fan_based(call.function) or not (call.on_bias or call.one_dim):
                continue
            if id(call.node) in seen:
                continue
            if call.sites or call.spec is not None:
                layers = [s for s in targets(analysis, call) if s.owner is not None and s.bias != Tri.NO]
                if not layers:
                    continue
                subject = f"the bias of {describe(layers[0], analysis)}"
                plan = replace_plan(call.statement, call.node, layers, "bias", analysis.module)
            else:
                subject, plan = "a one-dimensional parameter", None
            seen.add(id(call.node))
            yield RawFinding(
                call.node,
                f"{call.function} on {subject}: raises ValueError on a 1-D tensor",
                fix=UNSAFE if plan else None,
                plan=plan,
                help=_help(layers[0] if plan else None),
            )


def _help(site) -> str:
    fan = literal_fan_in(site) if site is not None else None
    return f"use uniform_(bias, -b, b) with b = 1/sqrt({fan or 'fan_in'}), PyTorch's default, or zeros_"


RULE = FanInitOn1d(
    code="INI005",
    name="fan-init-on-1d",
    summary="kaiming_* or xavier_* applied to a bias or another one-dimensional tensor.",
    what="""
        Finds `kaiming_uniform_`, `kaiming_normal_`, `xavier_uniform_` and `xavier_normal_` applied to the bias
        of a layer (directly, in an `apply` / `modules()` dispatch, or in a `parameters()` loop with no
        dimension check) or to a parameter created one-dimensional.
    """,
    why="""
        Fan-based initializers compute fan_in and fan_out from dimensions 0 and 1 of the tensor. A 1-D
        tensor has no fan_out, and PyTorch raises `ValueError: Fan in and fan out can not be computed for
        tensor with fewer than 2 dimensions` when the model is built.
    """,
    example="""
        for p in self.parameters():
            nn.init.xavier_uniform_(p)
    """,
    use_instead="""
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
            else:
                nn.init.zeros_(p)
    """,
    fix_safety="""
        Unsafe (`--unsafe-fixes`): a call on a layer's bias is replaced by the default bias recipe.
        Loops over `parameters()` get no fix: they need a dimension check the user should choose.
    """,
    valid=[
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                for p in self.parameters():
                    if p.dim() > 1:
                        nn.init.xavier_uniform_(p)
                    else:
                        nn.init.zeros_(p)
        """,
    ],
    invalid=[
        Invalid("""
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 2)
                    nn.init.xavier_uniform_(self.fc.weight)
                    nn.init.kaiming_uniform_(self.fc.bias)
            """, expected="""
            import math

            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 2)
                    nn.init.xavier_uniform_(self.fc.weight)
                    bound = 1 / math.sqrt(4)
                    nn.init.uniform_(self.fc.bias, -bound, bound)
            """),
    ],
)

"""INI005 fan-init-on-1d: kaiming_* / xavier_* applied to a bias or another 1-D tensor."""

from __future__ import annotations

from typing import Iterator

from init_lint.analysis.values import Tri
from init_lint.diagnostics import UNSAFE
from init_lint.rules._layers import describe, targets
from init_lint.rules._replace import replace_plan
from init_lint.rules._examples import Invalid
from init_lint.rules.base import CheckContext, RawFinding, Rule


class FanInitOn1d(Rule):
    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        analysis = context.analysis
        seen: set = set()
        for event in analysis.facts.fan_inits:
            if id(event.node) in seen:
                continue
            if event.sites or event.spec is not None:
                layers = [s for s in targets(analysis, event.sites, event.spec, event.dispatch_id)
                          if s.owner is not None and s.bias != Tri.NO]
                if not layers:
                    continue
                subject = f"the bias of {describe(layers[0], analysis)}"
                plan = replace_plan(event.statement, event.node, layers, "bias", analysis.module)
            else:
                subject, plan = event.target, None
            seen.add(id(event.node))
            yield RawFinding(
                event.node,
                f"{event.function} on {subject}: fan-based init needs a tensor with at least 2 dimensions and "
                f"raises ValueError on a 1-D one; use uniform_(bias, -1/sqrt(fan_in), 1/sqrt(fan_in)) or zeros_",
                fix=UNSAFE if plan else None,
                plan=plan,
            )


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

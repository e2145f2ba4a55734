"""INI003 zero-weight-fill: a zero-filled weight of a hidden layer."""

from __future__ import annotations

from typing import Iterator

from init_lint.analysis.values import Tri
from init_lint.diagnostics import UNSAFE
from init_lint.rules._layers import describe, is_hidden, targets
from init_lint.rules._replace import replace_plan
from init_lint.rules._examples import Invalid
from init_lint.rules.base import CheckContext, RawFinding, Rule


class ZeroWeightFill(Rule):
    """INI003: filters the init calls that fill a weight with zero, and reads the forward data flow."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        """Every zero fill of a hidden layer's weight (every zero fill in strict mode)."""
        analysis = context.analysis
        seen: set = set()
        for call in analysis.facts.init_calls:
            if not call.on_weight:
                continue
            value = call.fill_value()
            if value is None or value != 0 or isinstance(value, bool) or id(call.node) in seen:
                continue
            layers = [s for s in targets(analysis, call) if s.owner is not None]
            if not layers:
                continue
            hidden = [(s, is_hidden(s, analysis)) for s in layers]
            fed = [(s, consumer) for s, consumer in hidden if consumer is not None] if call.level == Tri.YES else []
            if not fed and not context.strict:
                continue
            seen.add(id(call.node))
            plan = replace_plan(call.statement, call.node, layers, "weight", analysis.module)
            if fed:
                site, consumer = fed[0]
                message = f"zero weight for {describe(site, analysis)}, which feeds {consumer}: its units stay identical"
                help_ = "use a random init; zero only a last projection"
            else:
                message = f"zero weight for {describe(layers[0], analysis)}: harmful unless it is a last projection"
                help_ = "keep it (with `# noqa: INI003`) on the last projection of a residual or gated branch; " \
                        "use a random init on a hidden layer"
            yield RawFinding(call.node, message, fix=UNSAFE if plan else None, plan=plan, strict=not fed, help=help_)


RULE = ZeroWeightFill(
    code="INI003",
    name="zero-weight-fill",
    summary="A zero-filled weight of a hidden layer, one whose output feeds another weight layer.",
    what="""
        Finds `zeros_`, `constant_(w, 0)`, `w.zero_()`, `w.fill_(0)` on the weight of a Linear or Conv layer
        whose output feeds another weight layer: a later layer of the same `nn.Sequential`, or a layer
        that `forward` applies to its output. Zeroing the last projection of a block (residual branch,
        LoRA B, adaLN-zero modulation, gates) is intentional and not reported; `--strict` reports every
        zero weight fill.
    """,
    why="""
        A zero weight makes every unit of the layer output the same value and receive the same gradient:
        the units never become different. After a ReLU they are dead, and the layers after it get no
        signal to learn from.
    """,
    example="""
        self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
        nn.init.zeros_(self.net[0].weight)
    """,
    use_instead="""
        self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
        nn.init.kaiming_uniform_(self.net[0].weight, a=math.sqrt(5))
    """,
    fix_safety="""
        Unsafe (`--unsafe-fixes`): the zero fill is replaced by the layer's default weight recipe, which
        changes the initial values on purpose.
    """,
    valid=[
        """
        import torch.nn as nn

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(8, 32)
                self.fc2 = nn.Linear(32, 8)
                nn.init.xavier_uniform_(self.fc1.weight)
                nn.init.zeros_(self.fc1.bias)
                nn.init.zeros_(self.fc2.weight)
                nn.init.zeros_(self.fc2.bias)

            def forward(self, x):
                return x + self.fc2(self.fc1(x).relu())
        """,
    ],
    invalid=[
        Invalid("""
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc1 = nn.Linear(8, 32)
                    self.fc2 = nn.Linear(32, 2)
                    nn.init.zeros_(self.fc1.weight)
                    nn.init.zeros_(self.fc1.bias)
                    nn.init.xavier_uniform_(self.fc2.weight)
                    nn.init.zeros_(self.fc2.bias)

                def forward(self, x):
                    h = self.fc1(x).relu()
                    return self.fc2(h)
            """, expected="""
            import math

            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc1 = nn.Linear(8, 32)
                    self.fc2 = nn.Linear(32, 2)
                    nn.init.kaiming_uniform_(self.fc1.weight, a=math.sqrt(5))
                    nn.init.zeros_(self.fc1.bias)
                    nn.init.xavier_uniform_(self.fc2.weight)
                    nn.init.zeros_(self.fc2.bias)

                def forward(self, x):
                    h = self.fc1(x).relu()
                    return self.fc2(h)
            """),
    ],
)

"""INI002 constant-weight-fill: a layer weight filled with one non-zero value."""

from __future__ import annotations

from typing import Iterator

from init_lint.analysis.operations import is_number
from init_lint.analysis.values import InvSqrt, Negated, Reciprocal, Tri
from init_lint.diagnostics import UNSAFE
from init_lint.rules._layers import describe, output_units, targets
from init_lint.rules._replace import replace_plan
from init_lint.rules._examples import Invalid
from init_lint.rules.base import CheckContext, RawFinding, Rule


def _nonzero_constant(value: object) -> bool:
    """A number other than 0, or an expression of one that cannot be 0 (`1.0 / (scale * 2 + 1)`,
    `1 / math.sqrt(n)`, their negation): the same value in every entry of the weight."""
    if is_number(value):
        return value != 0
    if isinstance(value, Negated):
        return _nonzero_constant(value.of)
    return isinstance(value, (Reciprocal, InvSqrt))


def _value_code(call, value: object, module) -> str:
    """The constant as the message shows it: its value, or the expression that computes it."""
    if is_number(value):
        return repr(value)
    arguments = [a for a in call.node.args if a.keyword is None]
    index = 0 if call.method else 1
    node = arguments[index].value if len(arguments) > index else next(
        (a.value for a in call.node.args if a.keyword is not None and a.keyword.value == "val"), None)
    code = " ".join(module.code_for_node(node).split()) if node is not None else "an expression"
    return f"`{code[:57]}...`" if len(code) > 60 else f"`{code}`"


class ConstantWeightFill(Rule):
    """INI002: filters the init calls that fill a weight with a non-zero constant."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        """Every constant fill of a weight of a layer with more than one output unit."""
        analysis = context.analysis
        seen: set = set()
        for call in analysis.facts.init_calls:
            if not call.on_weight:
                continue
            value = call.fill_value()
            if not _nonzero_constant(value) or id(call.node) in seen:
                continue
            if call.level < Tri.YES and not context.strict:
                continue
            layers = [s for s in targets(analysis, call) if output_units(s) != 1 and s.owner is not None]
            if not layers:
                continue
            seen.add(id(call.node))
            plan = replace_plan(call.statement, call.node, layers, "weight", analysis.module)
            yield RawFinding(
                call.node,
                f"weight of {describe(layers[0], analysis)} is the constant {_value_code(call, value, analysis.module)}: "
                "all units stay identical",
                fix=UNSAFE if plan else None,
                plan=plan,
                help="use a random init, e.g. PyTorch's default kaiming_uniform_(w, a=math.sqrt(5))",
            )


RULE = ConstantWeightFill(
    code="INI002",
    name="constant-weight-fill",
    summary="A Linear or Conv weight filled with one non-zero value.",
    what="""
        Finds `ones_`, `constant_(w, c)`, `w.fill_(c)`, `w.data.fill_(c)` and `w.copy_(torch.ones(...))` with a
        non-zero constant on the weight of a Linear, Conv, ConvTranspose or Bilinear layer, directly or
        through an `apply` / `modules()` dispatch. Layers with a single output unit are not reported.
    """,
    why="""
        With every weight equal, all units of the layer compute the same function of the input and
        receive the same gradient, so they stay identical through training: the layer has the capacity
        of a single unit.
    """,
    example="""
        self.fc = nn.Linear(16, 8)
        nn.init.constant_(self.fc.weight, 0.5)
    """,
    use_instead="""
        self.fc = nn.Linear(16, 8)
        nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
    """,
    fix_safety="""
        Unsafe (`--unsafe-fixes`): the fill is replaced by the layer's default weight recipe, which
        changes the initial values on purpose. No fix where the fill covers layers of different kinds.
    """,
    valid=[
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 8)
                self.norm = nn.LayerNorm(8)
                nn.init.kaiming_uniform_(self.fc.weight)
                nn.init.constant_(self.fc.bias, 0.1)
                nn.init.ones_(self.norm.weight)
        """,
    ],
    invalid=[
        Invalid("""
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(16, 8)
                    nn.init.constant_(self.fc.weight, 0.5)
                    nn.init.zeros_(self.fc.bias)
            """, expected="""
            import math

            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(16, 8)
                    nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
                    nn.init.zeros_(self.fc.bias)
            """),
        Invalid("""
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(16, 8)
                    with torch.no_grad():
                        self.fc.weight.data.fill_(1.0)
                        self.fc.bias.zero_()
            """, expected="""
            import math

            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(16, 8)
                    with torch.no_grad():
                        nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
                        self.fc.bias.zero_()
            """),
    ],
)

"""INI004 bias-fan-in-mismatch: a bias bound 1/sqrt(N) where N is not the layer's fan_in."""

from __future__ import annotations

from typing import Iterator

from init_lint.analysis.facts import InitCall
from init_lint.analysis.values import InvSqrt, Negated
from init_lint.diagnostics import UNSAFE
from init_lint.rules._layers import describe, literal_fan_in, symbol_value, targets
from init_lint.rules._replace import replace_plan
from init_lint.rules._examples import Invalid
from init_lint.rules.base import CheckContext, RawFinding, Rule


class BiasFanInMismatch(Rule):
    """INI004: filters the `uniform_` init calls on biases whose bound is 1/sqrt(n)."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        """Every bias bound whose n provably differs from a target layer's fan_in."""
        analysis = context.analysis
        seen: set = set()
        for call in analysis.facts.init_calls:
            n = _bound_of(call)
            if n is None or id(call.node) in seen:
                continue
            wrong = []
            for site in targets(analysis, call):
                if site.owner is None:
                    continue
                expected = literal_fan_in(site)
                used = symbol_value(n, site)
                if expected is not None and used is not None and used != expected:
                    wrong.append((site, used, expected))
            if not wrong:
                continue
            seen.add(id(call.node))
            site, used, expected = wrong[0]
            plan = replace_plan(call.statement, call.node, [w[0] for w in wrong], "bias", analysis.module) \
                if len(wrong) == 1 and call.sites else None
            yield RawFinding(
                call.node,
                f"bias bound 1/sqrt({used}) but {describe(site, analysis)} has fan_in {expected}",
                fix=UNSAFE if plan else None,
                plan=plan,
                help=f"use 1/sqrt({expected})",
            )


def _bound_of(call: InitCall) -> object:
    """The `n` of `uniform_(bias, -1/sqrt(n), 1/sqrt(n))`, or None for any other call."""
    if not call.on_bias or call.from_parameters or call.function.rstrip("_") != "uniform":
        # `for p in self.parameters(): uniform_(p, -stdv, stdv)`: one scheme for every tensor, not a bias bound.
        return None
    low, high = call.uniform_bounds()
    if not (isinstance(high, InvSqrt) and isinstance(low, Negated) and isinstance(low.of, InvSqrt)):
        return None
    return high.of


RULE = BiasFanInMismatch(
    code="INI004",
    name="bias-fan-in-mismatch",
    summary="A bias drawn from uniform(-1/sqrt(N), 1/sqrt(N)) where N is provably not the layer's fan_in.",
    what="""
        Finds `uniform_(bias, -b, b)` with `b = 1/sqrt(N)` (also `N ** -0.5`, `math.sqrt(1 / N)`) on the bias
        of a Linear or Conv layer where N evaluates to a number different from the layer's fan_in:
        out_features, the bias's own shape (`b.shape[0]`, `b.numel()`, `len(b)`), a stale literal, a
        convolution's in_channels without its kernel volume or groups. It reports only what it can prove
        from literal arguments; symbolic sizes are never guessed.
    """,
    why="""
        PyTorch's default bounds the bias by `1/sqrt(fan_in)` so that a layer's pre-activations have the
        same scale whatever its width. A bound from the wrong size makes biases too large or too small,
        which shifts every activation of the layer at initialization.
    """,
    example="""
        self.fc2 = nn.Linear(16, 4)
        bound = 1 / math.sqrt(self.fc2.out_features)
        nn.init.uniform_(self.fc2.bias, -bound, bound)
    """,
    use_instead="""
        self.fc2 = nn.Linear(16, 4)
        bound = 1 / math.sqrt(self.fc2.in_features)
        nn.init.uniform_(self.fc2.bias, -bound, bound)
    """,
    fix_safety="""
        Unsafe (`--unsafe-fixes`): the statement is replaced by the default bias recipe with the true
        fan_in. Code whose comments say it replicates a reference implementation is never rewritten.
    """,
    valid=[
        """
        import math
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 4)
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.fc.weight)
                bound = 1 / math.sqrt(fan_in)
                nn.init.uniform_(self.fc.bias, -bound, bound)
        """,
    ],
    invalid=[
        Invalid("""
            import math
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(16, 4)
                    bound = 1 / math.sqrt(self.fc.out_features)
                    nn.init.uniform_(self.fc.bias, -bound, bound)
            """, expected="""
            import math
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(16, 4)
                    bound = 1 / math.sqrt(16)
                    nn.init.uniform_(self.fc.bias, -bound, bound)
            """),
        Invalid("""
            import math
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Conv2d(8, 16, 3)
                    bound = 1 / math.sqrt(8)
                    nn.init.uniform_(self.conv.bias, -bound, bound)
            """, expected="""
            import math
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Conv2d(8, 16, 3)
                    bound = 1 / math.sqrt(72)
                    nn.init.uniform_(self.conv.bias, -bound, bound)
            """),
    ],
)

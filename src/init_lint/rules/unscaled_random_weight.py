"""INI009 unscaled-random-weight: a weight drawn at unit scale, so that a layer multiplies the input's std."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from init_lint.analysis.scale import RandomTensor, WeightUse, is_table_name, says_random_features
from init_lint.analysis.values import ContainerValue, Tri
from init_lint.catalogue_model import CONV, LINEAR
from init_lint.diagnostics import UNSAFE
from init_lint.fixes.plans import RescaleDraw
from init_lint.rules._examples import Invalid
from init_lint.rules._layers import _compact, describe, literal_fan_in, targets
from init_lint.rules._replace import replace_plan
from init_lint.rules.base import CheckContext, RawFinding, Rule

_HELP_DRAW = ("draw it at std 1/sqrt(fan_in): torch.randn(a, b) / math.sqrt(fan_in), "
              "or kaiming_uniform_(w, a=math.sqrt(5))")
_HELP_LAYER = "use the layer's default kaiming_uniform_(w, a=math.sqrt(5)), or normal_(w, std=1 / math.sqrt(fan_in))"


class UnscaledRandomWeight(Rule):
    """INI009: unit-scale draws used as weights of a product, and default `normal_` / `uniform_` on layers."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        yield from self._parameters(context)
        yield from self._layer_inits(context)

    # ------------------------------------------------ nn.Parameter(torch.randn(a, b)) in a product

    def _parameters(self, context: CheckContext) -> Iterator[RawFinding]:
        analysis = context.analysis
        reinitialized = {id(c.random) for c in analysis.facts.init_calls if c.random is not None}
        for owner, scale in analysis.facts.scale.items():
            if scale.rewrites_all:
                continue
            for attr, value in analysis.facts.attrs.get(owner, {}).items():
                draws = _draws(value)
                if not draws or attr in scale.rewritten or is_table_name(attr):
                    continue
                if says_random_features(attr) or says_random_features(" ".join(scale.comments.get(attr, []))):
                    continue
                uses = [u for u in scale.uses.get(attr, []) if not u.scaled]
                if not uses or len(uses) != len(scale.uses.get(attr, [])):
                    continue  # unused in a product, or rescaled at some use
                for draw in draws:
                    if id(draw) in reinitialized or draw.frozen or abs(draw.factor) < 1:
                        continue
                    yield self._finding(draw, uses[0], attr, analysis)

    def _finding(self, draw: RandomTensor, use: WeightUse, attr: str, analysis) -> RawFinding:
        fan_in_dims = _fan_in_dims(draw, use)
        spelled = f"{_factory(draw)}({', '.join(_compact(analysis.module.code_for_node(d)) for d in draw.dims)})"
        if len(spelled) > 40:
            spelled = f"{_factory(draw)}(...)"
        ratio = None
        fan_in_text = None
        if fan_in_dims is not None:
            sizes = [draw.sizes[i] for i in fan_in_dims]
            if all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
                product = 1
                for s in sizes:
                    product *= s
                ratio = draw.std_ratio(product)
            fan_in_text = " * ".join(_factor_text(analysis.module.code_for_node(draw.dims[i])) for i in fan_in_dims)
        where = {"matmul": "a matmul", "linear": "F.linear", "einsum": "an einsum", "conv": "a conv"}[use.kind]
        if ratio is not None:
            growth = f"~{ratio:.1f}x"
        elif fan_in_text is not None:
            growth = f"~sqrt({fan_in_text}{' / 3' if draw.family == 'uniform' else ''})x"
        else:
            growth = "~sqrt(fan_in)x"
        plan = None
        if fan_in_text is not None and draw.parameter_call is not None and draw.factor == 1 and \
                _fixable_call(draw.call):
            plan = RescaleDraw(draw.call, draw.family, fan_in_text, draw.statement)
        return RawFinding(
            draw.call,
            f"{spelled} weight self.{attr} in {where}: outputs {growth} the input's std",
            fix=UNSAFE if plan else None,
            plan=plan,
            help=_HELP_DRAW if draw.family == "normal" else
            "draw it zero-mean at variance 1/fan_in: (torch.rand(a, b) * 2 - 1) * math.sqrt(3 / fan_in)",
        )

    # ------------------------------------------------ nn.init.normal_(layer.weight) with std 1

    def _layer_inits(self, context: CheckContext) -> Iterator[RawFinding]:
        analysis = context.analysis
        seen: set = set()
        for call in analysis.facts.init_calls:
            if not call.on_weight or id(call.node) in seen or call.function not in ("normal_", "uniform_"):
                continue
            if call.level < Tri.YES and not context.strict:
                continue
            second_moment = _default_second_moment(call)
            if second_moment is None:
                continue
            layers = [s for s in targets(analysis, call) if s.spec.family in (LINEAR, CONV) and s.owner is not None]
            if not layers:
                continue
            seen.add(id(call.node))
            fan_in = literal_fan_in(layers[0]) if len(layers) == 1 else None
            growth = f"~{(fan_in * second_moment) ** 0.5:.1f}x" if fan_in else "~sqrt(fan_in)x"
            spelled = "normal_ with std 1" if call.function == "normal_" else "uniform_ on U(0, 1)"
            plan = replace_plan(call.statement, call.node, layers, "weight", analysis.module)
            yield RawFinding(
                call.node,
                f"{spelled} on the weight of {describe(layers[0], analysis)}: outputs {growth} the input's std",
                fix=UNSAFE if plan else None,
                plan=plan,
                help=_HELP_LAYER,
            )


def _draws(value: object) -> list:
    """The unit-scale parameters an attribute holds: one, or the items of a ParameterList."""
    items = value.items if isinstance(value, ContainerValue) else [value]
    return [v for v in items if isinstance(v, RandomTensor) and v.parameter]


def _fan_in_dims(draw: RandomTensor, use: WeightUse) -> Optional[list]:
    """Which of the draw's dimensions the product sums over (its fan_in)."""
    rank = len(draw.sizes)
    if use.contracted == "conv":
        return list(range(1, rank)) if rank >= 3 else None
    if isinstance(use.contracted, int):
        index = use.contracted % rank
        return [index]
    return None


def _factor_text(code: str) -> str:
    text = _compact(code)
    return text if text.replace("_", "").replace(".", "").isalnum() else f"({text})"


def _factory(draw: RandomTensor) -> str:
    func = draw.call.func if draw.call is not None else None
    return func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else "randn"


def _fixable_call(call: Optional[cst.Call]) -> bool:
    """Only the plain draw: its size arguments and nothing that a division would change the meaning of."""
    return call is not None and all(a.keyword is None or a.keyword.value in ("device", "dtype") for a in call.args)


def _default_second_moment(call) -> Optional[float]:
    """E[w^2] of `normal_(w)` / `uniform_(w)` left at their defaults (N(0, 1): 1; U(0, 1): 1/3), else None."""
    args, kwargs = list(call.args), dict(call.kwargs)
    kwargs.pop("generator", None)
    if call.function == "normal_":
        if len(args) > 1 or "std" in kwargs:
            return None
        mean = args[0] if args else kwargs.get("mean", 0)
        return 1.0 if mean == 0 else None
    if args or kwargs:
        return None
    return 1.0 / 3.0


RULE = UnscaledRandomWeight(
    code="INI009",
    name="unscaled-random-weight",
    summary="A weight drawn at unit scale (randn, rand, normal_ with std 1) used in a product.",
    what="""
        Finds weights drawn with a standard deviation of about 1 and multiplied with the input:
        `nn.Parameter(torch.randn(a, b))` or `nn.Parameter(torch.rand(a, b))` (also times a literal
        factor of 1 or more, or times `torch.ones(...)`) used as an operand of `@`, `torch.matmul`, `mm`,
        `bmm`, `F.linear`, `einsum` or `F.conv*d` in any method, and `nn.init.normal_(layer.weight)` /
        `nn.init.uniform_(layer.weight)` (or `w.normal_()`, `w.uniform_()`) with their default std 1 and
        bounds U(0, 1) on a Linear or Conv weight.

        Not reported: a draw multiplied or divided by anything the code computes (`* scale`,
        `/ math.sqrt(d)`, `* d ** -0.5`), at creation or where it is used (the product, or a name
        holding it, multiplied or divided later); a parameter any method re-initializes or rewrites in
        place (an init call on it, `w.data.mul_(s)`, `w.data = ...`, a `parameters()` loop with an
        init call); a parameter only added or concatenated; buffers and plain tensors (not
        `nn.Parameter`) and frozen parameters (`requires_grad=False`); tables by name (a name with a
        word such as `embed`, `token`, `query`, `latent`, `pos`, `cls`, `prompt`, `codebook`,
        `memory`, unless it also has a weight word: `W_query` is a weight); and random-feature
        projections that say so (`random_feature`, `rff`, `fourier_feature`, `orthogonal_random`,
        `random_proj` in the name or in a comment on the line that creates it).
    """,
    why="""
        Each output of `x @ W` sums `fan_in` products: with weights of variance 1 its std is
        `sqrt(fan_in)` times the input's (`sqrt(fan_in / 3)` for U(0, 1), whose non-zero mean also
        makes all outputs move together). A 512-wide layer multiplies the std by 22.6; a stack of
        them overflows to inf and NaN within about 30 layers, and a single one saturates the softmax
        or tanh after it. Drawing at std `1/sqrt(fan_in)` (or PyTorch's default `kaiming_uniform_`)
        keeps the std through depth.
    """,
    example="""
        class Attention(nn.Module):
            def __init__(self, d_in, d_out):
                super().__init__()
                self.W_query = nn.Parameter(torch.randn(d_in, d_out))

            def forward(self, x):
                return x @ self.W_query
    """,
    use_instead="""
        class Attention(nn.Module):
            def __init__(self, d_in, d_out):
                super().__init__()
                self.W_query = nn.Parameter(torch.randn(d_in, d_out) / math.sqrt(d_in))

            def forward(self, x):
                return x @ self.W_query
    """,
    fix_safety="""
        Unsafe (`--unsafe-fixes`): the initial values change on purpose. `nn.Parameter(torch.randn(a, b))`
        becomes `torch.randn(a, b) / math.sqrt(fan_in)` and `torch.rand(a, b)` becomes
        `(torch.rand(a, b) * 2 - 1) * math.sqrt(3 / fan_in)` (same distribution family, zero mean,
        variance 1/fan_in), where fan_in is the dimension the product sums over: dim 0 for `x @ W`,
        dim 1 for `F.linear(x, W)` and `W @ x`, all but the first for a conv kernel. No fix when the
        code does not show that dimension. A default `normal_` / `uniform_` on a layer's weight is
        replaced by the layer's default recipe (`kaiming_uniform_(w, a=math.sqrt(5))`).
    """,
    valid=[
        """
        import math
        import torch
        import torch.nn as nn

        class Stack(nn.Module):
            def __init__(self, d=512):
                super().__init__()
                self.w = nn.Parameter(torch.randn(d, d) / math.sqrt(d))
                self.pos_embedding = nn.Parameter(torch.randn(1, 16, d))
                self.fc = nn.Linear(d, d)
                nn.init.normal_(self.fc.weight, std=0.02)

            def forward(self, x):
                return self.fc(x @ self.w + self.pos_embedding)
        """,
        """
        import torch
        import torch.nn as nn

        class Head(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.proj = nn.Parameter(torch.randn(d, d))
                nn.init.xavier_uniform_(self.proj)

            def forward(self, x):
                return x @ self.proj
        """,
    ],
    invalid=[
        Invalid("""
            import torch
            import torch.nn as nn

            class Attention(nn.Module):
                def __init__(self, d_in, d_out):
                    super().__init__()
                    self.W_query = nn.Parameter(torch.rand(d_in, d_out))

                def forward(self, x):
                    return x @ self.W_query
            """, expected="""
            import math

            import torch
            import torch.nn as nn

            class Attention(nn.Module):
                def __init__(self, d_in, d_out):
                    super().__init__()
                    self.W_query = nn.Parameter((torch.rand(d_in, d_out) * 2 - 1) * math.sqrt(3 / d_in))

                def forward(self, x):
                    return x @ self.W_query
            """),
        Invalid("""
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(512, 256)
                    nn.init.normal_(self.fc.weight)
            """, expected="""
            import math

            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(512, 256)
                    nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
            """),
    ],
)

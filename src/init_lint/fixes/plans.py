"""What a finding asks the fixer to do: data only, produced by the rules, carried out by `fixes.build`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from init_lint.analysis.values import LayerSite
from init_lint.catalogue import LayerSpec


@dataclass(eq=False)
class InsertRecipe:
    """INI001: write the default recipe for `params` right after the statement that builds the layer."""

    site: LayerSite
    params: tuple


@dataclass(eq=False)
class ReplaceInit:
    """INI002-INI005: replace a wrong init statement by the default recipe of that parameter."""

    statement: cst.SimpleStatementLine = field(repr=False)
    #: the layer, as the init statement spells it (`self.fc`, `m`)
    layer: str
    spec: LayerSpec
    param: str
    #: constructor arguments written as literals in the constructor call itself (never a variable's value)
    literal_args: dict = field(default_factory=dict)
    #: the init call (`uniform_(b, -bound, bound)`), where the bound may be rewritten in place
    call: Optional[cst.Call] = field(default=None, repr=False)


def literal_call_args(spec: LayerSpec, call: cst.Call) -> dict:
    """The constructor's arguments that are literal ints (or tuples of them) in the call's own text.

    A name is never read as its value: `H` may be a parameter, a loop variable or a module constant
    rebound anywhere, and the fix then reads fan_in from the built layer instead.
    """
    if any(a.star for a in call.args):
        return {}
    found = written_arguments(spec, call, _literal)
    if any(part in found and found[part] is None for part in spec.fan_in_parts()):
        # `groups=g`: leaving it out would mean groups=1 to fan_in; read it all from the layer instead
        return {}
    return {k: v for k, v in found.items() if v is not None}


def written_arguments(spec: LayerSpec, call: cst.Call, read) -> dict:
    """The constructor's arguments the call writes (by position, then by keyword), by parameter name:
    `read` of each one's expression.  (Callers decide what a `*args` / `**kwargs` means.)"""
    found: dict = {}
    positional = [a for a in call.args if a.keyword is None]
    for name, arg in zip(spec.signature, positional):
        found[name] = read(arg.value)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in spec.signature:
            found[arg.keyword.value] = read(arg.value)
    return found


def _literal(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.Integer):
        value = node.evaluated_value
        return value if isinstance(value, int) else None
    if isinstance(node, (cst.Tuple, cst.List)):
        items = [None if isinstance(e, cst.StarredElement) else _literal(e.value) for e in node.elements]
        return tuple(items) if items and all(isinstance(i, int) for i in items) else None
    return None


@dataclass(eq=False)
class RescaleDraw:
    """INI009: divide a unit-scale draw (`torch.randn(a, b)`) by the sqrt of the fan_in it is summed over."""

    call: cst.Call = field(repr=False)
    #: "normal" (randn) or "uniform" (rand)
    family: str
    #: the fan_in as the draw's own arguments spell it (`d_in`, `c * k * k`)
    fan_in: str
    #: the statement that holds the draw: where the names the fix writes must resolve
    statement: Optional[cst.CSTNode] = field(default=None, repr=False)


@dataclass(eq=False)
class InsertModuleRecipe:
    """INI006-INI008: write the module's default recipe for `params` (its `named_parameters()` names,
    a clone written `*`) right after the statement that builds it; skip-init style replays it all."""

    site: LayerSite
    params: tuple

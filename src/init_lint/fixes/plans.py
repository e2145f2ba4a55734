"""What a finding asks the fixer to do: data only, produced by the rules, carried out by `fixes.apply`."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    literal_args: dict = field(default_factory=dict)


@dataclass(eq=False)
class RescaleDraw:
    """INI009: divide a unit-scale draw (`torch.randn(a, b)`) by the sqrt of the fan_in it is summed over."""

    call: cst.Call = field(repr=False)
    #: "normal" (randn) or "uniform" (rand)
    family: str
    #: the fan_in as the draw's own arguments spell it (`d_in`, `c * k * k`)
    fan_in: str

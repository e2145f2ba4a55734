"""The facts the interpreter records while it walks a file's code; rules read only these.

Three kinds of events and the file's summary:
- `BuildEvent`: a class (or a script) builds an instance of a module class;
- `DispatchEvent`: an `apply(fn)` or a `modules()` / `parameters()` loop, and what it covers;
- `InitCall`: one init-like call (`nn.init.zeros_(w)`, `w.fill_(1)`, `constant_init(m, 0)`),
  with its function, target, arguments and the dispatch it runs under. Rules filter these;
  the interpreter knows nothing of any rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from init_lint.analysis import initops
from init_lint.analysis.values import BIAS, WEIGHT, LayerSite, NewTensor, Tri
from init_lint.catalogue import LayerSpec


@dataclass(eq=False)
class BuildEvent:
    """A class (or script) builds an instance of a module class of this file at `seq`."""

    parent: Optional[str]
    entry: str
    seq: int
    #: the class built, or None for an unknown callable that may build any class passed around as a value
    child: Optional[str]
    call: cst.Call = field(repr=False)
    #: a class imported from elsewhere (its qualified name as the file imports it): project mode follows it
    external: Optional[str] = None
    #: built in a method that a base class from elsewhere may call, then initialize (`_init_layers`)
    from_external_hook: bool = False


@dataclass(eq=False)
class DispatchEvent:
    """`apply(fn)` / a `modules()` or `parameters()` loop: covers layer types in a scope."""

    entry: str
    seq: int
    #: layer sites and build events the dispatch reaches
    scope_sites: frozenset = field(repr=False)
    scope_builds: frozenset = field(repr=False)
    #: spec name -> param -> Tri
    coverage: dict
    level: Tri
    node: cst.CSTNode = field(repr=False)
    #: the node of the dispatch (the apply call or for loop), shared by events recorded inside it
    dispatch_id: Optional[int] = None
    #: the receiver is only modules the file builds where it can follow them (`v = ViT(...);
    #: v.load_state_dict(...)`), not self nor a module handed in: their builds' ways already hold it
    local: bool = False


@dataclass(eq=False)
class InitCall:
    """One init-like call: an init function or an overwriting tensor method applied to a target.

    The target is a layer's parameter (`params` is `("weight",)` or `("bias",)`), a whole layer
    (`params` is both, for helpers like mmcv's `constant_init(m, 0)`), or a tensor created
    one-dimensional (`one_dim`, `params` empty).  Concrete layers are in `sites`; inside a
    dispatch body the target is every layer of type `spec` the dispatch reaches.
    """

    node: cst.Call = field(repr=False)
    #: the function or method as named: `zeros_`, `kaiming_uniform_`, `fill_`
    function: str
    #: spelled as a tensor method (`w.fill_(0)`) rather than a function taking the tensor (`zeros_(w)`)
    method: bool
    params: tuple[str, ...]
    sites: tuple[LayerSite, ...] = ()
    #: in a dispatch body: the layer type the body is being read for
    spec: Optional[LayerSpec] = None
    #: the dispatch the call runs under (the id of its apply call or for loop), None outside any
    dispatch_id: Optional[int] = None
    #: abstract values of the arguments after the target
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    statement: Optional[cst.SimpleStatementLine] = field(default=None, repr=False)
    #: MAYBE when the call runs only under a condition the analysis cannot decide
    level: Tri = Tri.YES
    #: the target is the variable of a `parameters()` loop: the same code runs on weights and biases
    from_parameters: bool = False
    #: the target is a tensor created one-dimensional (`nn.Parameter(torch.zeros(d))`), not a layer's
    one_dim: bool = False
    #: the target is a unit-scale draw made a parameter (`nn.Parameter(torch.randn(a, b))`), not a layer's
    random: object = None

    def fill_value(self) -> object:
        """The constant the call fills its target with (0 for `zeros_`), or None if it draws or copies."""
        if not self.method:
            return initops.fill_value(self.function, list(self.args), self.kwargs)
        if self.function == "copy_" and self.args and isinstance(self.args[0], NewTensor):
            return self.args[0].constant
        return initops.method_fill_value(self.function, list(self.args))

    def uniform_bounds(self) -> tuple[object, object]:
        """(low, high) of a `uniform_` call, positional or by keyword (`a`/`from`, `b`/`to`)."""
        low = self.args[0] if self.args else self.kwargs.get("a", self.kwargs.get("from"))
        high = self.args[1] if len(self.args) > 1 else self.kwargs.get("b", self.kwargs.get("to"))
        return low, high

    @property
    def on_weight(self) -> bool:
        """The call writes exactly one layer's weight (or a dispatch variable's)."""
        return self.params == (WEIGHT,)

    @property
    def on_bias(self) -> bool:
        """The call writes exactly one layer's bias (or a dispatch variable's)."""
        return self.params == (BIAS,)


@dataclass
class FileFacts:
    """Everything the interpreter found in one file; the rules read this."""

    sites: list = field(default_factory=list)
    builds: list = field(default_factory=list)
    dispatches: list = field(default_factory=list)
    #: every init-like call, in the order the code runs them
    init_calls: list = field(default_factory=list)
    #: module classes of the file referenced as values (passed around), which unknown callables may build
    class_refs: set = field(default_factory=set)
    #: classes of other modules the file names (qualified as imported): unknown callables may build them too
    external_refs: set = field(default_factory=set)
    #: class of the file -> classes of other modules (qualified) it is handed with, or to, in one call
    #: (`build_model_with_cfg(ResNet, block=Bottle2neck)`): their builds through variables may build it
    class_handoffs: dict = field(default_factory=dict)
    #: class name -> forward data flow: attribute -> attributes whose output feeds it
    forward_feeds: dict = field(default_factory=dict)
    #: class name -> attrs value map at the end of __init__
    attrs: dict = field(default_factory=dict)
    #: class name -> analysis.scale.ClassScale: its parameters' uses in products and their rewrites (for
    #: the classes whose attributes after `__init__` hold a unit-scale parameter draw: `scale.draws_parameters`)
    scale: dict = field(default_factory=dict)
    #: entries where the work budget ran out: calls past it were not followed (their arguments escaped)
    over_budget: set = field(default_factory=set)
    #: the callables (qualified as imported; "?" when not known) that modules or layers were handed to:
    #: code out of sight that may initialize them (project mode asks whether it is the project's own)
    opaque_calls: set = field(default_factory=set)

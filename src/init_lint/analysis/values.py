"""The abstract values the interpreter computes for expressions, and the facts it records.

Plain Python values (int, float, str, bool, None, tuples of them) stand for themselves;
everything else the analysis tracks is one of the classes below.  `UNKNOWN` is any value the
analysis cannot follow, and every operation on it gives `UNKNOWN` again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Optional, Union

import libcst as cst

from init_lint.catalogue import LayerSpec


class Tri(IntEnum):
    """How sure the analysis is that something holds: it orders NO < MAYBE < YES."""

    NO = 0
    MAYBE = 1
    YES = 2

    @staticmethod
    def merge_branches(a: "Tri", b: "Tri") -> "Tri":
        """Two branches of which one runs: sure only where both agree."""
        return a if a == b else Tri.MAYBE


class _Unknown:
    _instance: Optional["_Unknown"] = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()

WEIGHT = "weight"
BIAS = "bias"
PARAMS = (WEIGHT, BIAS)


@dataclass(eq=False)
class Address:
    """How the fixer reaches a layer right after the statement that builds it."""

    expr: str
    #: the layers were built by a comprehension: `for <var> in <expr>:` reaches each
    loop: bool = False


@dataclass(eq=False)
class LayerSite:
    """One place where a torch layer is constructed, and what happens to its parameters."""

    spec: LayerSpec
    call: cst.Call = field(repr=False)
    #: constructor arguments by parameter name, as abstract values
    args: dict[str, object]
    #: whether the layer has a bias: YES, NO, or MAYBE when `bias=` is not a literal
    bias: Tri
    owner: Optional[str]
    entry: str
    seq: int
    #: the statement of the function body that builds it, where a fix is inserted
    statement: Optional[cst.SimpleStatementLine] = field(default=None, repr=False)
    address: Optional[Address] = None
    #: the statement also builds other things after the layer whose draws a fix must not reorder
    in_loop: bool = False
    cover: dict[str, Tri] = field(default_factory=lambda: {WEIGHT: Tri.NO, BIAS: Tri.NO})
    #: built with `torch.nn.utils.skip_init`: nothing is drawn, nothing relies on the default
    skip_init: bool = False
    #: MAYBE when built after a statement that may have returned
    reach: Tri = Tri.YES
    #: built by a comprehension: many layers from one constructor call
    in_comprehension: bool = False
    #: built by a method that a base class from another package may call, and then initialize
    from_external_hook: bool = False
    #: the layer's class is a parameter's default (`conv_layer=nn.Conv2d`): callers may pass another
    type_from_default: bool = False

    def needs(self, param: str) -> bool:
        return param == WEIGHT or self.bias != Tri.NO

    def literal_args(self) -> dict[str, object]:
        return {k: v for k, v in self.args.items() if isinstance(v, (int, tuple)) and not isinstance(v, bool)}


@dataclass(eq=False)
class LayerValue:
    """An expression that evaluates to one of these layers (a loop variable may stand for several)."""

    sites: tuple[LayerSite, ...]


@dataclass(eq=False)
class TensorValue:
    """`layer.weight` / `layer.bias` (or their `.data`)."""

    sites: tuple[LayerSite, ...]
    param: str


@dataclass(eq=False)
class OneDimTensor:
    """A tensor known to be one-dimensional (`nn.Parameter(torch.zeros(d))`)."""


@dataclass(eq=False)
class DispatchModule:
    """The variable of a `modules()` loop or an `apply` function, looked at as one layer type."""

    spec: Optional[LayerSpec]


@dataclass(eq=False)
class DispatchTensor:
    """`m.weight` of a DispatchModule, or `p` of a `parameters()` loop, for one layer type."""

    spec: LayerSpec
    param: str
    #: from a `parameters()` loop: the same code runs on every tensor, weight or bias
    from_parameters: bool = False


@dataclass(eq=False)
class TorchClass:
    """A class of torch.nn (a layer of the catalogue or one of their bases)."""

    name: str


@dataclass(eq=False)
class OtherClass:
    """A class that is not a torch layer: a module class of the file, or anything imported."""

    name: str


@dataclass(eq=False)
class ModuleInstance:
    """An instance of a module class of this file (or of an unknown callable that may build one)."""

    build: "BuildEvent"


@dataclass(eq=False)
class SelfValue:
    """`self` of the class being built."""


@dataclass(eq=False)
class SuperValue:
    """`super()`."""


@dataclass(eq=False)
class ContainerValue:
    """A list, Sequential, ModuleList, ModuleDict or OrderedDict of modules."""

    items: list
    keys: dict = field(default_factory=dict)
    #: items come from a comprehension or loop: indices are not known
    repeated: bool = False
    #: a ModuleDict / dict: items are reached by key subscripts
    dict_like: bool = False


@dataclass(eq=False)
class FunctionValue:
    """A function or method of this file, with what is already bound (self, partial arguments)."""

    node: Union[cst.FunctionDef, cst.Lambda] = field(repr=False)
    owner: Optional[str] = None
    bound_self: bool = False
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(eq=False)
class PartialValue:
    """`functools.partial(callee, *args, **kwargs)` of a callee that is not a function of the file."""

    callee: object
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(eq=False)
class ChoiceValue:
    """One of several values (a conditional expression)."""

    options: tuple


@dataclass(eq=False)
class Symbol:
    """A number the analysis knows the meaning of but not the value: `fc.out_features`."""

    kind: str
    sites: tuple = ()
    spec: Optional[LayerSpec] = None


@dataclass(eq=False)
class InvSqrt:
    """`1 / math.sqrt(n)` (and the spellings equal to it up to rounding)."""

    of: object


@dataclass(eq=False)
class Negated:
    of: object


# ---- events: what the interpreter records while it walks a class's code ----


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


@dataclass(eq=False)
class FillEvent:
    """A weight filled with one value (INI002 when non-zero, INI003 when zero)."""

    node: cst.CSTNode = field(repr=False)
    value: object = None
    sites: tuple = ()
    #: for fills inside a dispatch: the layer type, and the dispatch that applies it
    spec: Optional[LayerSpec] = None
    dispatch_id: Optional[int] = None
    statement: Optional[cst.SimpleStatementLine] = field(default=None, repr=False)
    #: MAYBE when the fill runs only under a condition the analysis cannot decide (`if name.startswith("head")`)
    level: Tri = Tri.YES


@dataclass(eq=False)
class BoundEvent:
    """`uniform_(bias, -b, b)` with `b = 1/sqrt(n)`: INI004 when n is provably not fan_in."""

    node: cst.CSTNode = field(repr=False)
    sites: tuple = ()
    n: object = None
    spec: Optional[LayerSpec] = None
    dispatch_id: Optional[int] = None
    statement: Optional[cst.SimpleStatementLine] = field(default=None, repr=False)


@dataclass(eq=False)
class FanInitEvent:
    """A fan-based init (kaiming_*, xavier_*) on a tensor that is one-dimensional (INI005)."""

    node: cst.CSTNode = field(repr=False)
    function: str = ""
    target: str = ""
    sites: tuple = ()
    spec: Optional[LayerSpec] = None
    dispatch_id: Optional[int] = None
    statement: Optional[cst.SimpleStatementLine] = field(default=None, repr=False)

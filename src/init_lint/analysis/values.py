"""The abstract values the interpreter computes for expressions, and the facts it records.

Plain Python values (int, float, str, bool, None, tuples of them) stand for themselves;
everything else the analysis tracks is one of the classes below.  `UNKNOWN` is any value the
analysis cannot follow, and every operation on it gives `UNKNOWN` again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from init_lint.catalogue import LAYERS, LayerSpec, cover_keys, key_exists, literal_arguments

if TYPE_CHECKING:
    from init_lint.analysis.facts import BuildEvent


class Tri(IntEnum):
    """How sure the analysis is that something holds: it orders NO < FORK < MAYBE < YES.

    FORK and MAYBE are both "not sure", for different reasons.  FORK: a condition the analysis
    cannot decide picks the way, and some way leaves it undone (`if init_type == 'explicit':
    init(...)`): a fork is reported.  MAYBE: code out of sight may do it (an unknown function
    receives the layer): reported only in strict mode, as unverified.
    """

    NO = 0
    FORK = 1
    MAYBE = 2
    YES = 3

    @staticmethod
    def merge_branches(a: "Tri", b: "Tri") -> "Tri":
        """Two branches of which one runs: sure only where both agree; where one leaves it undone
        (NO or FORK), some way does, whatever the other branch does."""
        if a == b:
            return a
        return Tri.FORK if min(a, b) <= Tri.FORK else Tri.MAYBE


class _Unknown:
    """The value of anything the analysis cannot follow (a singleton: compare with `is UNKNOWN`)."""

    _instance: Optional["_Unknown"] = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()

#: Any abstract value: a plain Python value (int, float, str, bool, None, tuples of them) that
#: stands for itself, UNKNOWN, or an instance of one of the classes of this module.
Value = object

WEIGHT = "weight"
BIAS = "bias"
PARAMS = (WEIGHT, BIAS)


@dataclass(frozen=True)
class Step:
    """One step of an address: the variable it starts from, then attributes, indices, keys.

    `kind` is one of `name` (a variable: `self`, `layers`), `attr` (`.fc`), `index` (`[0]`),
    `key` (`["a"]`) and `values` (`.values()`, to loop over a dict's modules).
    """

    kind: str
    value: object = None

    def render(self) -> str:
        """The step as Python code (a `name` step starts the expression)."""
        if self.kind == "name":
            return str(self.value)
        if self.kind == "attr":
            return f".{self.value}"
        if self.kind == "index":
            return f"[{self.value}]"
        if self.kind == "key":
            return f"[{self.value!r}]"
        return ".values()"


def name_step(name: str) -> Step:
    """The step an address starts from: a variable."""
    return Step("name", name)


def attr_step(name: str) -> Step:
    """`.name`"""
    return Step("attr", name)


def index_step(index: int) -> Step:
    """`[index]` of a list, Sequential or ModuleList."""
    return Step("index", index)


def key_step(key: str) -> Step:
    """`[key]` of a ModuleDict or dict."""
    return Step("key", key)


VALUES_STEP = Step("values")


def dotted_steps(dotted: str) -> tuple[Step, ...]:
    """`self.layers` as steps: the variable, then one attribute step per dot."""
    head, *attrs = dotted.split(".")
    return (name_step(head),) + tuple(attr_step(a) for a in attrs)


@dataclass(eq=False)
class Address:
    """How the fixer reaches a layer right after the statement that builds it, as a path of steps.

    Rules read the steps (is this the n-th layer of a container? an attribute of self?); the
    fixer renders them with `expr`.
    """

    steps: tuple[Step, ...]
    #: the layers were built by a comprehension: `for <var> in <expr>:` reaches each
    loop: bool = False

    @property
    def expr(self) -> str:
        """The address as Python code: `self.net[0]`, `self.heads['cls']`."""
        return "".join(step.render() for step in self.steps)

    @property
    def last_index(self) -> Optional[int]:
        """The index of the last step when it is a container index (`self.net[2]` gives 2)."""
        last = self.steps[-1] if self.steps else None
        return last.value if last is not None and last.kind == "index" else None


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
    #: parameter key (a `named_parameters()` name, see `catalogue.cover_keys`) -> how surely code writes it
    cover: dict[str, Tri] = field(default_factory=dict)
    #: param -> the way that leaves it at the default, where `cover` is FORK (`when init_type != 'explicit'`)
    fork_why: dict = field(default_factory=dict, repr=False)
    #: the call sites whose arguments decided conditions of its class's `__init__` (ways.py)
    ways_decided: tuple = field(default=(), repr=False)
    #: wrapped by `weight_norm` / `spectral_norm`: its weight is computed, an init must come before the wrap
    wrapped: bool = False
    #: the ways its class is built in the file (call sites, or "its default arguments"), for explain
    ways: tuple = field(default=(), repr=False)
    #: param -> [(the condition of a branch, the level on it)] where branches disagree, for explain
    branches: dict = field(default_factory=dict, repr=False)
    #: built with `torch.nn.utils.skip_init`: nothing is drawn, nothing relies on the default
    skip_init: bool = False
    #: built with `device="meta"`: no values until `to_empty`, which draws nothing either
    on_meta: bool = False
    #: MAYBE when built after a statement that may have returned
    reach: Tri = Tri.YES
    #: built by a comprehension: many layers from one constructor call
    in_comprehension: bool = False
    #: built by a method that a base class from another package may call, and then initialize
    from_external_hook: bool = False
    #: the layer's class is a parameter's default (`conv_layer=nn.Conv2d`): callers may pass another
    type_from_default: bool = False

    def __post_init__(self) -> None:
        if not self.cover:
            self.cover = {key: Tri.NO for key in cover_keys(self.spec, literal_arguments(self.spec, self.args))}

    @property
    def classic(self) -> bool:
        """A layer of `catalogue.LAYERS` (Linear, Conv, Bilinear): a weight and a bias, INI001's."""
        return self.spec.name in LAYERS

    def needs(self, param: str) -> bool:
        """Whether the layer has this parameter to initialize (a bias only when built with one)."""
        if self.classic:
            return param == WEIGHT or self.bias != Tri.NO
        return key_exists(self.spec, param, literal_arguments(self.spec, self.args)) is not False

    def literal_args(self) -> dict[str, object]:
        """The constructor arguments known as literal ints and tuples (for fan_in and shapes)."""
        return {k: v for k, v in self.args.items() if isinstance(v, (int, tuple)) and not isinstance(v, bool)}


@dataclass(eq=False)
class LayerValue:
    """An expression that evaluates to one of these layers (a loop variable may stand for several)."""

    sites: tuple[LayerSite, ...]


@dataclass(eq=False)
class ChildModule:
    """A module a torch module builds itself (`mha.out_proj`, `layer.self_attn`): its parameters are
    the parent's keys under `prefix` (`out_proj.weight`).  `sites` for built modules, `spec` for a
    dispatch variable's."""

    prefix: str
    sites: tuple = ()
    spec: Optional[LayerSpec] = None


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

    items: list[Value]
    keys: dict[str, Value] = field(default_factory=dict)
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

    options: tuple[Value, ...]


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
    """`-of` for a value the analysis keeps symbolic (`-1 / math.sqrt(n)`)."""

    of: object


@dataclass(eq=False)
class External:
    """Something imported from another module, by its qualified name (`torch.nn.functional.relu`)."""

    qualified: str


@dataclass(eq=False)
class Builtin:
    """A builtin function (`isinstance`, `len`, `super`)."""

    name: str


@dataclass(eq=False)
class SelfMember:
    """`self.name` where no method of the file defines `name`: nn.Module's, or a base class's."""

    name: str


@dataclass(eq=False)
class SuperMember:
    """`super().name`."""

    name: str


@dataclass(eq=False)
class Member:
    """`owner.name` for an attribute the analysis does not model: a method to call, or a number (`fc.in_features`)."""

    owner: object
    name: str


@dataclass(eq=False)
class Shape:
    """`tensor.shape` (or `tensor.size()`): indexing it gives a dimension Symbol."""

    tensor: object


@dataclass(eq=False)
class Sqrt:
    """`math.sqrt(of)`."""

    of: object


@dataclass(eq=False)
class Reciprocal:
    """`1 / of`."""

    of: object


@dataclass(eq=False)
class Product:
    """`a * b` of sizes (Symbols and literal ints): a fan_in spelled out (`in_channels * k * k`)."""

    factors: tuple


@dataclass(eq=False)
class Starred:
    """`*value` in a call, when the items of value are not known."""

    of: object


@dataclass(eq=False)
class NewTensor:
    """A tensor created by a factory (`torch.ones(...)`), with the constant it holds if any."""

    constant: object = None


@dataclass(eq=False)
class NonDrawing:
    """An instance of a torch module whose construction draws no random numbers (`nn.ReLU()`)."""


@dataclass(eq=False)
class DefaultClass:
    """A class that is a parameter's default value (`conv_layer=nn.Conv2d`): callers may pass another."""

    of: object


@dataclass(eq=False)
class Iteration:
    """`receiver.modules()` / `.parameters()` (and named / children variants): a loop over it is a dispatch."""

    receiver: object
    kind: str
    #: the module being built when the iteration was created (its layers so far are in scope)
    instance: object

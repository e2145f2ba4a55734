"""The vocabulary of the module catalogue: a module type, its parameters, children and construction steps.

`catalogue.py` is the public entry point; `catalogue_torch.py` describes torch's modules with these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

LINEAR = "linear"
BILINEAR = "bilinear"
CONV = "conv"
CONV_TRANSPOSE = "conv_transpose"
EMBEDDING = "embedding"
RECURRENT = "recurrent"
RECURRENT_CELL = "recurrent_cell"
ATTENTION = "attention"
TRANSFORMER = "transformer"
NORM = "norm"

WEIGHT = "weight"
BIAS = "bias"

# The default recipe of one parameter: which torch.nn.init call its constructor makes.
#: `kaiming_uniform_(w, a=math.sqrt(5))`: bound 1/sqrt(fan_in), computed the way only this call computes it
KAIMING_UNIFORM_SQRT5 = "kaiming_uniform_sqrt5"
#: `uniform_(p, -bound, bound)` with `bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0`
UNIFORM_FAN_IN = "uniform_fan_in"
#: `uniform_(p, -bound, bound)` with `bound = 1 / math.sqrt(fan_in)` (Bilinear: fan_in 0 is refused)
UNIFORM_FAN_IN_NONZERO = "uniform_fan_in_nonzero"
#: `normal_(p)`: N(0, 1)
NORMAL = "normal"
XAVIER_UNIFORM = "xavier_uniform"
XAVIER_NORMAL = "xavier_normal"
ZEROS = "zeros"
ONES = "ones"
#: recipes that consume random numbers
DRAWING_INITS = frozenset({KAIMING_UNIFORM_SQRT5, UNIFORM_FAN_IN, UNIFORM_FAN_IN_NONZERO, NORMAL, XAVIER_UNIFORM,
                           XAVIER_NORMAL})


class _Unknown:
    """An argument whose value the static analysis does not know."""

    def __repr__(self) -> str:
        return "UNKNOWN_ARG"


#: put this in an argument mapping for an argument the call gives but whose value is not known
UNKNOWN_ARG = _Unknown()

Args = Mapping[str, object]


def is_size(value: object) -> bool:
    """An int that is a size (`bool` is an `int` subclass but never a size)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class FanIn:
    """How fan_in is computed from the constructor arguments of the module that owns the parameter.

    `channels // groups * prod(kernel_size)`, where `groups` and the kernel count only when set: the
    product `init._calculate_fan_in_and_fan_out(weight)[0]` gives for Linear, Conv and ConvTranspose
    weights, and the plain argument that Bilinear (`in1_features`), recurrent modules (`hidden_size`)
    bound their draws with.  The attributes of a built module have the same names.
    """

    channels: str
    grouped: bool = False
    kernel: bool = False

    def value(self, args: Args, dims: int = 0) -> Optional[int]:
        """fan_in from literal arguments (absent = unknown, `groups` included), or None when one is not known."""
        channels = args.get(self.channels)
        if not is_size(channels):
            return None
        groups = args.get("groups") if self.grouped else 1
        if not is_size(groups) or groups <= 0:
            return None
        kernel = kernel_volume_of(dims, args.get("kernel_size")) if self.kernel else 1
        if kernel is None:
            return None
        return channels // groups * kernel

    def parts(self) -> tuple[str, ...]:
        return (self.channels,) + (("groups",) if self.grouped else ()) + (("kernel_size",) if self.kernel else ())


def kernel_volume_of(dims: int, kernel_size: object) -> Optional[int]:
    """prod(kernel_size), with an int expanded to every spatial dimension as PyTorch does."""
    if isinstance(kernel_size, list):
        kernel_size = tuple(kernel_size)
    if is_size(kernel_size):
        return kernel_size**dims
    if isinstance(kernel_size, tuple) and len(kernel_size) == dims and all(is_size(k) for k in kernel_size):
        volume = 1
        for k in kernel_size:
            volume *= k
        return volume
    return None


#: a shape function: (arguments with defaults, recurrent layer index) -> shape, or None when not known
ShapeFn = Callable[[Args, int], Optional[tuple]]
#: whether a parameter exists: True, False, or None when the arguments that decide it are not known
ExistsFn = Callable[[Args], Optional[bool]]


def always(args: Args) -> Optional[bool]:
    return True


@dataclass(frozen=True)
class ParamSpec:
    """One parameter a module registers itself (children's parameters belong to the child's spec)."""

    #: as `named_parameters()` spells it; recurrent stacks use `{layer}` and `{suffix}` ("", "_reverse")
    name: str
    #: None when it depends on the arguments (LayerNorm: len(normalized_shape)); the shape then says
    ndim: Optional[int]
    shape: ShapeFn = field(repr=False, compare=False)
    #: the constructor's recipe for it (the last write: MultiheadAttention's `out_proj.bias` is in its Step)
    init: str
    #: what bounds the recipe (None for recipes without a fan_in bound: normal, xavier, zeros, ones)
    fan_in: Optional[FanIn] = None
    exists: ExistsFn = field(default=always, repr=False, compare=False)
    #: registered once per layer and direction of a recurrent stack
    per_layer: bool = False


@dataclass(frozen=True)
class Child:
    """A module the constructor builds and registers under `attribute` (a dotted path below the module)."""

    attribute: str
    module: str
    #: the child's constructor arguments from the parent's (with defaults filled)
    args: Callable[[Args], Args] = field(repr=False, compare=False)
    #: the argument giving how many deep copies of one built child a ModuleList holds (Transformer)
    clones: Optional[str] = None


#: kinds of Step
PARAM = "param"
CHILD = "child"
EVERY_PARAMETER = "every_parameter"
EVERY_MATRIX = "every_matrix"
PADDING_ROW = "padding_row"


@dataclass(frozen=True)
class Step:
    """One thing the constructor does, in order.

    PARAM: the parameter `target` (own, or a child's `out_proj.bias`) gets `init` (the ParamSpec's when
    None); CHILD: the child at `target` is built (its own steps); EVERY_PARAMETER: `init` on every
    parameter in `parameters()` order (recurrent modules); EVERY_MATRIX: `init` on every parameter with
    more than one dimension (Transformer); PADDING_ROW: row `padding_idx` of `target` is zeroed when set.
    """

    kind: str
    target: str = ""
    init: Optional[str] = None
    fan_in: Optional[FanIn] = None
    exists: ExistsFn = field(default=always, repr=False, compare=False)


@dataclass(frozen=True)
class LayerSpec:
    """One torch module class and what its constructor does to its parameters."""

    name: str
    family: str
    #: spatial dimensions of a convolution; 0 otherwise
    dims: int
    #: the constructor's parameters in positional order (without `device`/`dtype`)
    signature: tuple[str, ...]
    #: the class and its torch bases, most derived first, as `isinstance` sees them
    mro: tuple[str, ...]
    lazy: bool = False
    #: the file of torch.nn.modules that defines it
    home: str = ""
    #: default values of the signature's optional parameters
    defaults: Mapping[str, object] = field(default_factory=dict, compare=False)
    params: tuple[ParamSpec, ...] = ()
    children: tuple[Child, ...] = ()
    draw_order: tuple[Step, ...] = ()
    #: why no exact recipe exists for these arguments (a sentence a rule can print), or None
    no_fix: Callable[[Args], Optional[str]] = field(default=lambda args: None, repr=False, compare=False)
    #: why `torch.nn.utils.skip_init` refuses the class, when it does (then build it on "meta" and `to_empty`)
    skip_init_refused: Optional[str] = None
    #: constructor arguments the module keeps as attributes of the same name
    stored: tuple[str, ...] = ()

    @property
    def has_kernel(self) -> bool:
        return self.family in (CONV, CONV_TRANSPOSE)

    def fan_in_parts(self) -> tuple[str, ...]:
        """The constructor arguments that the weight's fan_in is computed from."""
        weight = self.param(WEIGHT)
        return weight.fan_in.parts() if weight is not None and weight.fan_in is not None else ()

    def param(self, name: str) -> Optional[ParamSpec]:
        return next((p for p in self.params if p.name == name), None)

    def child(self, attribute: str) -> Optional[Child]:
        return next((c for c in self.children if c.attribute == attribute), None)

    def __reduce__(self):
        # pickled by name (findings cross process boundaries): the shape functions are lambdas
        return (_spec_named, (self.name,))

    def bind(self, written: Args) -> dict[str, object]:
        """The arguments a call gives (`written`: every argument the call writes, UNKNOWN_ARG where its
        value is not known), with the defaults of those it leaves out."""
        return {**{k: v for k, v in self.defaults.items() if k not in written}, **written}


def _spec_named(name: str) -> "LayerSpec":
    from init_lint.catalogue import MODULES

    return MODULES[name]

"""PyTorch's default initialization of a layer, written out as Python statements.

The fixer inserts these statements right after a layer's constructor so that the initial values no
longer come from code the reader cannot see.  They transcribe `reset_parameters` of torch 2.13
(`nn.Linear`, `nn.Bilinear`, `nn.modules.conv._ConvNd`) call for call, because only the same
calls on the same random stream give the same bits:

* Linear, Conv*d, ConvTranspose*d weight: `kaiming_uniform_(w, a=math.sqrt(5))`.  The textbook
  simplification `uniform_(w, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))` draws the same
  distribution but computes the bound differently, and in float64 the values differ.
* their bias: `bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0; uniform_(b, -bound, bound)`.
  `fan_in ** -0.5` and `math.sqrt(1 / fan_in)` round differently from `1 / math.sqrt(fan_in)`.
  With fan_in 0 the bias is still drawn (a zero-width uniform consumes random numbers too).
* Bilinear: `bound = 1 / math.sqrt(in1_features)` and `uniform_` on weight and bias.

fan_in is what `init._calculate_fan_in_and_fan_out(weight)[0]` returns: `in_features`,
`in_channels // groups * prod(kernel_size)` for a convolution and `out_channels // groups *
prod(kernel_size)` for a transposed one (its weight is `(in, out // groups, *kernel)`).

`tests/test_recipes_torch.py` executes every recipe against the installed torch, and
`init-lint verify --recipes` lets users do the same after upgrading PyTorch.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Mapping, Optional

from init_lint.catalogue import BILINEAR, CONV, CONV_TRANSPOSE, LINEAR, LayerSpec, fan_in


@dataclass(frozen=True)
class RecipeNames:
    """How the statements spell the things they use; the caller picks names free in the file."""

    #: how the file spells torch.nn.init: "nn.init", "T.nn.init", "init", "torch.nn.init"
    init: str
    #: the name `math` is bound to in the file
    math: str = "math"
    #: the temporary holding the uniform bound
    bound: str = "bound"
    #: the temporary holding fan_in when it is computed from the layer's attributes
    fan_in: str = "fan_in"


def default_recipe(
    spec: LayerSpec,
    layer: str,
    names: RecipeNames,
    *,
    weight: bool,
    bias: bool,
    literal_args: Optional[Mapping[str, object]] = None,
) -> list[str]:
    """Statements that draw `layer.weight` (if weight) then `layer.bias` (if bias) exactly as the
    layer's constructor would.

    `layer` is an expression for the layer (`self.fc`, `self.net[0]`, `m`).  `literal_args` maps
    constructor parameter names to the literal ints (or int tuples) they were given, e.g.
    `{"in_features": 3}`; when they determine fan_in, the bound is written with that literal
    (`bound = 1 / math.sqrt(3)`), otherwise fan_in is read from the layer's attributes.

    Raises ValueError for lazy layers (nothing is drawn until the first call, and fan_in is unknown
    until then) and for literal arguments the constructor itself rejects.
    """
    if spec.lazy:
        raise ValueError(f"{spec.name} draws its parameters at its first call: there is no constructor recipe")
    if not weight and not bias:
        return []
    target = _as_primary(layer)
    known = literal_fan_in(spec, literal_args or {})
    if known is not None and known < 0:
        raise ValueError(f"{spec.name} with fan_in {known}: the constructor cannot build it")
    if spec.family == BILINEAR:
        return bilinear_recipe(target, names, weight=weight, bias=bias, known_fan_in=known)
    statements = []
    if weight:
        statements.append(kaiming_weight_statement(target, names))
    if bias:
        statements += fan_in_bias_statements(spec, target, names, known_fan_in=known)
    return statements


def kaiming_weight_statement(layer: str, names: RecipeNames) -> str:
    """The weight draw of Linear, Conv*d and ConvTranspose*d.

    `a=sqrt(5)` makes the kaiming bound `1 / sqrt(fan_in)`; a zero-element weight is left as it
    is (with a warning), exactly as the constructor leaves it.
    """
    return f"{names.init}.kaiming_uniform_({layer}.weight, a={names.math}.sqrt(5))"


def fan_in_bias_statements(spec: LayerSpec, layer: str, names: RecipeNames, *, known_fan_in: Optional[int]) -> list[str]:
    """The bias draw of Linear, Conv*d and ConvTranspose*d: `uniform_(b, -bound, bound)`."""
    draw = f"{names.init}.uniform_({layer}.bias, -{names.bound}, {names.bound})"
    if known_fan_in is None:
        return [
            f"{names.fan_in} = {fan_in_expression(spec, layer, names)}",
            f"{names.bound} = 1 / {names.math}.sqrt({names.fan_in}) if {names.fan_in} > 0 else 0",
            draw,
        ]
    if known_fan_in == 0:
        # torch's `bound` is the int 0 here, and the zero-width draw still advances the generator
        return [f"{names.bound} = 0", draw]
    return [f"{names.bound} = 1 / {names.math}.sqrt({known_fan_in})", draw]


def bilinear_recipe(layer: str, names: RecipeNames, *, weight: bool, bias: bool, known_fan_in: Optional[int]) -> list[str]:
    """Bilinear's draws: both weight and bias uniform in `1 / sqrt(in1_features)`."""
    if known_fan_in == 0:
        raise ValueError("Bilinear with in1_features=0: the constructor raises ValueError")
    fan = str(known_fan_in) if known_fan_in is not None else f"{layer}.in1_features"
    statements = [f"{names.bound} = 1 / {names.math}.sqrt({fan})"]
    if weight:
        statements.append(f"{names.init}.uniform_({layer}.weight, -{names.bound}, {names.bound})")
    if bias:
        statements.append(f"{names.init}.uniform_({layer}.bias, -{names.bound}, {names.bound})")
    return statements


def fan_in_expression(spec: LayerSpec, layer: str, names: RecipeNames) -> str:
    """fan_in read from the attributes of a built layer (`layer` must be a primary expression)."""
    if spec.family in (LINEAR, BILINEAR):
        return f"{layer}.{spec.fan_in_parts()[0]}"
    if spec.family in (CONV, CONV_TRANSPOSE):
        channels = "in_channels" if spec.family == CONV else "out_channels"
        # a built conv stores kernel_size as a tuple even when an int was given
        return f"{layer}.{channels} // {layer}.groups * {names.math}.prod({layer}.kernel_size)"
    raise ValueError(f"no fan_in for layer family {spec.family!r}")


def literal_fan_in(spec: LayerSpec, literal_args: Mapping[str, object]) -> Optional[int]:
    """fan_in from the literal constructor arguments, or None when one of them is not known.

    Booleans are not sizes (`bool` is an `int` subclass) and a kernel written as a list means
    the same as a tuple.
    """
    sizes: dict[str, object] = {}
    for name, value in literal_args.items():
        if isinstance(value, list):
            value = tuple(value)
        if _is_size(value) or (isinstance(value, tuple) and all(_is_size(v) for v in value)):
            sizes[name] = value
    return fan_in(spec, sizes)


def recipe_free_names(statements: list[str]) -> frozenset[str]:
    """The names the statements read before binding them: what must exist where they are inserted."""
    bound: set[str] = set()
    free: set[str] = set()
    for statement in statements:
        tree = ast.parse(statement)
        loads = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        free |= loads - bound
        bound |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    return frozenset(free)


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _as_primary(layer: str) -> str:
    """`layer` ready to take `.weight`: parenthesized unless it already binds tighter than `.`."""
    try:
        expression = ast.parse(layer.strip(), mode="eval").body
    except SyntaxError as error:
        raise ValueError(f"not an expression: {layer!r}") from error
    if isinstance(expression, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
        return layer.strip()
    return f"({layer.strip()})"

"""PyTorch's default initialization of a module, written out as Python statements, from the catalogue's data.

The fixer inserts these statements right after a module's constructor so that the initial values no
longer come from code the reader cannot see.  They transcribe the constructors of torch 2.13 call for
call, because only the same calls on the same random stream give the same bits:

* Linear, Conv*d, ConvTranspose*d weight: `kaiming_uniform_(w, a=math.sqrt(5))`.  The textbook
  simplification `uniform_(w, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))` draws the same
  distribution but computes the bound differently, and in float64 the values differ.
* a bound `1 / math.sqrt(fan_in) if fan_in > 0 else 0`: `fan_in ** -0.5` and `math.sqrt(1 / fan_in)`
  round differently.  With fan_in 0 the draw still happens (a zero-width uniform consumes random
  numbers too).  Bilinear bounds by `in1_features`, recurrent modules by `hidden_size`.
* Embedding: `normal_(w)`, then the `padding_idx` row zeroed.  RNN/LSTM/GRU and cells: `uniform_` on
  every parameter in `parameters()` order.  MultiheadAttention: its `out_proj` Linear draws first,
  then `xavier_uniform_` on the input projections, zeros on the biases, `xavier_normal_` on
  `bias_k`/`bias_v`.  Transformer: its layers (one built, the others deep copies of it), then
  `xavier_uniform_` on every parameter with more than one dimension.

Two styles (`RecipeStyle`): `explicit` writes the final recipe of each named parameter (the constructor
still ran, so the values differ but the distribution is the same); `skip-init` replays the constructor's
whole sequence of writes on a module built with `torch.nn.utils.skip_init`, child draws included even
when a later step zeroes them, so under one seed every value is bitwise the default's.

`tests/test_recipes_torch.py` executes every recipe against the installed torch, and
`init-lint verify --recipes` lets users do the same after upgrading PyTorch.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from init_lint.catalogue import (
    BIAS, CHILD, EVERY_MATRIX, EVERY_PARAMETER, KAIMING_UNIFORM_SQRT5, MODULES, NORMAL, ONES, PADDING_ROW, PARAM,
    UNIFORM_FAN_IN, UNIFORM_FAN_IN_NONZERO, WEIGHT, XAVIER_NORMAL, XAVIER_UNIFORM, ZEROS, Args, FanIn, LayerSpec,
    ParamSpec, Step, is_size, no_fix_reason, parameters,
)

EXPLICIT = "explicit"
SKIP_INIT = "skip-init"


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
    #: the loop variable over a module's parameters (recurrent modules, Transformer)
    parameter: str = "p"
    #: the loop variable over the deep copies of a Transformer's first layer
    clone: str = "clone"


class NoRecipe(ValueError):
    """No exact recipe exists for this module and these arguments; the message says why."""


# ---------------------------------------------------------------- the two styles


def module_recipe(
    spec: LayerSpec,
    layer: str,
    names: RecipeNames,
    *,
    style: str,
    params: Optional[Iterable[str]] = None,
    literal_args: Optional[Args] = None,
    guard_unknown: bool = False,
) -> list[str]:
    """Lines of code (together one or more statements) that initialize the module `layer` as its
    constructor does.

    `style` SKIP_INIT: the constructor's whole sequence of writes, in order, for a module built with
    `skip_init` (`params` is ignored).  EXPLICIT: the final recipe of each parameter in `params`
    (`named_parameters()` names such as `weight`, `weight_hh_l1_reverse`, `out_proj.bias`,
    `encoder.layers.0.linear1.weight`), or of every parameter when `params` is None.

    `literal_args` maps constructor parameter names to what the call gives them: literal values, or
    `catalogue.UNKNOWN_ARG`; an absent name is unknown (use `spec.bind(...)` to fill the defaults of
    the arguments a call leaves out).  Unknown sizes are read from the module's attributes, unknown
    options become `if ... is not None:` guards.  Raises NoRecipe (a ValueError) with the reason
    when no exact recipe exists for these arguments.

    `guard_unknown` (EXPLICIT): a parameter the arguments do not say the module has (`bias=b`,
    `proj_size=p`) is written under a guard, and one they say it lacks is not written; without it the
    caller guarantees that every parameter in `params` exists (the Linear/Conv fixer guards the bias itself).
    """
    args = dict(literal_args or {})
    reason = no_fix_reason(spec, args)
    if reason is not None:
        raise NoRecipe(reason)
    writer = _Writer(names)
    target = _as_primary(layer)
    if style == SKIP_INIT or params is None:
        writer.replay(spec, target, args)
    elif style == EXPLICIT:
        for path in params:
            writer.final(spec, target, args, path, guard_unknown)
    else:
        raise ValueError(f"unknown recipe style {style!r}")
    return writer.lines


def skip_init_call(spec: LayerSpec, skip_init: str, cls: str, arguments: list[str],
                   device: Optional[str] = None) -> str:
    """The constructor call of the skip-init style: `skip_init(cls, *arguments)`, or, for the classes
    skip_init refuses (its check reads a `(*args, **kwargs)` signature), what skip_init itself does:
    build on the meta device and allocate uninitialized memory.  `device` is the expression the call
    gave as `device=` (removed from `arguments`), else the module lands on the CPU as with skip_init."""
    if spec.skip_init_refused is None:
        extra = [f"device={device}"] if device is not None else []
        return f"{skip_init}({', '.join([cls, *arguments, *extra])})"
    final = device if device is not None else '"cpu"'
    meta = 'device="meta"'
    return f"{cls}({', '.join([*arguments, meta])}).to_empty(device={final})"


class _Writer:
    """Accumulates lines; remembers which bound is in `names.bound` so that it is computed once."""

    def __init__(self, names: RecipeNames) -> None:
        self.names = names
        self.lines: list[str] = []
        self.indent = ""
        self._bound_key: Optional[tuple] = None

    def emit(self, line: str) -> None:
        self.lines.append(self.indent + line)

    def guarded(self, condition: Optional[str]):
        return _Guard(self, condition)

    # ------------------------------------------------------------ whole construction

    def replay(self, spec: LayerSpec, target: str, args: Args) -> None:
        for step in spec.draw_order:
            if step.kind == PARAM:
                self._param_step(spec, target, args, step)
            elif step.kind == CHILD:
                self._child_step(spec, target, args, step)
            elif step.kind == EVERY_PARAMETER:
                self._bound(step.fan_in, target, args, step.init, spec.dims)
                self.emit(f"for {self.names.parameter} in {target}.parameters():")
                self.emit(f"    {self._draw(step.init, self.names.parameter)}")
            elif step.kind == EVERY_MATRIX:
                self.emit(f"for {self.names.parameter} in {target}.parameters():")
                self.emit(f"    if {self.names.parameter}.dim() > 1:")
                self.emit(f"        {self._draw(step.init, self.names.parameter)}")
            elif step.kind == PADDING_ROW:
                self._padding_row(target, step.target, args)

    def _param_step(self, spec: LayerSpec, target: str, args: Args, step: Step) -> None:
        owner, owner_args, param, owner_expr = _locate(spec, target, args, step.target)
        exists = (step.exists if "." in step.target else param.exists)(args if "." in step.target else owner_args)
        if exists is False:
            return
        expression = _expression(target, step.target)
        with self.guarded(None if exists else _presence(param, owner_expr, expression)):
            self.write(step.init or param.init, expression, step.fan_in or param.fan_in, owner_expr, owner_args,
                       owner.dims)

    def _child_step(self, spec: LayerSpec, target: str, args: Args, step: Step) -> None:
        child = spec.child(step.target)
        child_spec, child_args = MODULES[child.module], _child_args(child, args)
        expression = _expression(target, child.attribute)
        if child.clones is None:
            self.replay(child_spec, expression, child_args)
            return
        first = f"{expression}[0]"
        self.replay(child_spec, first, child_args)
        self.emit(f"for {self.names.clone} in {expression}[1:]:")
        self.emit(f"    {self.names.clone}.load_state_dict({first}.state_dict())")

    def _padding_row(self, target: str, weight: str, args: Args) -> None:
        padding = args.get("padding_idx", _ABSENT)
        if padding is None:
            return
        row = padding if is_size(padding) else None
        if row is not None:
            self.emit(f"{self.names.init}.zeros_({target}.{weight}[{row}])")
            return
        self.emit(f"if {target}.padding_idx is not None:")
        self.emit(f"    {self.names.init}.zeros_({target}.{weight}[{target}.padding_idx])")

    # ------------------------------------------------------------ one parameter's final recipe

    def final(self, spec: LayerSpec, target: str, args: Args, path: str, guard_unknown: bool = False) -> None:
        """The last write to `path`; with `guard_unknown`, guarded where the arguments do not say whether the
        module has it (`bias=b`, `proj_size=p`), and nothing where they say it has not."""
        _, owner_args, param, owner_expr = _locate(spec, target, args, path)
        exists = _exists(param, owner_args) if guard_unknown else True
        if exists is False:
            return
        init, fan, owner_expr, owner_args, dims = _final_write(spec, target, args, path)
        expression = _expression(target, path)
        with self.guarded(None if exists else _presence(param, owner_expr, expression)):
            self.write(init, expression, fan, owner_expr, owner_args, dims)
            if spec.param(WEIGHT) is not None and path == WEIGHT and \
                    any(s.kind == PADDING_ROW for s in spec.draw_order):
                self._padding_row(target, WEIGHT, args)

    # ------------------------------------------------------------ one write

    def write(self, init: str, expression: str, fan: Optional[FanIn], owner_expr: str, owner_args: Args,
              dims: int) -> None:
        if init in (UNIFORM_FAN_IN, UNIFORM_FAN_IN_NONZERO):
            self._bound(fan, owner_expr, owner_args, init, dims)
        self.emit(self._draw(init, expression))

    def _draw(self, init: str, expression: str) -> str:
        n = self.names
        if init == KAIMING_UNIFORM_SQRT5:
            return f"{n.init}.kaiming_uniform_({expression}, a={n.math}.sqrt(5))"
        if init in (UNIFORM_FAN_IN, UNIFORM_FAN_IN_NONZERO):
            return f"{n.init}.uniform_({expression}, -{n.bound}, {n.bound})"
        function = {NORMAL: "normal_", XAVIER_UNIFORM: "xavier_uniform_", XAVIER_NORMAL: "xavier_normal_",
                    ZEROS: "zeros_", ONES: "ones_"}[init]
        return f"{n.init}.{function}({expression})"

    def _bound(self, fan: Optional[FanIn], owner_expr: str, owner_args: Args, init: str, dims: int) -> None:
        if fan is None:
            raise ValueError(f"the recipe {init} needs a fan_in")
        known = fan.value(owner_args, dims)
        key = (init, known if known is not None else fan_in_text(fan, owner_expr, self.names))
        if self._bound_key is not None and self._bound_key[0] == key and self.indent.startswith(self._bound_key[1]):
            return  # `names.bound` already holds it: assigned here or in a block that encloses this one
        n = self.names
        if known is not None and known < 0:
            raise NoRecipe(f"fan_in {known}: the constructor cannot build it")
        if init == UNIFORM_FAN_IN_NONZERO:
            if known == 0:
                raise NoRecipe(f"{fan.channels}=0: the constructor raises ValueError")
            fan_text = known if known is not None else fan_in_text(fan, owner_expr, n)
            self.emit(f"{n.bound} = 1 / {n.math}.sqrt({fan_text})")
        elif known == 0:
            # torch's `bound` is the int 0 here, and the zero-width draw still advances the generator
            self.emit(f"{n.bound} = 0")
        elif known is not None:
            self.emit(f"{n.bound} = 1 / {n.math}.sqrt({known})")
        else:
            self.emit(f"{n.fan_in} = {fan_in_text(fan, owner_expr, n)}")
            self.emit(f"{n.bound} = 1 / {n.math}.sqrt({n.fan_in}) if {n.fan_in} > 0 else 0")
        self._bound_key = (key, self.indent)


class _Guard:
    def __init__(self, writer: _Writer, condition: Optional[str]) -> None:
        self.writer, self.condition = writer, condition

    def __enter__(self) -> None:
        if self.condition is not None:
            self.writer.emit(f"if {self.condition}:")
            self.writer.indent += "    "

    def __exit__(self, *_) -> None:
        if self.condition is not None:
            self.writer.indent = self.writer.indent[:-4]
            saved = self.writer._bound_key
            if saved is not None and len(saved[1]) > len(self.writer.indent):
                self.writer._bound_key = None  # a bound computed under the guard may not exist after it


_ABSENT = object()


def _exists(param: ParamSpec, args: Args) -> Optional[bool]:
    try:
        return param.exists(args)
    except (KeyError, TypeError):
        return None


def _presence(param: ParamSpec, owner_expr: str, expression: str) -> str:
    """The condition under which the built module has the parameter: `m.bias is not None` for one
    registered as None when absent; a recurrent stack registers no attribute at all for a missing
    `bias_ih_l0` or `weight_hr_l0`, so those are read with `getattr`'s default."""
    if param.per_layer:
        return f'getattr({owner_expr}, "{expression.rsplit(".", 1)[1]}", None) is not None'
    return f"{expression} is not None"


def fan_in_text(fan: FanIn, layer: str, names: RecipeNames) -> str:
    """fan_in read from the attributes of a built module (`layer` must be a primary expression)."""
    if not fan.grouped and not fan.kernel:
        return f"{layer}.{fan.channels}"
    # a built conv stores kernel_size as a tuple even when an int was given
    return f"{layer}.{fan.channels} // {layer}.groups * {names.math}.prod({layer}.kernel_size)"


def _expression(target: str, path: str) -> str:
    """`layer.encoder.layers[0].linear1.weight` for the path `encoder.layers.0.linear1.weight`."""
    return target + "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in path.split("."))


def _child_args(child, args: Args) -> Args:
    try:
        return dict(child.args(args))
    except (KeyError, TypeError):
        return {}


def _locate(spec: LayerSpec, target: str, args: Args, path: str):
    """The module that owns parameter `path` (relative to `spec`): (spec, args, ParamSpec, expression)."""
    parts = path.split(".")
    own = spec.param(path) or _per_layer_param(spec, path)
    if own is not None:
        return spec, args, own, target
    for child in sorted(spec.children, key=lambda c: -len(c.attribute)):
        prefix = child.attribute + "."
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix):]
        expression = _expression(target, child.attribute)
        if child.clones is not None:
            index, _, rest = rest.partition(".")
            if not index.isdigit():
                break
            expression = f"{expression}[{index}]"
        return _locate(MODULES[child.module], expression, _child_args(child, args), rest)
    raise NoRecipe(f"{spec.name} has no parameter {'.'.join(parts)!r}")


def _per_layer_param(spec: LayerSpec, name: str) -> Optional[ParamSpec]:
    for param in spec.params:
        if param.per_layer:
            head = param.name.split("{", 1)[0]
            rest = name[len(head):] if name.startswith(head) else None
            if rest is not None and rest.removesuffix("_reverse").isdigit():
                return param
    return None


def _final_write(spec: LayerSpec, target: str, args: Args, path: str):
    """The last write the constructor makes to `path`: (init, fan_in, owner expression, owner args, dims).

    A module's own steps run after the children it builds, so an outer module's override (MultiheadAttention
    zeroing `out_proj.bias`, Transformer's xavier on every matrix) wins over the child's recipe."""
    owner, owner_args, param, owner_expr = _locate(spec, target, args, path)
    result = (param.init, param.fan_in, owner_expr, owner_args, owner.dims)
    ndim = param.ndim
    if ndim is None:
        # LayerNorm's len(normalized_shape); where Transformer builds one, normalized_shape is the int d_model
        shape = _safe_shape(param, owner_args)
        ndim = len(shape) if shape is not None else 1
    for prefix_spec, prefix_args, relative in _ancestors(spec, args, path):
        for step in prefix_spec.draw_order:
            if step.kind == PARAM and step.target == relative and step.init is not None:
                result = (step.init, step.fan_in, owner_expr, owner_args, owner.dims)
            elif step.kind == EVERY_MATRIX and ndim > 1:
                result = (step.init, None, owner_expr, owner_args, owner.dims)
    return result


def _safe_shape(param: ParamSpec, args: Args) -> Optional[tuple]:
    try:
        shape = param.shape(args, 0)
    except (KeyError, TypeError, ValueError):
        return None
    return shape if all(is_size(d) for d in shape) else None


def _ancestors(spec: LayerSpec, args: Args, path: str):
    """(module spec, args, path relative to it) for every module on the way to `path`, innermost first."""
    chain = [(spec, args, path)]
    current, current_args, rest = spec, args, path
    while True:
        child = next((c for c in current.children if rest.startswith(c.attribute + ".")), None)
        if child is None:
            break
        rest = rest[len(child.attribute) + 1:]
        if child.clones is not None:
            rest = rest.partition(".")[2]
        current, current_args = MODULES[child.module], _child_args(child, current_args)
        chain.append((current, current_args, rest))
    return list(reversed(chain))


# ---------------------------------------------------------------- the API of the Linear/Conv fixer


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
    layer's constructor would (Linear, Bilinear, Conv*d, ConvTranspose*d).

    `layer` is an expression for the layer (`self.fc`, `self.net[0]`, `m`).  `literal_args` maps
    constructor parameter names to the literal ints (or int tuples) they were given, e.g.
    `{"in_features": 3}` (a missing `groups` means 1; give `groups=UNKNOWN_ARG` for a `groups=g` whose
    value is not known, or the bound would use groups 1); when they determine fan_in, the bound is
    written with that literal (`bound = 1 / math.sqrt(3)`), otherwise fan_in is read from the layer's
    attributes.

    Raises ValueError for lazy layers (nothing is drawn until the first call, and fan_in is unknown
    until then) and for literal arguments the constructor itself rejects.
    """
    if spec.lazy:
        raise NoRecipe(f"{spec.name} draws its parameters at its first call: there is no constructor recipe")
    wanted = [p for p, asked in ((WEIGHT, weight), (BIAS, bias)) if asked]
    if not wanted:
        return []
    sizes = _sizes(literal_args or {})
    if spec.has_kernel and "groups" not in (literal_args or {}):
        sizes["groups"] = 1  # not written: the default (written but not literal, e.g. UNKNOWN_ARG: unknown)
    known = literal_fan_in(spec, sizes)
    if known is not None and known < 0:
        raise NoRecipe(f"{spec.name} with fan_in {known}: the constructor cannot build it")
    return module_recipe(spec, layer, names, style=EXPLICIT, params=wanted, literal_args=sizes)


def kaiming_weight_statement(layer: str, names: RecipeNames) -> str:
    """The weight draw of Linear, Conv*d and ConvTranspose*d."""
    return _Writer(names)._draw(KAIMING_UNIFORM_SQRT5, f"{layer}.weight")


def fan_in_bias_statements(spec: LayerSpec, layer: str, names: RecipeNames, *,
                           known_fan_in: Optional[int]) -> list[str]:
    """The bias draw of Linear, Conv*d and ConvTranspose*d: `uniform_(b, -bound, bound)`."""
    return _with_known_fan_in(spec, layer, names, known_fan_in, weight=False, bias=True)


def bilinear_recipe(layer: str, names: RecipeNames, *, weight: bool, bias: bool,
                    known_fan_in: Optional[int]) -> list[str]:
    """Bilinear's draws: both weight and bias uniform in `1 / sqrt(in1_features)`."""
    return _with_known_fan_in(MODULES["Bilinear"], layer, names, known_fan_in, weight=weight, bias=bias)


def _with_known_fan_in(spec, layer, names, known_fan_in, *, weight, bias) -> list[str]:
    fan = spec.param(WEIGHT).fan_in
    args = {} if known_fan_in is None else {fan.channels: known_fan_in, "groups": 1, "kernel_size": 1}
    if known_fan_in is not None and spec.has_kernel:
        args["kernel_size"] = (1,) * spec.dims
    return default_recipe(spec, layer, names, weight=weight, bias=bias, literal_args=args)


def fan_in_expression(spec: LayerSpec, layer: str, names: RecipeNames) -> str:
    """fan_in read from the attributes of a built layer (`layer` must be a primary expression)."""
    weight = spec.param(WEIGHT)
    if weight is None or weight.fan_in is None:
        raise ValueError(f"no fan_in for {spec.name}")
    return fan_in_text(weight.fan_in, layer, names)


def literal_fan_in(spec: LayerSpec, literal_args: Mapping[str, object]) -> Optional[int]:
    """fan_in from the literal constructor arguments, or None when one of them is not known.

    Booleans are not sizes (`bool` is an `int` subclass) and a kernel written as a list means
    the same as a tuple.  A missing `groups` means 1.
    """
    from init_lint.catalogue import fan_in

    return fan_in(spec, _sizes(literal_args))


def _sizes(literal_args: Mapping[str, object]) -> dict[str, object]:
    sizes: dict[str, object] = {}
    for name, value in literal_args.items():
        if isinstance(value, list):
            value = tuple(value)
        if is_size(value) or (isinstance(value, tuple) and all(is_size(v) for v in value)):
            sizes[name] = value
    return sizes


def recipe_free_names(statements: list[str]) -> frozenset[str]:
    """The names the statements read before binding them: what must exist where they are inserted."""
    tree = ast.parse("\n".join(statements))
    bound: set[str] = set()
    free: set[str] = set()
    for statement in tree.body:
        names = [node for node in ast.walk(statement) if isinstance(node, ast.Name)]
        stores = {node.id for node in names if isinstance(node.ctx, ast.Store)}
        loads = {node.id for node in names if isinstance(node.ctx, ast.Load)}
        free |= loads - bound - (stores if isinstance(statement, (ast.For, ast.If)) else set())
        bound |= stores
    return frozenset(free)


def parameter_names(spec: LayerSpec, literal_args: Args) -> Optional[list[str]]:
    """`named_parameters()` names of the module built with these arguments, or None when not known."""
    found = parameters(spec, literal_args)
    return None if found is None else [name for name, _, _ in found]


def _as_primary(layer: str) -> str:
    """`layer` ready to take `.weight`: parenthesized unless it already binds tighter than `.`."""
    try:
        expression = ast.parse(layer.strip(), mode="eval").body
    except SyntaxError as error:
        raise ValueError(f"not an expression: {layer!r}") from error
    if isinstance(expression, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
        return layer.strip()
    return f"({layer.strip()})"

"""What PyTorch does per module type, as data: signatures, class hierarchy, parameters, default recipes.

Each module type is a `LayerSpec`: its constructor's signature and defaults, its torch bases, its own
parameters (`ParamSpec`: name, shape from the constructor's arguments, number of dimensions, default
recipe, fan_in, whether it exists for given arguments), its child modules (`Child`) and the order in
which its constructor writes them (`Step`).  The recipe writer (`fixes/recipes.py`), rules, the fixer
and the verifier read this table instead of switching on a layer family.

`LAYERS` holds the layers init-lint's analysis has always modelled (Linear, Bilinear, Conv*d,
ConvTranspose*d, their lazy variants), `MODULES` every module type described here (also Embedding,
EmbeddingBag, RNN/LSTM/GRU and their cells, MultiheadAttention, Transformer*, LayerNorm).  The
other torch tables the analysis needs (containers, modules that draw nothing, sqrt functions,
pass-through calls, init functions) live at the end of this file.

Nothing here imports torch: `tests/test_catalogue.py` checks every entry against the installed torch,
so a release that changes a signature, a parameter or a default recipe fails there first.
"""

from __future__ import annotations

from typing import Mapping, Optional

from init_lint.catalogue_model import (  # noqa: F401  (re-exported: the catalogue's vocabulary)
    ATTENTION, BIAS, BILINEAR, CHILD, CONV, CONV_TRANSPOSE, DRAWING_INITS, EMBEDDING, EVERY_MATRIX, EVERY_PARAMETER,
    KAIMING_UNIFORM_SQRT5, LINEAR, NORM, NORMAL, ONES, PADDING_ROW, PARAM, RECURRENT, RECURRENT_CELL, TRANSFORMER,
    UNIFORM_FAN_IN, UNIFORM_FAN_IN_NONZERO, UNKNOWN_ARG, WEIGHT, XAVIER_NORMAL, XAVIER_UNIFORM, ZEROS, Args, Child,
    FanIn, LayerSpec, ParamSpec, Step, always, is_size, kernel_volume_of,
)
from init_lint.catalogue_torch import MODULE_SPECS


def _catalogue() -> dict[str, LayerSpec]:
    return {spec.name: spec for spec in MODULE_SPECS}


#: every module type init-lint describes, by class name
MODULES: dict[str, LayerSpec] = _catalogue()

_CLASSIC = (LINEAR, BILINEAR, CONV, CONV_TRANSPOSE)

#: the layers the analysis models (weight and bias, reported by INI001), by class name
LAYERS: dict[str, LayerSpec] = {name: spec for name, spec in MODULES.items() if spec.family in _CLASSIC}

#: where torch defines them: `torch.nn.modules.<module>.<Name>` is the same class as `torch.nn.<Name>`
TORCH_MODULES: dict[str, str] = {name: spec.home for name, spec in MODULES.items()}

#: torch base classes of LAYERS that `isinstance` dispatch may name, with where they live
TORCH_BASES = {
    "Module": "module",
    "_ConvNd": "conv",
    "_ConvTransposeNd": "conv",
    "_ConvTransposeMixin": "conv",
    "_LazyConvXdMixin": "conv",
    "LazyModuleMixin": "lazy",
}

#: torch base classes of the other MODULES
MODULE_BASES = {"RNNBase": "rnn", "RNNCellBase": "rnn"}

#: layer types whose dispatch reading is the same as another's unless a file names them
DISPATCH_ALIASES = {
    "LazyLinear": "Linear",
    "NonDynamicallyQuantizableLinear": "Linear",
    **{f"Lazy{kind}{d}d": f"{kind}{d}d" for kind in ("Conv", "ConvTranspose") for d in (1, 2, 3)},
}

_NOT_EXPORTED = ("NonDynamicallyQuantizableLinear", "LazyModuleMixin")

#: the names above that `torch.nn` and `torch.nn.modules` re-export; the others are reachable
#: only through the file that defines them (`torch.nn.modules.linear.NonDynamicallyQuantizableLinear`)
TORCH_NN_EXPORTS = frozenset(
    name for name in (*LAYERS, *TORCH_BASES) if not name.startswith("_") and name not in _NOT_EXPORTED
)
_ALL_EXPORTS = TORCH_NN_EXPORTS | frozenset(n for n in (*MODULES, *MODULE_BASES) if n not in _NOT_EXPORTED)


def lookup_torch_class(qualified_name: str) -> Optional[str]:
    """The class name if `qualified_name` names a torch.nn layer of LAYERS or one of its bases, else None.

    Accepts `torch.nn.Linear`, `torch.nn.modules.Linear`, `torch.nn.modules.linear.Linear`: the
    re-exports and the defining file, not incidental re-imports such as `torch.nn.modules.activation.Module`.
    """
    return _lookup(qualified_name, _LAYER_HOMES, TORCH_NN_EXPORTS)


def lookup_module(qualified_name: str) -> Optional[str]:
    """Like `lookup_torch_class`, over every module type of MODULES and their bases."""
    return _lookup(qualified_name, _MODULE_HOMES, _ALL_EXPORTS)


_LAYER_HOMES = {**{name: spec.home for name, spec in LAYERS.items()}, **TORCH_BASES}
_MODULE_HOMES = {**TORCH_MODULES, **TORCH_BASES, **MODULE_BASES}


def _lookup(qualified_name: str, homes: Mapping[str, str], exports: frozenset) -> Optional[str]:
    parts = qualified_name.split(".")
    if len(parts) < 3 or parts[0] != "torch" or parts[1] != "nn":
        return None
    name = parts[-1]
    if name not in homes:
        return None
    middle = parts[2:-1]
    if not middle:
        return name if name in exports else None
    if middle[0] != "modules":
        return None
    if len(middle) == 1:
        return name if name in exports else None
    return name if len(middle) == 2 and middle[1] == homes[name] else None


def isinstance_covers(spec: LayerSpec, class_name: str) -> bool:
    """Whether `isinstance(module, <torch class_name>)` is true for a module of `spec`."""
    return class_name in spec.mro


# ---------------------------------------------------------------- questions answered from the spec


def fan_in(spec: LayerSpec, args: Args) -> Optional[int]:
    """fan_in of the weight as PyTorch computes it, or None if an argument is unknown.

    `args` maps constructor parameter names to ints (or int tuples for `kernel_size`); missing
    `groups` means 1.  The weight of a convolution is `(out, in // g, *k)` and of a transposed one
    `(in, out // g, *k)`: PyTorch takes fan_in from dimension 1 in both.
    """
    if spec.lazy:
        return None
    weight = spec.param(WEIGHT)
    if weight is None or weight.fan_in is None:
        return None
    return weight.fan_in.value({"groups": 1, **args}, spec.dims)


def kernel_volume(spec: LayerSpec, kernel_size: object) -> Optional[int]:
    """prod(kernel_size), with an int expanded to every spatial dimension as PyTorch does."""
    if isinstance(kernel_size, list):
        return None
    return kernel_volume_of(spec.dims, kernel_size)


def param_ndim(spec: LayerSpec, name: str, args: Optional[Args] = None) -> Optional[int]:
    """How many dimensions a parameter of the module has (`bias` 1, a Conv2d weight 4), or None.

    Known without arguments except where it depends on them (LayerNorm's `normalized_shape`)."""
    for path, param, (_, owner_args, layer), _ in _walk_params(spec, "", args or {}):
        if _same_path(path, name) or (param.per_layer and _matches_template(param.name, path, name)):
            if param.ndim is not None:
                return param.ndim
            shape = _safe_shape(param, owner_args, layer)
            return None if shape is None else len(shape)
    return None


def param_shape(spec: LayerSpec, name: str, args: Args) -> Optional[tuple]:
    """The shape of parameter `name` (a `named_parameters()` name) when the arguments determine it."""
    for path, shape, _ in parameters(spec, args) or ():
        if path == name:
            return shape
    return None


def parameters(spec: LayerSpec, args: Args) -> Optional[list[tuple[str, Optional[tuple], ParamSpec]]]:
    """`named_parameters()` of a module built with `args` (defaults filled, absent = unknown), in order:
    (name, shape or None, spec), or None when the arguments that decide which parameters exist are
    not known.  Lazy modules have parameters only after their first call: None."""
    if spec.lazy:
        return None
    found: list = []
    for path, param, (owner, owner_args, layer), exact in _walk_params(spec, "", args):
        present = param.exists(owner_args)
        if present is None or not exact:
            return None
        if present:
            found.append((path, _safe_shape(param, owner_args, layer), param))
    return found


def _walk_params(spec: LayerSpec, prefix: str, args: Args, exact: bool = True):
    """Every (path, ParamSpec, (owner spec, owner args, layer index), exact) in `named_parameters()` order,
    existing or not.  A recurrent stack or a cloned child whose count is not known yields its parameters
    once, as a template (`weight_ih_l{layer}{suffix}`, `encoder.layers.0.`), with exact False."""
    per_layer = [p for p in spec.params if p.per_layer]
    for param in spec.params:
        if not param.per_layer:
            yield prefix + param.name, param, (spec, args, 0), exact
    if per_layer:
        layers, directions = args.get("num_layers"), args.get("bidirectional")
        if not is_size(layers) or not isinstance(directions, bool):
            for param in per_layer:
                yield prefix + param.name, param, (spec, args, 0), False
        else:
            for layer in range(layers):
                for suffix in ("", "_reverse")[: 2 if directions else 1]:
                    for param in per_layer:
                        yield prefix + param.name.format(layer=layer, suffix=suffix), param, (spec, args, layer), exact
    for child in spec.children:
        child_args = _child_args(child, args)
        child_spec = MODULES[child.module]
        if child.clones is None:
            yield from _walk_params(child_spec, f"{prefix}{child.attribute}.", child_args, exact)
            continue
        count = args.get(child.clones)
        for index in range(count if is_size(count) else 1):
            yield from _walk_params(child_spec, f"{prefix}{child.attribute}.{index}.", child_args,
                                    exact and is_size(count))


def _child_args(child: Child, args: Args) -> Args:
    try:
        return child.args(args)
    except (KeyError, TypeError):
        return {}


def _safe_shape(param: ParamSpec, args: Args, layer: int) -> Optional[tuple]:
    try:
        shape = param.shape(args, layer)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if shape is None or not all(is_size(d) for d in shape):
        return None
    return shape


def _same_path(path: str, name: str) -> bool:
    """Equal, up to the index of a clone (`encoder.layers.3.`), which is the same parameter spec."""
    ours, theirs = path.split("."), name.split(".")
    return len(ours) == len(theirs) and all(a == b or (a.isdigit() and b.isdigit()) for a, b in zip(ours, theirs))


def _matches_template(template: str, path: str, name: str) -> bool:
    """`weight_hh_l1_reverse` is an instance of `weight_hh_l{layer}{suffix}` (at `path`, its template)."""
    head = template.split("{", 1)[0]
    prefix = path[: len(path) - len(template)]
    rest = name[len(prefix) + len(head):] if name.startswith(prefix + head) else None
    return rest is not None and rest.removesuffix("_reverse").isdigit()


def literal_arguments(spec: LayerSpec, written: Args) -> dict[str, object]:
    """The arguments a call writes (`written`, by parameter name, as the analysis evaluated them) with
    every value that is not a literal replaced by UNKNOWN_ARG, and the defaults of the others filled:
    what the questions above and the recipes take."""
    return spec.bind({name: value if _is_literal(value) else UNKNOWN_ARG for name, value in written.items()})


def _is_literal(value: object) -> bool:
    if isinstance(value, (tuple, list)):
        return all(_is_literal(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def has_attribute(spec: LayerSpec, name: str) -> bool:
    """Whether every torch module of this type has the attribute (`hasattr(m, "init_weights")` is False).

    Methods and state of every nn.Module, the module's own parameters (registered, possibly as None),
    its children and the constructor arguments it keeps; an attribute torch adds later (`weight_v`
    after weight_norm) is not counted."""
    if name in MODULE_METHODS or name in spec.stored:
        return True
    if name == "reset_parameters":
        return spec.family not in (ATTENTION, TRANSFORMER)  # theirs is `_reset_parameters`
    return any(p.name == name for p in spec.params if not p.per_layer) or any(
        c.attribute.split(".")[0] == name for c in spec.children)


def no_fix_reason(spec: LayerSpec, args: Args) -> Optional[str]:
    """Why no exact recipe exists for a module built with `args`, or None when one does."""
    if spec.lazy:
        return f"{spec.name} draws its parameters at its first call: there is no constructor recipe"
    return spec.no_fix(args)


# ---------------------------------------------------------------- other torch tables of the analysis

#: the names of LAYERS in catalogue order: what project mode exports coverage for, per layer type
LAYER_NAMES: tuple = tuple(LAYERS)

#: torch.nn containers: their constructor registers the modules it is given and draws nothing
CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"})

#: the qualified names of torch.nn.Module a class may name as its base: torch.nn's re-export and the defining file
TORCH_MODULE_BASES = tuple(f"torch.nn.{where}Module" for where in ("", "modules.", "modules.module."))

#: the containers a model may subclass: its `super().__init__(*layers)` makes the layers its children
CONTAINER_BASES = ("Sequential", "ModuleList", "ModuleDict")
TORCH_CONTAINER_BASES = tuple(
    f"torch.nn.{where}{name}" for name in CONTAINER_BASES for where in ("", "modules.", "modules.container.")
)

#: torch.nn modules whose construction draws no random numbers (a fix may move draws across them)
NON_DRAWING_MODULES = frozenset(
    {"ReLU", "ReLU6", "GELU", "SiLU", "Tanh", "Sigmoid", "LeakyReLU", "ELU", "SELU", "Softmax", "LogSoftmax",
     "Softplus", "Mish", "Hardswish", "Hardsigmoid", "PReLU", "Identity", "Flatten", "Unflatten", "Dropout",
     "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm",
     "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "RMSNorm", "MaxPool1d", "MaxPool2d",
     "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
     "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Upsample", "PixelShuffle", "ZeroPad2d", "ConstantPad2d",
     "Sequential", "ModuleList", "ModuleDict"}
)

#: functions whose result is the square root of their argument (for `1 / sqrt(n)` bounds)
SQRT_FUNCTIONS = frozenset({"math.sqrt", "numpy.sqrt", "torch.sqrt", "np.sqrt"})

#: torch.nn.functional functions and tensor methods that keep a layer's output as it is, up to an
#: elementwise or shape change
PASS_THROUGH_CALLS = frozenset(
    {"relu", "relu_", "gelu", "silu", "tanh", "sigmoid", "softmax", "log_softmax", "dropout", "flatten", "view",
     "reshape", "permute", "transpose", "contiguous", "squeeze", "unsqueeze", "leaky_relu", "elu", "selu", "mish",
     "hardswish", "hardsigmoid", "softplus", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
     "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate", "mean",
     "clone", "float", "to", "relu6", "glu"}
)

#: attributes every torch layer of LAYERS has besides its constructor's arguments
MODULE_ATTRIBUTES = frozenset(
    {"weight", "bias", "reset_parameters", "training", "apply", "modules", "named_modules", "children",
     "named_children", "parameters", "named_parameters", "buffers", "named_buffers", "forward", "extra_repr",
     "state_dict", "load_state_dict", "to", "cuda", "cpu", "train", "eval", "zero_grad", "register_buffer",
     "register_parameter", "add_module", "padding", "stride", "dilation", "padding_mode", "output_padding",
     "transposed", "kernel_size", "groups", "in_channels", "out_channels", "in_features", "out_features",
     "in1_features", "in2_features", "weight_v", "weight_g", "_parameters", "_modules", "__class__"}
)

#: attributes of every nn.Module
MODULE_METHODS = frozenset(
    {"training", "apply", "modules", "named_modules", "children", "named_children", "parameters",
     "named_parameters", "buffers", "named_buffers", "forward", "extra_repr", "state_dict", "load_state_dict", "to",
     "cuda", "cpu", "train", "eval", "zero_grad", "register_buffer", "register_parameter", "add_module",
     "_parameters", "_modules", "__class__"}
)

#: fan-based torch.nn.init functions: they need a tensor with at least two dimensions
FAN_BASED_INITS = frozenset(
    {"kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "xavier_normal_",
     "kaiming_uniform", "kaiming_normal", "xavier_uniform", "xavier_normal"}
)

#: torch.nn.init functions (with the deprecated spellings without the trailing underscore)
TORCH_INIT_FUNCTIONS = frozenset(
    {"uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
     "orthogonal_", "sparse_", "uniform", "normal", "constant", "eye", "dirac", "orthogonal", "sparse"}
) | FAN_BASED_INITS

#: tensor methods that overwrite every element
OVERWRITING_METHODS = frozenset(
    {"normal_", "uniform_", "zero_", "fill_", "copy_", "random_", "exponential_", "bernoulli_", "cauchy_",
     "log_normal_", "geometric_", "set_"}
)


# ---------------------------------------------------------------- parameters as keys of coverage

#: the default recipes that are a constructor's arbitrary choice, not a decision a paper prescribes:
#: a parameter left with one of these "keeps the default" (xavier on an attention's input projection,
#: zeros on its biases and ones on a LayerNorm are deliberate and not reported)
IMPLICIT_INITS = frozenset({KAIMING_UNIFORM_SQRT5, UNIFORM_FAN_IN, UNIFORM_FAN_IN_NONZERO, NORMAL})

#: the module families of INI006 (embedding), INI007 (recurrent) and INI008 (attention)
MODULE_RULE_FAMILIES = {EMBEDDING: "INI006", RECURRENT: "INI007", RECURRENT_CELL: "INI007", ATTENTION: "INI008",
                        TRANSFORMER: "INI008"}

#: the modules besides LAYERS whose construction the analysis follows (the families of INI006-INI008)
RULE_MODULES: dict[str, LayerSpec] = {name: spec for name, spec in MODULES.items()
                                      if spec.family in MODULE_RULE_FAMILIES}

#: every module type the analysis builds sites for, children before the modules that hold them
SITE_MODULES: dict[str, LayerSpec] = {**LAYERS, **RULE_MODULES}

#: a clone index in a coverage key: every deep copy of a Transformer's layer is one key
CLONE = "*"


def cover_keys(spec: LayerSpec, args: Optional[Args] = None) -> tuple[str, ...]:
    """The keys of a module's coverage: its `named_parameters()` names, children's included (`out_proj.weight`).

    A recurrent stack whose `num_layers` and `bidirectional` are literal gives its real names
    (`weight_ih_l1_reverse`); otherwise each per-layer parameter once, as its template
    (`weight_ih_l{layer}{suffix}`).  Clones of a Transformer's layer are one key (`encoder.layers.*.`).
    Lazy and classic layers give `weight` and `bias` whatever their arguments.
    """
    return tuple(_keys(spec, "", args or {}))


def _keys(spec: LayerSpec, prefix: str, args: Args):
    per_layer = [p for p in spec.params if p.per_layer]
    for param in spec.params:
        if not param.per_layer:
            yield prefix + param.name
    if per_layer:
        layers, directions = args.get("num_layers"), args.get("bidirectional")
        if is_size(layers) and isinstance(directions, bool) and layers <= 64:
            for layer in range(layers):
                for suffix in ("", "_reverse")[: 2 if directions else 1]:
                    for param in per_layer:
                        yield prefix + param.name.format(layer=layer, suffix=suffix)
        else:
            for param in per_layer:
                yield prefix + param.name
    for child in spec.children:
        middle = f"{child.attribute}.{CLONE}." if child.clones else f"{child.attribute}."
        yield from _keys(MODULES[child.module], prefix + middle, {})


def key_template(spec: LayerSpec, key: str) -> str:
    """The spec-level key of a site's key: `weight_ih_l1_reverse` -> `weight_ih_l{layer}{suffix}`."""
    for param in spec.params:
        if param.per_layer and _matches_template(param.name, param.name, key):
            return param.name
    return key


def key_owner(spec: LayerSpec, key: str) -> Optional[tuple[LayerSpec, str, tuple]]:
    """(the module that owns the parameter, its own name there, the child attributes on the way), or None."""
    parts = key.split(".")
    path: list = []
    current = spec
    while len(parts) > 1:
        child = current.child(parts[0]) or (current.child(f"{parts[0]}.{parts[1]}") if len(parts) > 2 else None)
        if child is None:
            return None
        used = child.attribute.count(".") + 1
        parts = parts[used:]
        if child.clones:
            parts = parts[1:]
        path.append(child)
        current = MODULES[child.module]
    name = key_template(current, parts[0]) if parts else ""
    return (current, name, tuple(path)) if current.param(name) is not None else None


def key_exists(spec: LayerSpec, key: str, args: Args) -> Optional[bool]:
    """Whether a module built with `args` has the parameter `key` (None when the arguments do not say)."""
    owner = key_owner(spec, key)
    if owner is None:
        return None
    leaf, name, path = owner
    owner_args = dict(args)
    for child in path:
        owner_args = MODULES[child.module].bind({k: v for k, v in _child_args(child, owner_args).items()
                                                 if v is not UNKNOWN_ARG})
    try:
        return leaf.param(name).exists(owner_args)
    except (KeyError, TypeError):
        return None


def key_ndim(spec: LayerSpec, key: str) -> Optional[int]:
    """How many dimensions the parameter `key` has (None where it depends on the arguments)."""
    owner = key_owner(spec, key)
    return None if owner is None else owner[0].param(owner[1]).ndim


def defaulted_keys(spec: LayerSpec) -> frozenset:
    """The spec-level keys whose final write in the constructor is an implicit default (IMPLICIT_INITS).

    Later steps override earlier ones: MultiheadAttention zeroes its `out_proj.bias`, a Transformer
    applies `xavier_uniform_` to every parameter with more than one dimension.
    """
    final: dict[str, str] = {}
    _final_inits(spec, "", final)
    return frozenset(key for key, init in final.items() if init in IMPLICIT_INITS)


def _final_inits(spec: LayerSpec, prefix: str, final: dict) -> None:
    own = {p.name: p for p in spec.params}
    for step in spec.draw_order:
        if step.kind == CHILD:
            child = spec.child(step.target)
            middle = f"{child.attribute}.{CLONE}." if child.clones else f"{child.attribute}."
            _final_inits(MODULES[child.module], prefix + middle, final)
        elif step.kind == PARAM:
            param = own.get(step.target)
            init = step.init or (param.init if param is not None else None)
            if init is not None:
                final[prefix + step.target] = init
        elif step.kind == EVERY_PARAMETER:
            for param in spec.params:
                final[prefix + param.name] = step.init
        elif step.kind == EVERY_MATRIX:
            for key in list(final):
                if key.startswith(prefix) and (key_ndim(spec, key[len(prefix):]) or 0) > 1:
                    final[key] = step.init

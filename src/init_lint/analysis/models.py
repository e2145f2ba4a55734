"""Models of external code: what calls to torch, the standard library and builtins do, as data.

Part of the `Interpreter` (see interpreter.py).  `EXTERNAL_MODELS` registers a model per
qualified name (or per family: a prefix and the last names it covers), like pytype's overlays;
each model is a method of `ExternalModels` that takes the callee's last name, the call's
abstract arguments, node and frame, and returns the call's abstract value.  Calls no
model claims fall to the generic rules at the end of `_call_external`: `named_apply`, init
functions, torch modules that draw nothing, and classes of other modules (builds that project
mode follows).  Builtins are registered the same way, by name, in `BUILTIN_MODELS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from init_lint.analysis import initops
from init_lint.analysis.frame import Frame
from init_lint.analysis.frameworks import is_init_function_module, is_named_apply
from init_lint.analysis.operations import (
    choice, dim_symbol, element_of, fan_symbol, is_number, isinstance_of, layer_has_attribute, pairs_to_mapping,
)
from init_lint.analysis.scale import RandomTensor, as_parameter, random_factory
from init_lint.catalogue import CONTAINERS, NON_DRAWING_MODULES, SQRT_FUNCTIONS
from init_lint.analysis.values import (
    BIAS, UNKNOWN, WEIGHT, ChoiceValue, ContainerValue, DispatchModule, DispatchTensor, FunctionValue, InvSqrt, Iteration,
    LayerValue, NewTensor, NonDrawing, OneDimTensor, PartialValue, Reciprocal, SelfValue, Sqrt, Starred,
    SuperValue, TensorValue, TorchClass, Tri,
)

#: builtins that compute a value and call nothing of the file (the fixer may move draws across them)
BUILTIN_PURE = frozenset({"int", "float", "len", "max", "min", "abs", "round", "sum", "tuple", "list", "range", "bool", "str"})
#: builtin names the analysis reads as builtins (the rest are unknown values)
BUILTIN_NAMES = frozenset(
    {"isinstance", "type", "len", "hasattr", "getattr", "super", "range", "zip", "enumerate", "int", "float", "max",
     "min", "abs", "round", "sum", "tuple", "list", "reversed", "sorted", "bool", "str", "dict", "iter", "next",
     "print", "setattr", "callable", "any", "all", "issubclass"}
)
#: torch tensor factories: a 1-element shape makes a one-dimensional tensor
TENSOR_FACTORIES = frozenset({"zeros", "ones", "randn", "rand", "empty", "full"})
#: methods that give the modules or parameters under a module: a loop over them is a dispatch
#: torch functions that wrap a layer's weight in a parametrization and return the layer: they draw
#: nothing and initialize nothing (the weight keeps its values, split as magnitude and direction)
WRAPPING_FUNCTIONS = frozenset(
    f"torch.nn.utils.{where}{name}" for where in ("", "parametrizations.", "weight_norm.", "spectral_norm.")
    for name in ("weight_norm", "spectral_norm")
)
#: and the functions that undo them: the weight is computed back from the parametrization, not drawn
UNWRAPPING_FUNCTIONS = frozenset(
    f"torch.nn.utils.{where}{name}" for where in ("", "weight_norm.", "spectral_norm.")
    for name in ("remove_weight_norm", "remove_spectral_norm")
) | {"torch.nn.utils.parametrize.remove_parametrizations"}
ITERATION_METHODS = ("modules", "named_modules", "children", "named_children", "parameters", "named_parameters")


@dataclass(frozen=True)
class Model:
    """Which external callables one model covers: exact qualified names, or a prefix and last names."""

    #: the method of ExternalModels that computes the call's value
    handler: str
    names: frozenset = frozenset()
    prefix: Optional[str] = None
    tails: frozenset = frozenset()
    #: the model applies only to calls with positional arguments (others are not modelled)
    needs_args: bool = True

    def covers(self, qualified: str, tail: str) -> bool:
        """Whether this model is the one for a call to `qualified` (whose last name is `tail`)."""
        if qualified in self.names:
            return True
        return self.prefix is not None and qualified.startswith(self.prefix) and tail in self.tails


EXTERNAL_MODELS: tuple[Model, ...] = (
    Model("_model_partial", names=frozenset({"functools.partial"})),
    Model("_model_sqrt", names=frozenset(SQRT_FUNCTIONS)),
    Model("_model_fan_in_and_fan_out", prefix="torch.nn.init.", tails=frozenset({"_calculate_fan_in_and_fan_out"})),
    Model("_model_correct_fan", prefix="torch.nn.init.", tails=frozenset({"_calculate_correct_fan"})),
    # (mmengine's containers are torch's with an `init_cfg`, None by default: they hold, they do not initialize)
    Model("_model_container", prefix="torch.nn.", tails=frozenset(CONTAINERS), needs_args=False,
          names=frozenset(f"mmengine.model.{name}" for name in ("Sequential", "ModuleList", "ModuleDict"))),
    Model("_model_ordered_dict", names=frozenset({"collections.OrderedDict", "typing.OrderedDict"}), needs_args=False),
    Model("_model_parameter", names=frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter"})),
    Model("_model_tensor_factory", prefix="torch.", tails=TENSOR_FACTORIES),
    Model("_model_skip_init", names=frozenset({"torch.nn.utils.skip_init"})),
    Model("_model_reparametrize", names=frozenset(WRAPPING_FUNCTIONS)),
    Model("_model_same_module", names=frozenset({"torch.compile"}) | UNWRAPPING_FUNCTIONS),
    Model("_model_copy", names=frozenset({"copy.deepcopy", "copy.copy"})),
)


def find_model(qualified: str, tail: str, has_args: bool) -> Optional[Model]:
    """The model of a call to `qualified`, or None when no model claims it."""
    for model in EXTERNAL_MODELS:
        if model.covers(qualified, tail) and (has_args or not model.needs_args):
            return model
    return None


class ExternalModels:
    """Calls to code outside the file; needs the interpreter's `_call`, `_apply`, `_init_call`, `_escape`, `_build`."""

    def _call_external(self, qualified: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """A call to `qualified`: its registered model, else the generic rules for imported callables."""
        tail = qualified.rsplit(".", 1)[-1]
        model = find_model(qualified, tail, bool(args))
        if model is not None:
            return getattr(self, model.handler)(tail, args, kwargs, node, frame)
        if is_named_apply(qualified, qualified):
            fn = args[0] if args else kwargs.get("fn")
            module = args[1] if len(args) > 1 else kwargs.get("module")
            if fn is not None and module is not None:
                self._apply(module, fn, node, frame, named=True)
                return None
        if tail == "__init__" and args and isinstance(args[0], SelfValue) and frame.instance.owner is not None:
            return self._base_init_by_name(args[1:], kwargs, node, frame)
        function = initops.init_function_name(qualified, None)
        if function is None and is_init_function_module(qualified):
            function = tail
        if function is not None and (args or kwargs.get("tensor") is not None or kwargs.get("module") is not None):
            return self._init_call(function, args, kwargs, node, frame)
        if qualified.startswith("torch.nn.") and tail in NON_DRAWING_MODULES:
            return NonDrawing()
        is_class = tail[:1].isupper() and not qualified.startswith(("torch.", "typing.", "collections.", "argparse."))
        # Modules built through variables handed to another file's class (`ESPnetSpeakerModel(encoder=encoder)`)
        # become its children, as when the class is held in a variable: project mode judges that class's code.
        self._escape(args, kwargs, frame, variable_builds_are_children=is_class)
        if is_class:
            # A class from another module (`Mlp(...)` from `.layers`): in project mode, the model that
            # builds it passes its init on to it.
            return self._build(None, node, frame, external=qualified)
        return UNKNOWN

    def _base_init_by_name(self, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> None:
        """`AbsModel.__init__(self, ...)` with a class of another file: a base constructor run on the
        module being built, spelled by name (to skip a parent's `__init__`).  As `super().__init__()`,
        it can touch only the layers built before it (a doubt on those); the module itself is not
        handed to code out of sight, so importers are not made to "maybe initialize" every class they
        import.  Other values handed to it still escape."""
        owner = frame.instance.owner
        if self.classes.has_external_bases(owner) and frame.instance.sites:
            self._dispatch_all(SelfValue(), frame, Tri.MAYBE, node)
        self._escape(args, kwargs, frame)
        return None

    def _model_partial(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`functools.partial(f, *args, **kwargs)`: a function of the file with arguments bound."""
        target, rest = args[0], args[1:]
        if isinstance(target, FunctionValue):
            return FunctionValue(target.node, target.owner, target.bound_self, tuple(target.args) + tuple(rest),
                                 {**target.kwargs, **kwargs})
        return PartialValue(target, tuple(rest), kwargs)

    def _model_sqrt(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`math.sqrt(n)`, and `math.sqrt(1 / n)` which is `1 / sqrt(n)`."""
        inner = args[0]
        return InvSqrt(inner.of) if isinstance(inner, Reciprocal) else Sqrt(inner)

    def _model_fan_in_and_fan_out(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`init._calculate_fan_in_and_fan_out(w)`: (fan_in, fan_out) of the weight, as Symbols."""
        return (fan_symbol(args[0], "fan_in"), fan_symbol(args[0], "fan_out"))

    def _model_correct_fan(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`init._calculate_correct_fan(w, mode)`: fan_in or fan_out of the weight, as a Symbol."""
        mode = args[1] if len(args) > 1 else kwargs.get("mode", "fan_in")
        return fan_symbol(args[0], mode) if mode in ("fan_in", "fan_out") else UNKNOWN

    def _model_container(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`nn.Sequential(...)`, `nn.ModuleList([...])`, `nn.ModuleDict({...})`: the modules they hold."""
        items = list(args)
        container = ContainerValue([])
        if tail in ("ModuleDict", "ParameterDict") and len(items) == 1 and isinstance(items[0], ContainerValue) \
                and not items[0].dict_like:
            items = [pairs_to_mapping(items[0])]
        for item in items:
            if isinstance(item, ContainerValue) and (item.keys or item.dict_like):
                container.keys.update(item.keys)
                container.items.extend(item.items)
                container.dict_like = tail in ("ModuleDict", "ParameterDict")
                container.repeated = item.repeated
            elif isinstance(item, ContainerValue) and tail != "Sequential":
                container.items.extend(item.items)
                container.repeated = item.repeated
            elif isinstance(item, Starred):
                container.repeated = True
                # `nn.Sequential(*layers)` where layers is a list or, on some way, a slice of it
                options = item.of.options if isinstance(item.of, ChoiceValue) else (item.of,)
                container.items.append(choice(*[element_of(option) for option in options]))
            else:
                container.items.append(item)
        return container

    def _model_ordered_dict(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`OrderedDict([("name", module), ...])`: the modules, by key."""
        container = ContainerValue([])
        if not args:
            return container
        pairs = args[0]
        if isinstance(pairs, ContainerValue):
            for pair in pairs.items:
                if isinstance(pair, tuple) and len(pair) == 2:
                    container.items.append(pair[1])
                    if isinstance(pair[0], str):
                        container.keys[pair[0]] = pair[1]
                elif isinstance(pair, ContainerValue) and len(pair.items) == 2:
                    container.items.append(pair.items[1])
                    key = pair.items[0]
                    if isinstance(key, str):
                        container.keys[key] = pair.items[1]
        return container

    def _model_parameter(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`nn.Parameter(t)`: keeps a one-dimensional tensor (and a unit-scale draw) as such; anything
        else is a new tensor."""
        if isinstance(args[0], RandomTensor):
            return as_parameter(args[0], node, kwargs)
        return args[0] if isinstance(args[0], OneDimTensor) else NewTensor()

    def _model_tensor_factory(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`torch.zeros(d)` and friends: a one-dimensional tensor, or a new tensor holding a constant."""
        shape = args[0]
        if tail != "full" and len(args) == 1 and isinstance(shape, int) and not isinstance(shape, bool):
            return OneDimTensor()
        if isinstance(shape, tuple) and len(shape) == 1:
            return OneDimTensor()
        draw = random_factory(tail, args, node, frame.statement)
        if draw is not None:
            return draw
        return NewTensor(constant=1 if tail == "ones" else 0 if tail == "zeros" else
                         (args[1] if tail == "full" and len(args) > 1 else None))

    def _model_skip_init(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`torch.nn.utils.skip_init(cls, ...)`: the layer is built with nothing drawn."""
        value = self._call(args[0], args[1:], kwargs, node, frame)
        if isinstance(value, LayerValue):
            for site in value.sites:
                site.cover = {WEIGHT: Tri.YES, BIAS: Tri.YES}
                site.skip_init = True
        return value

    def _model_reparametrize(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`weight_norm(layer)` / `spectral_norm(layer)`: the same layer, neither initialized nor handed
        to unknown code (so a layer that keeps the default keeps it).  Its weight is then computed from
        the parametrization: an init written after this line would not stick, so it gets no fix."""
        value = args[0]
        if isinstance(value, LayerValue):
            for site in value.sites:
                site.wrapped = True
        return value

    def _model_same_module(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`torch.compile(model)`, `remove_weight_norm(conv)`: the same module; it initializes nothing."""
        return args[0]

    def _model_copy(self, tail: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`copy.deepcopy(module)`: a copy with the original's values (an EMA teacher, a target net).
        It initializes nothing, so it is not code out of sight that may; what the copy is, is left
        unknown (init written on the copy does not reach the original)."""
        return UNKNOWN

    # ---------------------------------------------------------------- builtins

    def _call_builtin(self, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """A builtin: its model from BUILTIN_MODELS (`isinstance`, `type`, `hasattr` decide dispatch
        branches; iteration helpers keep the items), else UNKNOWN."""
        handler = BUILTIN_MODELS.get(name)
        return UNKNOWN if handler is None else getattr(self, handler)(name, args, frame)

    def _builtin_super(self, name: str, args: list, frame: Frame) -> object:
        return SuperValue()

    def _builtin_isinstance(self, name: str, args: list, frame: Frame) -> object:
        return isinstance_of(args[0], args[1]) if len(args) == 2 else UNKNOWN

    def _builtin_type(self, name: str, args: list, frame: Frame) -> object:
        if len(args) != 1:
            return UNKNOWN
        value = args[0]
        if isinstance(value, DispatchModule) and value.spec is not None:
            return TorchClass(value.spec.name)
        if isinstance(value, LayerValue) and len(value.sites) == 1:
            return TorchClass(value.sites[0].spec.name)
        return UNKNOWN

    def _builtin_hasattr(self, name: str, args: list, frame: Frame) -> object:
        if not (len(args) == 2 and isinstance(args[1], str) and isinstance(args[0], (DispatchModule, LayerValue))):
            return UNKNOWN
        specs = [args[0].spec] if isinstance(args[0], DispatchModule) else [s.spec for s in args[0].sites]
        if any(spec is None for spec in specs):
            return UNKNOWN
        return all(layer_has_attribute(spec, args[1]) for spec in specs)

    def _builtin_getattr(self, name: str, args: list, frame: Frame) -> object:
        if len(args) >= 2 and isinstance(args[1], str):
            return self._attribute_of(args[0], args[1], frame)
        return UNKNOWN

    def _builtin_len(self, name: str, args: list, frame: Frame) -> object:
        if args and isinstance(args[0], (TensorValue, DispatchTensor)):
            return dim_symbol(args[0], 0)
        if args and isinstance(args[0], (tuple, str)):
            return len(args[0])
        return UNKNOWN

    def _builtin_iteration(self, name: str, args: list, frame: Frame) -> object:
        """`range`, `zip`, `enumerate`, `list(...)` and friends: a container of what they yield."""
        if name == "enumerate" and args:
            return ContainerValue([(UNKNOWN, element_of(args[0]))], repeated=True)
        if name == "zip":
            return ContainerValue([tuple(element_of(a) for a in args)], repeated=True)
        if name in ("list", "tuple", "reversed", "sorted", "iter") and args:
            inner = args[0]
            if isinstance(inner, (Iteration, ContainerValue)):
                return inner
            return ContainerValue([element_of(inner)], repeated=True)
        return ContainerValue([UNKNOWN], repeated=True)

    def _builtin_number(self, name: str, args: list, frame: Frame) -> object:
        if name in ("int", "float") and args and is_number(args[0]):
            return int(args[0]) if name == "int" else float(args[0])
        if name in ("max", "min") and args and all(is_number(a) for a in args):
            return max(args) if name == "max" else min(args)
        return UNKNOWN

    def _builtin_setattr(self, name: str, args: list, frame: Frame) -> object:
        if len(args) == 3 and isinstance(args[0], SelfValue) and isinstance(args[1], str):
            frame.instance.attrs[args[1]] = args[2]
            return None
        return UNKNOWN


#: builtin name -> the method of ExternalModels that models it (others give UNKNOWN)
BUILTIN_MODELS = {
    "super": "_builtin_super", "isinstance": "_builtin_isinstance", "type": "_builtin_type",
    "hasattr": "_builtin_hasattr", "getattr": "_builtin_getattr", "len": "_builtin_len",
    **{name: "_builtin_iteration" for name in ("range", "zip", "enumerate", "reversed", "sorted", "iter", "list", "tuple")},
    **{name: "_builtin_number" for name in ("int", "float", "max", "min")},
    "setattr": "_builtin_setattr",
}

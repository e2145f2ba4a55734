"""Operations on abstract values: joining alternatives, truth, comparison, isinstance, shapes.

Pure functions of the value domain (`values.py`): no interpreter state.  Each answers with a
plain value when the inputs decide it and `UNKNOWN` (or None for `truth`) when they do not.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from init_lint.analysis.values import (
    UNKNOWN, WEIGHT, ChoiceValue, ContainerValue, DefaultClass, DispatchModule, DispatchTensor, External,
    LayerValue, ModuleInstance, OneDimTensor, OtherClass, SelfValue, Symbol, TensorValue, TorchClass,
)
from init_lint.catalogue import LAYERS, MODULE_ATTRIBUTES, TORCH_BASES, LayerSpec, key_ndim


def join(values: list) -> object:
    """What a name holds after code that may produce any of `values` (returns of a function, loop items)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    if all(isinstance(v, LayerValue) for v in values):
        return LayerValue(tuple(dict.fromkeys(s for v in values for s in v.sites)))
    if len(values) == 1:
        return values[0]
    return ChoiceValue(tuple(values))


def choice(*options: object) -> object:
    """One of `options` (a conditional expression, or two branches' values): layers and tensors merge."""
    if len(options) == 1:
        return options[0]
    if all(isinstance(o, LayerValue) for o in options):
        return LayerValue(tuple(dict.fromkeys(s for o in options for s in o.sites)))
    if all(isinstance(o, TensorValue) for o in options) and len({o.param for o in options}) == 1:
        return TensorValue(tuple(dict.fromkeys(s for o in options for s in o.sites)), options[0].param)
    return ChoiceValue(tuple(options))


def is_plain(value: object) -> bool:
    """A Python value standing for itself (number, string, None, tuple of them)."""
    return value is None or isinstance(value, (int, float, str, bool)) or (
        isinstance(value, tuple) and all(is_plain(v) for v in value))


def is_number(value: object) -> bool:
    """An int or float, not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def truth(value: object) -> Optional[bool]:
    """`bool(value)` when the analysis knows it, None when it does not."""
    if value is UNKNOWN:
        return None
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, (int, float, str, tuple)):
        return bool(value)
    if isinstance(value, (LayerValue, TensorValue, DispatchTensor, TorchClass, DispatchModule, SelfValue)):
        return True
    return None


def element_of(iterable: object) -> object:
    """What a loop variable over `iterable` may hold: any of its items."""
    if isinstance(iterable, ContainerValue):
        return join(list(iterable.items)) if iterable.items else UNKNOWN
    return UNKNOWN


def elements_by_kind(iterable: object) -> list:
    """The values to run a loop body with: one per kind of module in a container, so that
    `isinstance(m, nn.Linear)` is decided for each kind, as it is at run time."""
    if isinstance(iterable, ContainerValue) and not iterable.dict_like:
        groups: dict = {}
        others: dict = {}
        for item in iterable.items:
            if isinstance(item, LayerValue):
                for site in item.sites:
                    groups.setdefault(site.spec.name, []).append(site)
            elif isinstance(item, ModuleInstance):
                others.setdefault(item.build.child, item)
        if groups or others:
            return [LayerValue(tuple(sites)) for sites in groups.values()] + list(others.values())
    return [element_of(iterable)]


def pairs_to_mapping(pairs: ContainerValue) -> ContainerValue:
    """`[("a", layer), ("b", layer)]` given to ModuleDict: a mapping by key."""
    mapping = ContainerValue([], dict_like=True, repeated=pairs.repeated)
    for pair in pairs.items:
        items = pair if isinstance(pair, tuple) else tuple(pair.items) if isinstance(pair, ContainerValue) else ()
        if len(items) == 2:
            mapping.items.append(items[1])
            if isinstance(items[0], str):
                mapping.keys[items[0]] = items[1]
    return mapping


def compare(left: object, operator: cst.BaseCompOp, right: object) -> object:
    """One comparison (`left op right`): True, False or UNKNOWN."""
    kind = operator.__class__  # (leaf classes: `in` spares abstract-class checks)
    if kind in (cst.Is, cst.IsNot) and right is None:
        if left is None:
            result = True
        elif isinstance(left, (TensorValue, DispatchTensor, LayerValue, DispatchModule, TorchClass, OneDimTensor)):
            # `m.bias is not None`: only layers with a bias have one to initialize.
            result = False
        elif is_plain(left):
            result = left is None
        else:
            return UNKNOWN
        return result if isinstance(operator, cst.Is) else not result
    if isinstance(left, TorchClass) and isinstance(right, (TorchClass, tuple, ChoiceValue, External, OtherClass)):
        if isinstance(operator, (cst.Is, cst.Equal)):
            return isinstance(right, TorchClass) and right.name == left.name
        if isinstance(operator, (cst.IsNot, cst.NotEqual)):
            return not (isinstance(right, TorchClass) and right.name == left.name)
    if kind in (cst.In, cst.NotIn):
        if isinstance(left, TorchClass) and isinstance(right, ContainerValue):
            names = [o.name for o in right.items if isinstance(o, TorchClass)]
            if len(names) != len(right.items):
                return UNKNOWN
            found = left.name in names
            return found if isinstance(operator, cst.In) else not found
        if isinstance(left, str) and isinstance(right, (str, tuple)):
            found = left in right
            return found if isinstance(operator, cst.In) else not found
        return UNKNOWN
    if not (is_plain(left) and is_plain(right)):
        return UNKNOWN
    try:
        if isinstance(operator, cst.Equal):
            return left == right
        if isinstance(operator, cst.NotEqual):
            return left != right
        if isinstance(operator, cst.LessThan):
            return left < right
        if isinstance(operator, cst.LessThanEqual):
            return left <= right
        if isinstance(operator, cst.GreaterThan):
            return left > right
        if isinstance(operator, cst.GreaterThanEqual):
            return left >= right
        if isinstance(operator, cst.Is):
            return left is right
        if isinstance(operator, cst.IsNot):
            return left is not right
    except TypeError:
        return UNKNOWN
    return UNKNOWN


def isinstance_of(value: object, classes: object) -> object:
    """`isinstance(value, classes)` for a layer or a dispatch variable: True, False or UNKNOWN."""
    if isinstance(classes, DefaultClass):
        return UNKNOWN
    if isinstance(value, LayerValue) and len({s.spec.name for s in value.sites}) == 1:
        value = LayerValue(value.sites[:1])
    options = classes.items if isinstance(classes, ContainerValue) else classes if isinstance(classes, tuple) else (classes,)
    if isinstance(value, DispatchModule):
        if value.spec is None:
            return UNKNOWN
        mro = value.spec.mro
    elif isinstance(value, LayerValue) and len(value.sites) == 1:
        mro = value.sites[0].spec.mro
    else:
        return UNKNOWN
    verdict: object = False
    for option in options:
        if isinstance(option, TorchClass):
            if option.name in mro:
                return True
        elif isinstance(option, OtherClass):
            continue
        elif isinstance(option, External):
            tail = option.qualified.rsplit(".", 1)[-1]
            if option.qualified.startswith("torch.") and tail not in LAYERS and tail not in TORCH_BASES:
                continue
            verdict = UNKNOWN if tail in mro else verdict
        else:
            verdict = UNKNOWN
    return verdict


def ndim(tensor: object) -> object:
    """The number of dimensions of a layer's weight or bias."""
    if isinstance(tensor, DispatchTensor):
        spec, param = tensor.spec, tensor.param
    elif isinstance(tensor, TensorValue) and tensor.sites:
        spec, param = tensor.sites[0].spec, tensor.param
    else:
        return UNKNOWN
    found = key_ndim(spec, param)
    return UNKNOWN if found is None else found


def dim_symbol(tensor: object, index: int) -> object:
    """`tensor.shape[index]` of a layer's parameter, as a Symbol the rules can evaluate per layer."""
    if isinstance(tensor, TensorValue):
        return Symbol(f"{tensor.param}.shape[{index}]", tensor.sites)
    if isinstance(tensor, DispatchTensor):
        return Symbol(f"{tensor.param}.shape[{index}]", (), tensor.spec)
    return UNKNOWN


def fan_symbol(tensor: object, kind: str) -> object:
    """fan_in / fan_out of a layer's weight (from `_calculate_fan_in_and_fan_out`), as a Symbol."""
    if isinstance(tensor, TensorValue) and tensor.param == WEIGHT:
        return Symbol(kind, tensor.sites)
    if isinstance(tensor, DispatchTensor) and tensor.param == WEIGHT:
        return Symbol(kind, (), tensor.spec)
    return UNKNOWN


def layer_has_attribute(spec: LayerSpec, name: str) -> bool:
    """Whether a torch layer of this type has the attribute (`hasattr(m, "init_weights")` is False for it)."""
    if name in spec.signature:
        return name != "kernel_size" or spec.has_kernel
    return name in MODULE_ATTRIBUTES


def string_method(text: str, name: str, args: list) -> object:
    """A str method with literal arguments (`name.startswith("head")`)."""
    if not all(isinstance(a, (str, int)) and not isinstance(a, bool) for a in args):
        return UNKNOWN
    try:
        if name in ("startswith", "endswith") and args and isinstance(args[0], str):
            return getattr(text, name)(args[0])
        if name in ("lower", "upper", "strip") and not args:
            return getattr(text, name)()
        if name in ("find", "count") and len(args) == 1 and isinstance(args[0], str):
            return getattr(text, name)(args[0])
    except (TypeError, ValueError):
        return UNKNOWN
    return UNKNOWN

"""Expressions: the abstract value of each kind of expression, and of the names it reads.

Part of the `Interpreter` (see interpreter.py).  Literals stand for themselves; names are read
from the frame, then from the file's own definitions and imports; arithmetic is exact on numbers
and symbolic on the sizes init code uses (`1 / math.sqrt(fan_in)`).  Calls are in calls.py.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from init_lint.analysis.frame import MAX_DEPTH, Frame, Instance
from init_lint.analysis.frameworks import LAYER_ALIASES
from init_lint.analysis.models import BUILTIN_NAMES, ITERATION_METHODS
from init_lint.analysis.names import LOCAL, dotted_name
from init_lint.analysis.scale import rescaled
from init_lint.analysis.walk import kinds
from init_lint.analysis.operations import (
    choice, compare, dim_symbol, layer_has_attribute, element_of, is_number, is_plain, join, ndim, truth,
)
from init_lint.analysis.values import (
    PARAMS, UNKNOWN, Builtin, ChildModule, ChoiceValue, ContainerValue, DispatchModule, DispatchTensor, External,
    FunctionValue, InvSqrt, LayerValue, Member, ModuleInstance, Negated, OtherClass, PartialValue, Product, Reciprocal, SelfMember,
    SelfValue, Shape, Sqrt, SuperMember, SuperValue, Symbol, TensorValue, TorchClass, Tri,
)
from init_lint.analysis.coverage import spec_keys
from init_lint.catalogue import (
    CLONE, LAYERS, MODULE_BASES, RULE_MODULES, key_template, lookup_module, lookup_torch_class,
)


#: the kinds of expression `_eval` tells apart, in the order its tests once ran (walk.kinds)
_EXPRESSION_KIND = kinds(
    cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString, cst.Name, cst.Attribute, cst.Call, cst.Subscript,
    cst.BinaryOperation, cst.UnaryOperation, cst.BooleanOperation, cst.Comparison, cst.IfExp, cst.Tuple, cst.List,
    cst.Set, cst.Dict, cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp, cst.Lambda, cst.NamedExpr,
    cst.FormattedString,
)


class ExpressionEvaluator:
    """Evaluates expressions; needs the interpreter's file tables, `_eval_call` and `_assign`."""

    def _eval(self, node: Optional[cst.BaseExpression], frame: Frame) -> object:
        """The abstract value of an expression (None for no expression)."""
        if node is None:
            return None
        kind = _EXPRESSION_KIND[node.__class__]
        if kind is cst.Name:
            return self._eval_name(node, frame)
        if kind is cst.Attribute:
            return self._eval_attribute(node, frame)
        if kind is cst.Call:
            return self._eval_call(node, frame)
        if kind is cst.Integer or kind is cst.Float or kind is cst.SimpleString:
            # Dispatch bodies are read once per layer type: decode each literal once.
            key = id(node)
            if key not in self._literals:
                self._literals[key] = _integer(node.value) if kind is cst.Integer else \
                    _float(node.value) if kind is cst.Float else _string(node)
            return self._literals[key]
        if kind is cst.ConcatenatedString:
            value = node.evaluated_value
            return value if isinstance(value, str) else UNKNOWN
        if kind is cst.Subscript:
            return self._eval_subscript(node, frame)
        if kind is cst.BinaryOperation:
            return self._eval_binary(node, frame)
        if kind is cst.UnaryOperation:
            operand = self._eval(node.expression, frame)
            if node.operator.__class__ is cst.Minus:
                if is_number(operand):
                    return -operand
                return Negated(operand) if isinstance(operand, (InvSqrt, Symbol)) else UNKNOWN
            if isinstance(node.operator, cst.Not):
                known = truth(operand)
                return UNKNOWN if known is None else not known
            return UNKNOWN
        if kind is cst.BooleanOperation:
            return self._eval_boolean(node, frame)
        if kind is cst.Comparison:
            return self._eval_comparison(node, frame)
        if kind is cst.IfExp:
            test = truth(self._eval(node.test, frame))
            if test is True:
                return self._eval(node.body, frame)
            if test is False:
                return self._eval(node.orelse, frame)
            return choice(self._eval(node.body, frame), self._eval(node.orelse, frame))
        if kind is cst.Tuple or kind is cst.List or kind is cst.Set:
            items = self._eval_elements(node.elements, frame)
            if all(is_plain(v) for v in items) and kind is cst.Tuple:
                return tuple(items)
            return ContainerValue(items)
        if kind is cst.Dict:
            container = ContainerValue([], dict_like=True)
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    key = self._eval(element.key, frame)
                    value = self._eval(element.value, frame)
                    container.items.append(value)
                    if isinstance(key, str):
                        container.keys[key] = value
            return container
        if kind is cst.ListComp or kind is cst.GeneratorExp or kind is cst.SetComp:
            return self._eval_comprehension(node, node.elt, frame)
        if kind is cst.DictComp:
            container = self._eval_comprehension(node, node.value, frame)
            container.dict_like = True
            return container
        if kind is cst.Lambda:
            return FunctionValue(node, None)
        if kind is cst.NamedExpr:
            value = self._eval(node.value, frame)
            self._assign(node.target, value, frame)
            return value
        if kind is cst.FormattedString:
            return self._eval_fstring(node, frame)
        return UNKNOWN

    def _eval_fstring(self, node: cst.FormattedString, frame: Frame) -> object:
        """An f-string whose parts are all known strings and ints (`f"layer{i}"` with a known i)."""
        text: Optional[str] = ""
        for part in node.parts:
            if part.__class__ is cst.FormattedStringExpression:
                value = self._eval(part.expression, frame)
                if part.format_spec or part.conversion or not isinstance(value, (int, str)) or isinstance(value, bool):
                    text = None
                elif text is not None:
                    text += str(value)
            elif text is not None:
                text += part.value
        return text if text is not None else UNKNOWN

    def _eval_elements(self, elements, frame: Frame) -> list:
        """The items of a list / tuple / set display, with `*spread` items inlined where known."""
        items: list = []
        for element in elements:
            value = self._eval(element.value, frame)
            if element.__class__ is cst.StarredElement:
                if isinstance(value, ContainerValue):
                    items.extend(value.items)
                elif isinstance(value, tuple):
                    items.extend(value)
                else:
                    items.append(value)
            else:
                items.append(value)
        return items

    def _eval_comprehension(self, node, element: cst.BaseExpression, frame: Frame) -> ContainerValue:
        """A comprehension: its element evaluated once, for any item, as a repeated container."""
        inner = frame.nested(frame.dispatch_spec, frame.level, in_comprehension=True)
        comp = node.for_in
        while comp is not None:
            iterable = self._eval(comp.iter, inner)
            self._assign(comp.target, element_of(iterable), inner)
            for condition in comp.ifs:
                self._eval(condition.test, inner)
            comp = comp.inner_for_in
        return ContainerValue([self._eval(element, inner)], repeated=True)

    def _subscript_key(self, node: cst.Subscript, frame: Frame) -> object:
        """The value of a plain `[key]` subscript, UNKNOWN for slices and several indices."""
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNKNOWN
        return self._eval(node.slice[0].slice.value, frame)

    # ---------------------------------------------------------------- names

    def _eval_name(self, node: cst.Name, frame: Frame) -> object:
        """A name: the frame's binding, a constant, or a name of the file or its imports."""
        name = node.value
        if name in frame.env:
            return frame.env[name]
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        return self._eval_global(name)

    def _eval_global(self, name: str) -> object:
        """A name the function does not bind: the file's classes, functions, constants, imports, builtins."""
        if name in self.extra_layers and self.imports.bindings.get(name, "").startswith(LOCAL):
            return TorchClass(self.extra_layers[name])
        if name in self.classes.classes:
            info = self.classes.classes[name]
            if info.is_module != Tri.NO:
                self.facts.class_refs.add(name)
                self._entry_refs(True).add(name)
            return OtherClass(f"{LOCAL}.{name}")
        if name in self.functions:
            return FunctionValue(self.functions[name], None)
        if name in self.module_constants:
            return self._module_value(name)
        qualified = self.imports.bindings.get(name) or self.imports.assumed.get(name)
        if qualified is not None:
            return self._external(qualified)
        if name in BUILTIN_NAMES:
            return Builtin(name)
        return UNKNOWN

    def _module_value(self, name: str) -> object:
        """A module-level constant, evaluated once (only values that cannot change under the walk are kept)."""
        if name not in self._module_values:
            self._module_values[name] = UNKNOWN
            node = self.module_constants[name]
            frame = Frame({}, Instance(None), None, None, MAX_DEPTH)
            value = self._eval(node, frame)
            self._module_values[name] = value if (is_plain(value) or isinstance(
                value, (TorchClass, PartialValue, FunctionValue, OtherClass, External, ChoiceValue))) else UNKNOWN
        return self._module_values[name]

    def _external(self, qualified: str) -> object:
        """Something imported: a torch layer class, a project layer mapped by extra-layers, or an External."""
        if qualified.rsplit(".", 1)[-1][:1].isupper() and not qualified.startswith("torch."):
            self.facts.external_refs.add(qualified)
            self._entry_refs(False).add(qualified)
        extra = self.extra_layers.get(qualified) or self.extra_layers.get(qualified.rsplit(".", 1)[-1]) \
            or LAYER_ALIASES.get(qualified)
        if extra is not None:
            return TorchClass(extra)
        torch_class = lookup_torch_class(qualified)
        if torch_class is not None:
            return TorchClass(torch_class)
        module_class = lookup_module(qualified)
        if module_class in RULE_MODULES or module_class in MODULE_BASES:
            return TorchClass(module_class)
        return External(qualified)

    # ---------------------------------------------------------------- attributes and subscripts

    def _eval_attribute(self, node: cst.Attribute, frame: Frame) -> object:
        """`a.b.c`: an imported name when its head is not bound in the file, else an attribute of a value."""
        dotted = dotted_name(node)
        if dotted is not None:
            head = dotted.split(".")[0]
            if head not in frame.env and head not in self.functions and head not in self.classes.classes \
                    and head not in self.module_constants:
                qualified = self.imports.qualify(node)
                if qualified is not None:
                    return self._external(qualified)
        owner = self._eval(node.value, frame)
        return self._attribute_of(owner, node.attr.value, frame)

    def _attribute_of(self, owner: object, attr: str, frame: Frame) -> object:
        """`owner.attr`: a layer's parameter, a constructor argument, a method, a child module."""
        if isinstance(owner, SelfValue):
            if attr in frame.instance.attrs:
                return frame.instance.attrs[attr]
            info = frame.instance.owner
            if info is not None:
                found = self.classes.find_method(info, attr)
                if found is not None:
                    return FunctionValue(found[1], found[0].name, bound_self=True)
            return SelfMember(attr)
        if isinstance(owner, SuperValue):
            return SuperMember(attr)
        if isinstance(owner, LayerValue):
            if attr in PARAMS if owner.sites[0].classic else attr in owner.sites[0].cover:
                return TensorValue(owner.sites, attr)
            if not owner.sites[0].classic:
                child = _child_prefix(owner.sites[0].cover, attr)
                if child is not None:
                    return ChildModule(child, sites=owner.sites)
                if key_template(owner.sites[0].spec, attr) in owner.sites[0].cover:
                    return TensorValue(owner.sites, attr)  # one layer of a stack of unknown size
            if attr == "__class__":
                return choice(*[TorchClass(s.spec.name) for s in owner.sites])
            if len(owner.sites) == 1:
                value = owner.sites[0].args.get(attr, UNKNOWN)
                if value is not UNKNOWN:
                    return value
            return Member(owner, attr)
        if isinstance(owner, DispatchModule):
            if owner.spec is None:
                return UNKNOWN
            if owner.spec.name in LAYERS:
                if attr in PARAMS:
                    return DispatchTensor(owner.spec, attr)
            else:
                keys = spec_keys(owner.spec)
                if key_template(owner.spec, attr) in keys:
                    return DispatchTensor(owner.spec, key_template(owner.spec, attr))
                child = _child_prefix(keys, attr)
                if child is not None:
                    return ChildModule(child, spec=owner.spec)
            if attr == "__class__":
                return TorchClass(owner.spec.name)
            return Member(owner, attr)
        if isinstance(owner, ChildModule):
            keys = owner.sites[0].cover if owner.sites else spec_keys(owner.spec)
            path = f"{owner.prefix}.{attr}"
            if path in keys:
                return TensorValue(owner.sites, path) if owner.sites else DispatchTensor(owner.spec, path)
            child = _child_prefix(keys, path)
            return ChildModule(child, owner.sites, owner.spec) if child is not None else UNKNOWN
        if isinstance(owner, (TensorValue, DispatchTensor)):
            if attr == "data":
                return owner
            if attr == "shape":
                return Shape(owner)
            if attr == "ndim":
                return ndim(owner)
            return Member(owner, attr)
        if isinstance(owner, TorchClass):
            return owner.name if attr == "__name__" else UNKNOWN
        if isinstance(owner, OtherClass) and owner.name.startswith(LOCAL + ".") and attr in self.classes.classes:
            info = self.classes.classes[attr]
            if info.is_module != Tri.NO:
                self.facts.class_refs.add(attr)
                self._entry_refs(True).add(attr)
            return OtherClass(f"{LOCAL}.{attr}")
        if isinstance(owner, str):
            return Member(owner, attr)
        if isinstance(owner, External):
            return self._external(f"{owner.qualified}.{attr}")
        if isinstance(owner, ContainerValue):
            if attr in owner.keys:
                return owner.keys[attr]
            return Member(owner, attr)
        if isinstance(owner, ModuleInstance) and owner.build.child is not None:
            child_attrs = self.facts.attrs.get(owner.build.child)
            if child_attrs is not None and attr in child_attrs:
                return child_attrs[attr]
            return Member(owner, attr)
        if isinstance(owner, ChoiceValue):
            # A torch layer that has no such attribute is not what `owner.attr` reads (`self.conv_proj.conv_last`
            # where conv_proj is a Conv2d or a Sequential with a `conv_last` child).
            holders = [o for o in owner.options if o is not None and not (
                isinstance(o, LayerValue) and not layer_has_attribute(o.sites[0].spec, attr))]
            options = [self._attribute_of(o, attr, frame) for o in holders]
            known = [o for o in options if o is not UNKNOWN and not isinstance(o, Member)]
            if known and (len(known) == len(options) or attr in PARAMS):
                # `self.fc.weight` where self.fc is a layer or something unknown: a write reaches the layer
                # whenever the layer is what self.fc holds.
                return choice(*known)
            return Member(owner, attr)
        if isinstance(owner, ModuleInstance):
            return Member(owner, attr)
        if owner is UNKNOWN and attr in ITERATION_METHODS:
            # `for m in model.modules():` over a module handed in (`def init_weights(model):`): a dispatch
            # whose scope is unknown here; what it covers tells project mode what this file could initialize.
            return Member(owner, attr)
        return UNKNOWN

    def _eval_subscript(self, node: cst.Subscript, frame: Frame) -> object:
        """`owner[key]`: an item of a container or tuple, a child of a Sequential subclass, a dimension."""
        owner = self._eval(node.value, frame)
        key = self._subscript_key(node, frame)
        if isinstance(owner, SelfValue) and isinstance(key, int) and not isinstance(key, bool):
            # `self[0]` of an nn.Sequential subclass: its children in order.
            children = [v for k, v in frame.instance.attrs.items() if k.startswith("<") and k[1:-1].isdigit()]
            return children[key] if -len(children) <= key < len(children) else UNKNOWN
        if isinstance(owner, ContainerValue):
            window = _literal_slice(node)
            if window is not None and not owner.dict_like:
                # `net[1:]`, `net[:-1]`: the items such a slice selects, one abstract item per `*comprehension`
                return ContainerValue(owner.items[window], repeated=owner.repeated)
            if owner.repeated:
                return join(owner.items)
            if isinstance(key, str) and key in owner.keys:
                return owner.keys[key]
            if isinstance(key, int) and not isinstance(key, bool) and -len(owner.items) <= key < len(owner.items):
                return owner.items[key]
            return join(owner.items) if key is UNKNOWN else UNKNOWN
        if isinstance(owner, tuple) and isinstance(key, int) and -len(owner) <= key < len(owner):
            return owner[key]
        if isinstance(owner, Shape) and isinstance(key, int):
            return dim_symbol(owner.tensor, key)
        if isinstance(owner, ChildModule) and isinstance(key, int) and not isinstance(key, bool):
            # `transformer.encoder.layers[0]`: a deep copy of one layer, all of them one key (`layers.*.`)
            keys = owner.sites[0].cover if owner.sites else spec_keys(owner.spec)
            child = _child_prefix(keys, f"{owner.prefix}.0")
            return ChildModule(child, owner.sites, owner.spec) if child is not None else UNKNOWN
        if isinstance(owner, (TensorValue, DispatchTensor)) and sliced(node) and not of_layers(owner):
            # `emb.weight[:, :n].uniform_()`: sections of an embedding or recurrent weight, written one by
            # one, initialize it (a single row such as the padding row does not)
            return owner
        return UNKNOWN

    # ---------------------------------------------------------------- operators

    def _eval_binary(self, node: cst.BinaryOperation, frame: Frame) -> object:
        """A binary operation, evaluated on both operands (see `binary`).

        A chain `a + b + c + ...` nests to the left: it is evaluated in a loop, leftmost operand
        first as Python does, so that a 600-term sum does not exhaust the stack.
        """
        spine = [node]
        while isinstance(spine[-1].left, cst.BinaryOperation):
            spine.append(spine[-1].left)
        value = self._eval(spine[-1].left, frame)
        for operation in reversed(spine):
            value = binary(operation.operator, value, self._eval(operation.right, frame))
        return value

    def _eval_boolean(self, node: cst.BooleanOperation, frame: Frame) -> object:
        """`and` / `or` on truth values, short-circuited as Python does."""
        left = truth(self._eval(node.left, frame))
        if isinstance(node.operator, cst.And):
            if left is False:
                return False
            right = truth(self._eval(node.right, frame))
            if right is False:
                return False
            return True if left is True and right is True else UNKNOWN
        if left is True:
            return True
        right = truth(self._eval(node.right, frame))
        if right is True:
            return True
        return False if left is False and right is False else UNKNOWN

    def _eval_comparison(self, node: cst.Comparison, frame: Frame) -> object:
        """A chain of comparisons: False as soon as one is known False."""
        left = self._eval(node.left, frame)
        result: object = True
        for target in node.comparisons:
            right = self._eval(target.comparator, frame)
            outcome = compare(left, target.operator, right)
            if outcome is False:
                return False
            if outcome is UNKNOWN:
                result = UNKNOWN
            left = right
        return result


_ARITHMETIC = {
    cst.Add: lambda a, b: a + b, cst.Subtract: lambda a, b: a - b, cst.Multiply: lambda a, b: a * b,
    cst.Divide: lambda a, b: a / b, cst.FloorDivide: lambda a, b: a // b, cst.Modulo: lambda a, b: a % b,
    cst.Power: lambda a, b: a ** b if abs(b) < 64 else UNKNOWN,
}


def binary(op: cst.BaseBinaryOp, left: object, right: object) -> object:
    """`left op right`: exact on numbers, symbolic for the spellings of `1 / sqrt(n)` and of sizes."""
    draw = rescaled(op, left, right)
    if draw is not None:
        return draw
    if is_number(left) and is_number(right):
        compute = _ARITHMETIC.get(type(op))
        if compute is None:
            return UNKNOWN
        try:
            return compute(left, right)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            return UNKNOWN
    if isinstance(op, cst.Divide) and is_number(left) and left in (1, -1) and isinstance(right, Sqrt):
        return InvSqrt(right.of) if left == 1 else Negated(InvSqrt(right.of))
    if isinstance(op, cst.Divide) and is_number(left) and left == 1:
        return Reciprocal(right)
    if isinstance(op, cst.Power) and is_number(right) and right == -0.5:
        return InvSqrt(left)
    if isinstance(op, cst.Add) and isinstance(left, str) and isinstance(right, str):
        return left + right
    if isinstance(op, cst.Multiply) and isinstance(left, (Symbol, int)) and isinstance(right, (Symbol, int)):
        return Product((left, right))
    return UNKNOWN


def _integer(text: str) -> object:
    # `Integer.evaluated_value` goes through ast.literal_eval: slow on real files.
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        return UNKNOWN


def _float(text: str) -> object:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return UNKNOWN


def _string(node: cst.SimpleString) -> object:
    prefix = node.prefix.lower()
    body = node.raw_value
    if "b" in prefix or "f" in prefix:
        return UNKNOWN
    if "\\" not in body or "r" in prefix:
        return body
    value = node.evaluated_value
    return value if isinstance(value, str) else UNKNOWN


def _literal_slice(node: cst.Subscript) -> Optional[slice]:
    """`[a:b]` with int literals (or nothing) for bounds and no step, else None."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Slice) or node.slice[0].slice.step is not None:
        return None
    bounds = []
    for bound in (node.slice[0].slice.lower, node.slice[0].slice.upper):
        negative = isinstance(bound, cst.UnaryOperation) and isinstance(bound.operator, cst.Minus)
        number = bound.expression if negative else bound
        if bound is not None and not (isinstance(number, cst.Integer) and isinstance(number.evaluated_value, int)):
            return None
        bounds.append(None if bound is None else (-1 if negative else 1) * number.evaluated_value)
    return slice(*bounds)


def _child_prefix(keys, path: str) -> Optional[str]:
    """`path` when it names a child module of a torch module whose keys are `keys` (`out_proj`,
    `encoder.layers`), else None.  A clone index is dropped: `layers.0` reads as `layers.*`."""
    parts = path.split(".")
    if len(parts) > 1 and parts[-1].isdigit():
        parts[-1] = CLONE
    wanted = ".".join(parts) + "."
    return wanted[:-1] if any(k.startswith(wanted) for k in keys) else None


def sliced(node: cst.Subscript) -> bool:
    """`w[:, :n]`, `w[a:b]`: a subscript that selects a section, not one row."""
    return any(isinstance(element.slice, cst.Slice) for element in node.slice)


def of_layers(tensor: object) -> bool:
    """A parameter of a LAYERS layer (Linear, Conv, Bilinear), whose subscripts the analysis has never followed."""
    if isinstance(tensor, TensorValue):
        return not tensor.sites or tensor.sites[0].classic
    return tensor.spec.name in LAYERS

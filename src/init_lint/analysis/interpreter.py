"""An abstract interpreter for the code that builds and initializes a module.

It walks `__init__` (and what it calls: methods, base classes and helpers of the same file) in
statement order, the way the code runs, and records facts instead of computing tensors: where a
layer is constructed, which of its parameters code writes afterwards, which `apply` / `modules()`
/ `parameters()` dispatches run and what they cover, which child modules are built.  Order
matters twice: a dispatch covers only what exists when it runs, and a fix must be inserted where
the layer is built so that random draws keep their order.

Values it cannot follow become `UNKNOWN`; writes through them count as "maybe" (the class is
uncertain, reported only in strict mode), never as a finding.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

import libcst as cst

from init_lint.analysis import initops
from init_lint.analysis.classes import ClassInfo, ClassTable
from init_lint.analysis.frameworks import is_init_function_module, is_named_apply
from init_lint.analysis.names import LOCAL, ImportTable, dotted_name
from init_lint.analysis.values import (
    BIAS, PARAMS, UNKNOWN, WEIGHT, Address, BoundEvent, BuildEvent, ChoiceValue, ContainerValue, DispatchEvent,
    DispatchModule, DispatchTensor, FanInitEvent, FillEvent, FunctionValue, InvSqrt, LayerSite, LayerValue,
    ModuleInstance, Negated, OneDimTensor, OtherClass, PartialValue, SelfValue, SuperValue, Symbol, TensorValue,
    TorchClass, Tri,
)
from init_lint.analysis.walk import children
from init_lint.catalogue import LAYERS, TORCH_BASES, LayerSpec, lookup_torch_class

MAX_DEPTH = 12
#: layer types whose dispatch reading is the same as their base's unless a file names them
_ALIAS_OF = {"LazyLinear": "Linear", "NonDynamicallyQuantizableLinear": "Linear",
             **{f"Lazy{kind}{d}d": f"{kind}{d}d" for kind in ("Conv", "ConvTranspose") for d in (1, 2, 3)}}
CONTAINERS = {"Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}
SQRT_FUNCTIONS = {"math.sqrt", "numpy.sqrt", "torch.sqrt", "np.sqrt"}
#: torch modules whose construction draws no random numbers (a fix may move draws across them)
NON_DRAWING_MODULES = frozenset(
    {"ReLU", "ReLU6", "GELU", "SiLU", "Tanh", "Sigmoid", "LeakyReLU", "ELU", "SELU", "Softmax", "LogSoftmax",
     "Softplus", "Mish", "Hardswish", "Hardsigmoid", "PReLU", "Identity", "Flatten", "Unflatten", "Dropout",
     "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm",
     "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "RMSNorm", "MaxPool1d", "MaxPool2d",
     "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
     "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Upsample", "PixelShuffle", "ZeroPad2d", "ConstantPad2d",
     "Sequential", "ModuleList", "ModuleDict"}
)
BUILTIN_PURE = frozenset({"int", "float", "len", "max", "min", "abs", "round", "sum", "tuple", "list", "range", "bool", "str"})


@dataclass(eq=False)
class Instance:
    """The module being built: its attributes and everything constructed for it so far."""

    owner: Optional[ClassInfo]
    attrs: dict = field(default_factory=dict)
    sites: list = field(default_factory=list)
    builds: list = field(default_factory=list)


@dataclass(eq=False)
class Frame:
    env: dict
    instance: Instance
    #: the class whose method runs (for `super()`), None in module-level functions
    method_owner: Optional[ClassInfo]
    self_name: Optional[str]
    depth: int
    statement: Optional[cst.SimpleStatementLine] = None
    returns: list = field(default_factory=list)
    #: MAYBE inside a branch whose condition is not known: events recorded there are not sure to happen
    level: Tri = Tri.YES
    #: MAYBE after a statement that may have returned: writes from here on are not sure to happen
    reach: Tri = Tri.YES
    #: the layer type a dispatch body is being read for
    dispatch_spec: Optional[LayerSpec] = None
    in_loop: bool = False
    in_comprehension: bool = False


@dataclass
class FileFacts:
    """Everything the interpreter found in one file; the rules read this."""

    sites: list = field(default_factory=list)
    builds: list = field(default_factory=list)
    dispatches: list = field(default_factory=list)
    fills: list = field(default_factory=list)
    bounds: list = field(default_factory=list)
    fan_inits: list = field(default_factory=list)
    #: module classes of the file referenced as values (passed around), which unknown callables may build
    class_refs: set = field(default_factory=set)
    #: classes of other modules the file names (qualified as imported): unknown callables may build them too
    external_refs: set = field(default_factory=set)
    #: class name -> forward data flow: attribute -> attributes whose output feeds it
    forward_feeds: dict = field(default_factory=dict)
    #: class name -> attrs value map at the end of __init__
    attrs: dict = field(default_factory=dict)


class Interpreter:
    def __init__(self, module: cst.Module, imports: ImportTable, classes: ClassTable,
                 extra_layers: Optional[dict] = None, text: Optional[str] = None) -> None:
        self.extra_layers = extra_layers or {}
        # Dispatch bodies are read once per layer type.  A lazy or quantizable variant behaves as its
        # base class does, unless the file names it (then it gets a reading of its own).
        self.dispatch_specs = [s for s in LAYERS.values() if _ALIAS_OF.get(s.name) is None
                               or text is None or s.name in text]
        self.module = module
        self.imports = imports
        self.classes = classes
        self.functions = {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}
        self.module_assigns = _module_assignments(module)
        self.facts = FileFacts()
        self.seq = itertools.count(1)
        self.marks: dict = {}
        self.reached: set = set()
        self.active: list = []
        self.entry = ""
        self._module_values: dict = {}
        self._literals: dict = {}
        #: the dispatch whose body is being read: events recorded there belong to it
        self._dispatch_id: Optional[int] = None

    # ---------------------------------------------------------------- entries

    def run(self) -> FileFacts:
        for info in self.classes.modules():
            self._run_class(info)
        self._run_scripts()
        return self.facts

    def _run_class(self, info: ClassInfo) -> None:
        self.reached = set()
        instance = Instance(info)
        init = self.classes.find_method(info, "__init__")
        self.marks = {}
        self.entry = f"{info.name}.__init__"
        if init is not None:
            owner, node = init
            # Constructor arguments are whatever the caller passes: read them as unknown, so that
            # every configuration (`if use_gpsa:`, `if parallel_depth > 0:`) is seen, not only the defaults.
            self._call_function(FunctionValue(node, owner.name, bound_self=True), [], {}, instance, owner,
                                unknown_params=True)
        self._commit_marks(instance, secondary=False)
        self.facts.attrs[info.name] = dict(instance.attrs)
        init_sites = list(instance.sites)
        for name, node in info.methods.items():
            if node in self.reached or name == "forward" or (name.startswith("__") and name.endswith("__")):
                continue
            if _loads_weights(name):
                # Layers built while loading a checkpoint get their values from it.
                continue
            self.marks = {}
            self.entry = f"{info.name}.{name}"
            self._call_function(FunctionValue(node, info.name, bound_self=True), [UNKNOWN] * 8, {}, instance, info)
            self._commit_marks(instance, secondary=True, earlier=init_sites)
            if self.classes.has_external_bases(info):
                # A base class from elsewhere may call this method and initialize what it builds.
                for site in instance.sites[len(init_sites):]:
                    site.from_external_hook = True
        forward = self.classes.find_method(info, "forward")
        if forward is not None:
            self.facts.forward_feeds[info.name] = _forward_feeds(forward[1])

    def _run_scripts(self) -> None:
        """Module-level code and functions: `net = Net(); net.apply(init_fn)` covers Net as a model."""
        instance = Instance(None)
        self.marks = {}
        self.entry = "<module>"
        body = [s for s in self.module.body if not isinstance(s, (cst.FunctionDef, cst.ClassDef))]
        frame = Frame({}, instance, None, None, 0)
        self._walk_block(body, frame)
        for name, node in self.functions.items():
            if node in self.reached:
                continue
            self.entry = f"<function {name}>"
            self._call_function(FunctionValue(node), [UNKNOWN] * 8, {}, Instance(None), None)

    def _commit_marks(self, instance: Instance, secondary: bool, earlier: Iterable[LayerSite] = ()) -> None:
        earlier_ids = {id(s) for s in earlier}
        # Layers of child modules built earlier can be initialized by the parent (`self.block.fc.weight`).
        by_id = {id(s): s for s in self.facts.sites}
        for (key, param), level in self.marks.items():
            site = by_id.get(key)
            if site is None:
                continue
            if secondary and id(site) in earlier_ids:
                level = min(level, Tri.MAYBE)
            site.cover[param] = max(site.cover[param], level)

    # ---------------------------------------------------------------- calls

    def _call_function(self, fn: FunctionValue, args: list, kwargs: dict, instance: Instance,
                       method_owner: Optional[ClassInfo],
                       depth: int = 0, dispatch_spec: Optional[LayerSpec] = None,
                       in_loop: bool = False, level: Tri = Tri.YES, unknown_params: bool = False) -> object:
        node = fn.node
        if depth > MAX_DEPTH or node in self.active:
            return UNKNOWN
        self.reached.add(node)
        params = node.params
        env: dict = {}
        positional = [p.name.value for p in list(params.posonly_params) + list(params.params)]
        self_name = None
        call_args = list(fn.args) + list(args)
        call_kwargs = {**fn.kwargs, **kwargs}
        if fn.bound_self and positional:
            self_name = positional[0]
            env[self_name] = SelfValue()
            positional = positional[1:]
        for name, value in zip(positional, call_args):
            env[name] = value
        for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params):
            name = p.name.value
            if name in env:
                continue
            if name in call_kwargs:
                env[name] = call_kwargs[name]
            elif unknown_params and not (p.default is not None and _is_layer_class(p.default, self)):
                if p.default is not None:
                    # Evaluated for what it names (`block=BasicBlock` passes a class around), then forgotten.
                    self._eval(p.default, Frame({}, instance, method_owner, None, depth + 1))
                env[name] = UNKNOWN
            elif p.default is not None:
                default = self._eval(p.default, Frame({}, instance, method_owner, None, depth + 1))
                # `conv_layer=nn.Conv2d`: the caller chooses the class; the default is only one choice.
                env[name] = _DefaultClass(default) if isinstance(default, TorchClass) else default
            else:
                env[name] = UNKNOWN
        if isinstance(params.star_arg, cst.Param):
            env[params.star_arg.name.value] = ContainerValue(list(call_args[len(positional):]))
        if params.star_kwarg is not None:
            env[params.star_kwarg.name.value] = UNKNOWN
        frame = Frame(env, instance, method_owner, self_name, depth + 1, dispatch_spec=dispatch_spec,
                      in_loop=in_loop, level=level)
        self.active.append(node)
        try:
            if isinstance(node, cst.Lambda):
                return self._eval(node.body, frame)
            body = node.body.body if isinstance(node.body, cst.IndentedBlock) else node.body.body
            self._walk_block(body, frame)
        finally:
            self.active.pop()
        return _join(frame.returns)

    # ---------------------------------------------------------------- statements

    def _walk_block(self, body: Iterable[cst.CSTNode], frame: Frame) -> Tri:
        """Walk statements in order; returns whether the block surely (YES) or maybe returns."""
        outer_level, outer_reach = frame.level, frame.reach
        terminated = Tri.NO
        try:
            for statement in body:
                result = self._walk_statement(statement, frame)
                if result == Tri.YES:
                    return Tri.YES if terminated == Tri.NO else Tri.MAYBE
                if result == Tri.MAYBE:
                    terminated = Tri.MAYBE
                    frame.reach = min(frame.reach, Tri.MAYBE)
            return terminated
        finally:
            frame.level, frame.reach = outer_level, outer_reach

    def _walk_statement(self, statement: cst.CSTNode, frame: Frame) -> Tri:
        if isinstance(statement, cst.SimpleStatementLine):
            previous = frame.statement
            frame.statement = statement
            try:
                for small in statement.body:
                    if self._walk_small(small, frame):
                        return Tri.YES
            finally:
                frame.statement = previous
            return Tri.NO
        if isinstance(statement, cst.If):
            return self._walk_if(statement, frame)
        if isinstance(statement, cst.For):
            return self._walk_for(statement, frame)
        if isinstance(statement, (cst.While,)):
            self._walk_block(statement.body.body, frame)
            return Tri.NO
        if isinstance(statement, cst.With):
            for item in statement.items:
                self._eval(item.item, frame)
            return self._walk_block(_block(statement.body), frame)
        if isinstance(statement, (cst.Try, cst.TryStar)):
            result = self._walk_block(_block(statement.body), frame)
            if statement.orelse is not None:
                self._walk_block(_block(statement.orelse.body), frame)
            if statement.finalbody is not None:
                self._walk_block(_block(statement.finalbody.body), frame)
            return min(result, Tri.MAYBE)
        if isinstance(statement, cst.FunctionDef):
            frame.env[statement.name.value] = FunctionValue(statement, None)
            return Tri.NO
        if isinstance(statement, cst.BaseSmallStatement):
            # The body of a one-line block (`if flag: self.fc = nn.Linear(3, 4)`): no line to insert a fix after.
            return Tri.YES if self._walk_small(statement, frame) else Tri.NO
        return Tri.NO

    def _walk_small(self, small: cst.BaseSmallStatement, frame: Frame) -> bool:
        """Returns True when the statement returns from the function."""
        if isinstance(small, cst.Expr):
            self._eval(small.value, frame)
        elif isinstance(small, cst.Assign):
            value = self._eval(small.value, frame)
            for target in small.targets:
                self._assign(target.target, value, frame)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self._assign(small.target, self._eval(small.value, frame), frame)
        elif isinstance(small, cst.AugAssign):
            self._eval(small.value, frame)
            if isinstance(small.target, cst.Name):
                frame.env[small.target.value] = UNKNOWN
        elif isinstance(small, cst.Return):
            frame.returns.append(self._eval(small.value, frame) if small.value is not None else None)
            return True
        elif isinstance(small, cst.Raise):
            return True
        return False

    def _walk_if(self, statement: cst.If, frame: Frame) -> Tri:
        condition = _truth(self._eval(statement.test, frame))
        orelse = statement.orelse
        if condition is True:
            return self._walk_block(_block(statement.body), frame)
        if condition is False:
            return self._walk_else(orelse, frame)
        before = dict(self.marks)
        names_before, attrs_before = dict(frame.env), dict(frame.instance.attrs)
        outer = frame.level
        frame.level = min(outer, Tri.MAYBE)
        first = self._walk_block(_block(statement.body), frame)
        after_first = self.marks
        names_first, attrs_first = dict(frame.env), dict(frame.instance.attrs)
        self.marks = dict(before)
        frame.env.clear()
        frame.env.update(names_before)
        frame.instance.attrs.clear()
        frame.instance.attrs.update(attrs_before)
        frame.level = min(outer, Tri.MAYBE)
        second = self._walk_else(orelse, frame)
        after_second = self.marks
        frame.level = outer
        # What a name holds after the `if`: either branch's value (a branch that returned has none).
        for mapping, first_values in ((frame.env, names_first), (frame.instance.attrs, attrs_first)):
            if second == Tri.YES:
                mapping.clear()
                mapping.update(first_values)
            elif first != Tri.YES:
                for key, value in first_values.items():
                    if key not in mapping:
                        mapping[key] = value
                    elif mapping[key] is not value:
                        mapping[key] = _choice(value, mapping[key])
        merged = dict(before)
        for key in set(after_first) | set(after_second):
            base = before.get(key, Tri.NO)
            merged[key] = Tri.merge_branches(after_first.get(key, base), after_second.get(key, base))
        self.marks = merged
        if first == Tri.YES and second == Tri.YES:
            return Tri.YES
        return Tri.MAYBE if Tri.YES in (first, second) or Tri.MAYBE in (first, second) else Tri.NO

    def _walk_else(self, orelse, frame: Frame) -> Tri:
        if orelse is None:
            return Tri.NO
        if isinstance(orelse, cst.If):
            return self._walk_if(orelse, frame)
        return self._walk_block(_block(orelse.body), frame)

    def _walk_for(self, statement: cst.For, frame: Frame) -> Tri:
        iterable = self._eval(statement.iter, frame)
        if isinstance(iterable, _Iteration):
            self._run_iteration(iterable, statement.target, _block(statement.body), frame, statement)
            return Tri.NO
        outer_loop = frame.in_loop
        frame.in_loop = True
        # `for m in self.layers:` runs once per kind of module in the container, so that
        # `isinstance(m, nn.Linear)` is decided for each kind, as it is at run time.
        for element in _elements_by_kind(iterable):
            self._assign(statement.target, element, frame)
            self._walk_block(_block(statement.body), frame)
        frame.in_loop = outer_loop
        if statement.orelse is not None:
            self._walk_block(_block(statement.orelse.body), frame)
        return Tri.NO

    # ---------------------------------------------------------------- assignment

    def _assign(self, target: cst.BaseExpression, value: object, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            frame.env[target.value] = value
            self._give_address(value, target.value, frame)
        elif isinstance(target, (cst.Tuple, cst.List)):
            values = value if isinstance(value, tuple) else None
            if isinstance(value, ContainerValue) and not value.repeated:
                values = tuple(value.items)
            for i, element in enumerate(target.elements):
                item = values[i] if values is not None and i < len(values) else UNKNOWN
                self._assign(element.value, item, frame)
        elif isinstance(target, cst.Attribute):
            owner = self._eval(target.value, frame)
            name = target.attr.value
            if isinstance(owner, SelfValue):
                frame.instance.attrs[name] = value
                self._give_address(value, f"{frame.self_name or 'self'}.{name}", frame)
            elif name in PARAMS:
                self._mark_target(owner, name, frame)
            elif name == "data" and isinstance(owner, (TensorValue, DispatchTensor, ChoiceValue)):
                self._mark_tensor(owner, frame)
        elif isinstance(target, cst.Subscript):
            owner = self._eval(target.value, frame)
            if isinstance(owner, (TensorValue, DispatchTensor)):
                self._mark_tensor(owner, frame)
            elif isinstance(owner, ContainerValue):
                key = _subscript_key(target, self, frame)
                if isinstance(key, str):
                    owner.keys[key] = _branch_join(owner.keys, key, value, frame)
                owner.items.append(value)

    def _give_address(self, value: object, expr: str, frame: Frame) -> None:
        """Record how to reach layers built by the current statement, for the fixer."""
        if isinstance(value, LayerValue):
            for site in value.sites:
                if site.address is None and site.statement is frame.statement and site.statement is not None:
                    site.address = Address(expr)
        elif isinstance(value, ContainerValue):
            if value.repeated:
                loop_over = f"{expr}.values()" if value.dict_like else expr
                for item in value.items:
                    if isinstance(item, LayerValue):
                        for site in item.sites:
                            if site.address is None and site.statement is frame.statement:
                                site.address = Address(loop_over, loop=True)
                return
            key_of = {id(v): k for k, v in value.keys.items()}
            for index, item in enumerate(value.items):
                key = key_of.get(id(item))
                if key is not None and getattr(value, "dict_like", False):
                    self._give_address(item, f"{expr}[{key!r}]", frame)
                else:
                    self._give_address(item, f"{expr}[{index}]", frame)

    # ---------------------------------------------------------------- init marks

    def _mark(self, key, param: str, frame: Frame, level: Tri = Tri.YES, site: Optional[LayerSite] = None) -> None:
        # After a statement that may have returned, writes may not happen, unless the layer itself
        # was built after that point too (`if done: return; self.fc = ...; init(self.fc.weight)`).
        if site is None or site.reach > frame.reach:
            level = min(level, frame.reach)
        self.marks[(key, param)] = max(self.marks.get((key, param), Tri.NO), level)

    def _mark_tensor(self, tensor: object, frame: Frame, level: Tri = Tri.YES) -> None:
        if isinstance(tensor, ChoiceValue):
            for option in tensor.options:
                self._mark_tensor(option, frame, level)
        elif isinstance(tensor, TensorValue):
            for site in tensor.sites:
                self._mark(id(site), tensor.param, frame, level, site)
        elif isinstance(tensor, DispatchTensor):
            self._mark(("D", tensor.spec.name), tensor.param, frame, level)

    def _mark_target(self, owner: object, param: str, frame: Frame) -> None:
        if isinstance(owner, LayerValue):
            for site in owner.sites:
                self._mark(id(site), param, frame, site=site)
        elif isinstance(owner, DispatchModule) and owner.spec is not None:
            self._mark(("D", owner.spec.name), param, frame)

    def _mark_module(self, value: object, frame: Frame, level: Tri, params: tuple = PARAMS) -> None:
        """Code writes (or may write) every parameter of `value`."""
        if isinstance(value, LayerValue):
            for site in value.sites:
                for param in params:
                    self._mark(id(site), param, frame, level, site=site)
        elif isinstance(value, DispatchModule) and value.spec is not None:
            for param in params:
                self._mark(("D", value.spec.name), param, frame, level)
        elif isinstance(value, (SelfValue, ModuleInstance, ContainerValue)):
            self._dispatch_all(value, frame, level)
        elif isinstance(value, (TensorValue, DispatchTensor)):
            self._mark_tensor(value, frame, level)

    def _dispatch_all(self, receiver: object, frame: Frame, level: Tri, node: Optional[cst.CSTNode] = None) -> None:
        coverage = {name: {WEIGHT: level, BIAS: level} for name in LAYERS}
        self._record_dispatch(receiver, coverage, frame, node, level)

    # ---------------------------------------------------------------- expressions

    def _eval(self, node: Optional[cst.BaseExpression], frame: Frame) -> object:
        if node is None:
            return None
        if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
            # Dispatch bodies are read once per layer type: decode each literal once.
            key = id(node)
            if key not in self._literals:
                self._literals[key] = _integer(node.value) if isinstance(node, cst.Integer) else \
                    _float(node.value) if isinstance(node, cst.Float) else _string(node)
            return self._literals[key]
        if isinstance(node, cst.ConcatenatedString):
            value = node.evaluated_value
            return value if isinstance(value, str) else UNKNOWN
        if isinstance(node, cst.Name):
            return self._eval_name(node, frame)
        if isinstance(node, cst.Attribute):
            return self._eval_attribute(node, frame)
        if isinstance(node, cst.Call):
            return self._eval_call(node, frame)
        if isinstance(node, cst.Subscript):
            return self._eval_subscript(node, frame)
        if isinstance(node, cst.BinaryOperation):
            return self._eval_binary(node, frame)
        if isinstance(node, cst.UnaryOperation):
            operand = self._eval(node.expression, frame)
            if isinstance(node.operator, cst.Minus):
                if isinstance(operand, (int, float)) and not isinstance(operand, bool):
                    return -operand
                return Negated(operand) if isinstance(operand, (InvSqrt, Symbol)) else UNKNOWN
            if isinstance(node.operator, cst.Not):
                truth = _truth(operand)
                return UNKNOWN if truth is None else not truth
            return UNKNOWN
        if isinstance(node, cst.BooleanOperation):
            return self._eval_boolean(node, frame)
        if isinstance(node, cst.Comparison):
            return self._eval_comparison(node, frame)
        if isinstance(node, cst.IfExp):
            test = _truth(self._eval(node.test, frame))
            if test is True:
                return self._eval(node.body, frame)
            if test is False:
                return self._eval(node.orelse, frame)
            return _choice(self._eval(node.body, frame), self._eval(node.orelse, frame))
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            items = self._eval_elements(node.elements, frame)
            if all(_is_plain(v) for v in items) and isinstance(node, cst.Tuple):
                return tuple(items)
            return ContainerValue(items)
        if isinstance(node, cst.Dict):
            container = ContainerValue([])
            container.dict_like = True
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    key = self._eval(element.key, frame)
                    value = self._eval(element.value, frame)
                    container.items.append(value)
                    if isinstance(key, str):
                        container.keys[key] = value
            return container
        if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return self._eval_comprehension(node, node.elt, frame)
        if isinstance(node, cst.DictComp):
            container = self._eval_comprehension(node, node.value, frame)
            container.dict_like = True
            return container
        if isinstance(node, cst.Lambda):
            return FunctionValue(node, None)
        if isinstance(node, cst.NamedExpr):
            value = self._eval(node.value, frame)
            self._assign(node.target, value, frame)
            return value
        if isinstance(node, cst.FormattedString):
            text = ""
            for part in node.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    value = self._eval(part.expression, frame)
                    if part.format_spec or part.conversion or not isinstance(value, (int, str)) or isinstance(value, bool):
                        text = None
                    elif text is not None:
                        text += str(value)
                elif text is not None:
                    text += part.value
            return text if text is not None else UNKNOWN
        return UNKNOWN

    def _eval_elements(self, elements, frame: Frame) -> list:
        items: list = []
        for element in elements:
            value = self._eval(element.value, frame)
            if isinstance(element, cst.StarredElement):
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
        inner = Frame(dict(frame.env), frame.instance, frame.method_owner, frame.self_name, frame.depth,
                      frame.statement, level=frame.level, dispatch_spec=frame.dispatch_spec, in_loop=True,
                      in_comprehension=True)
        comp = node.for_in
        while comp is not None:
            iterable = self._eval(comp.iter, inner)
            self._assign(comp.target, _element_of(iterable), inner)
            for condition in comp.ifs:
                self._eval(condition.test, inner)
            comp = comp.inner_for_in
        return ContainerValue([self._eval(element, inner)], repeated=True)

    def _eval_name(self, node: cst.Name, frame: Frame) -> object:
        name = node.value
        if name in frame.env:
            return frame.env[name]
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        return self._eval_global(name, node)

    def _eval_global(self, name: str, node: cst.CSTNode) -> object:
        if name in self.extra_layers and self.imports.bindings.get(name, "").startswith(LOCAL):
            return TorchClass(self.extra_layers[name])
        if name in self.classes.classes:
            info = self.classes.classes[name]
            if info.is_module != Tri.NO:
                self.facts.class_refs.add(name)
            return OtherClass(f"{LOCAL}.{name}")
        if name in self.functions:
            return FunctionValue(self.functions[name], None)
        if name in self.module_assigns:
            return self._module_value(name)
        qualified = self.imports.bindings.get(name)
        if qualified is not None:
            return self._external(qualified)
        if name in ("isinstance", "type", "len", "hasattr", "getattr", "super", "range", "zip", "enumerate", "int",
                    "float", "max", "min", "abs", "round", "sum", "tuple", "list", "reversed", "sorted", "bool", "str",
                    "dict", "iter", "next", "print", "setattr", "callable", "any", "all", "issubclass"):
            return _Builtin(name)
        return UNKNOWN

    def _module_value(self, name: str) -> object:
        if name not in self._module_values:
            self._module_values[name] = UNKNOWN
            node = self.module_assigns[name]
            frame = Frame({}, Instance(None), None, None, MAX_DEPTH)
            value = self._eval(node, frame)
            self._module_values[name] = value if (_is_plain(value) or isinstance(
                value, (TorchClass, PartialValue, FunctionValue, OtherClass, _External, ChoiceValue))) else UNKNOWN
        return self._module_values[name]

    def _external(self, qualified: str) -> object:
        if qualified.rsplit(".", 1)[-1][:1].isupper() and not qualified.startswith("torch."):
            self.facts.external_refs.add(qualified)
        extra = self.extra_layers.get(qualified) or self.extra_layers.get(qualified.rsplit(".", 1)[-1])
        if extra is not None:
            return TorchClass(extra)
        torch_class = lookup_torch_class(qualified)
        if torch_class is not None:
            return TorchClass(torch_class)
        if qualified.startswith("torch.nn.") and qualified.rsplit(".", 1)[-1] in CONTAINERS | NON_DRAWING_MODULES:
            return _External(qualified)
        return _External(qualified)

    def _eval_attribute(self, node: cst.Attribute, frame: Frame) -> object:
        attr = node.attr.value
        dotted = dotted_name(node)
        if dotted is not None:
            head = dotted.split(".")[0]
            if head not in frame.env and head not in self.functions and head not in self.classes.classes \
                    and head not in self.module_assigns:
                qualified = self.imports.qualify(node)
                if qualified is not None:
                    return self._external(qualified)
        owner = self._eval(node.value, frame)
        return self._attribute_of(owner, attr, frame)

    def _attribute_of(self, owner: object, attr: str, frame: Frame) -> object:
        if isinstance(owner, SelfValue):
            if attr in frame.instance.attrs:
                return frame.instance.attrs[attr]
            info = frame.instance.owner
            if info is not None:
                found = self.classes.find_method(info, attr)
                if found is not None:
                    return FunctionValue(found[1], found[0].name, bound_self=True)
            return _SelfMember(attr)
        if isinstance(owner, SuperValue):
            return _SuperMember(attr)
        if isinstance(owner, LayerValue):
            if attr in PARAMS:
                return TensorValue(owner.sites, attr)
            if attr == "__class__":
                return _choice(*[TorchClass(s.spec.name) for s in owner.sites])
            if len(owner.sites) == 1:
                value = owner.sites[0].args.get(attr, UNKNOWN)
                if value is not UNKNOWN:
                    return value
            return _Member(owner, attr)
        if isinstance(owner, DispatchModule):
            if owner.spec is None:
                return UNKNOWN
            if attr in PARAMS:
                return DispatchTensor(owner.spec, attr)
            if attr == "__class__":
                return TorchClass(owner.spec.name)
            return _Member(owner, attr)
        if isinstance(owner, (TensorValue, DispatchTensor)):
            if attr == "data":
                return owner
            if attr == "shape":
                return _Shape(owner)
            if attr == "ndim":
                return _ndim(owner)
            return _Member(owner, attr)
        if isinstance(owner, TorchClass):
            if attr == "__name__":
                return owner.name
            return UNKNOWN
        if isinstance(owner, OtherClass) and owner.name.startswith(LOCAL + ".") and attr in self.classes.classes:
            info = self.classes.classes[attr]
            if info.is_module != Tri.NO:
                self.facts.class_refs.add(attr)
            return OtherClass(f"{LOCAL}.{attr}")
        if isinstance(owner, str):
            return _Member(owner, attr)
        if isinstance(owner, _External):
            return self._external(f"{owner.qualified}.{attr}")
        if isinstance(owner, ContainerValue):
            if attr in owner.keys:
                return owner.keys[attr]
            return _Member(owner, attr)
        if isinstance(owner, ModuleInstance) and owner.build.child is not None:
            child_attrs = self.facts.attrs.get(owner.build.child)
            if child_attrs is not None and attr in child_attrs:
                return child_attrs[attr]
            return _Member(owner, attr)
        if isinstance(owner, ChoiceValue):
            options = [self._attribute_of(o, attr, frame) for o in owner.options if o is not None]
            known = [o for o in options if o is not UNKNOWN and not isinstance(o, _Member)]
            if known and (len(known) == len(options) or attr in PARAMS):
                # `self.fc.weight` where self.fc is a layer or something unknown: a write reaches the layer
                # whenever the layer is what self.fc holds.
                return _choice(*known)
            return _Member(owner, attr)
        if isinstance(owner, ModuleInstance):
            return _Member(owner, attr)
        return UNKNOWN

    def _eval_subscript(self, node: cst.Subscript, frame: Frame) -> object:
        owner = self._eval(node.value, frame)
        key = _subscript_key(node, self, frame)
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
                return _join(owner.items)
            if isinstance(key, str) and key in owner.keys:
                return owner.keys[key]
            if isinstance(key, int) and not isinstance(key, bool) and -len(owner.items) <= key < len(owner.items):
                return owner.items[key]
            return _join(owner.items) if key is UNKNOWN else UNKNOWN
        if isinstance(owner, tuple) and isinstance(key, int) and -len(owner) <= key < len(owner):
            return owner[key]
        if isinstance(owner, _Shape) and isinstance(key, int):
            return _dim_symbol(owner.tensor, key)
        return UNKNOWN

    def _eval_binary(self, node: cst.BinaryOperation, frame: Frame) -> object:
        left = self._eval(node.left, frame)
        right = self._eval(node.right, frame)
        op = node.operator
        if _is_number(left) and _is_number(right):
            try:
                if isinstance(op, cst.Add):
                    return left + right
                if isinstance(op, cst.Subtract):
                    return left - right
                if isinstance(op, cst.Multiply):
                    return left * right
                if isinstance(op, cst.Divide):
                    return left / right
                if isinstance(op, cst.FloorDivide):
                    return left // right
                if isinstance(op, cst.Power):
                    return left ** right if abs(right) < 64 else UNKNOWN
                if isinstance(op, cst.Modulo):
                    return left % right
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                return UNKNOWN
            return UNKNOWN
        if isinstance(op, cst.Divide) and _is_number(left) and left in (1, -1) and isinstance(right, _Sqrt):
            return InvSqrt(right.of) if left == 1 else Negated(InvSqrt(right.of))
        if isinstance(op, cst.Divide) and _is_number(left) and left == 1:
            return _Reciprocal(right)
        if isinstance(op, cst.Power) and _is_number(right) and right == -0.5:
            return InvSqrt(left)
        if isinstance(op, cst.Add) and isinstance(left, str) and isinstance(right, str):
            return left + right
        if isinstance(op, cst.Multiply) and isinstance(left, (Symbol, int)) and isinstance(right, (Symbol, int)):
            return _Product((left, right))
        return UNKNOWN

    def _eval_boolean(self, node: cst.BooleanOperation, frame: Frame) -> object:
        left = _truth(self._eval(node.left, frame))
        if isinstance(node.operator, cst.And):
            if left is False:
                return False
            right = _truth(self._eval(node.right, frame))
            if right is False:
                return False
            return True if left is True and right is True else UNKNOWN
        if left is True:
            return True
        right = _truth(self._eval(node.right, frame))
        if right is True:
            return True
        return False if left is False and right is False else UNKNOWN

    def _eval_comparison(self, node: cst.Comparison, frame: Frame) -> object:
        left = self._eval(node.left, frame)
        result: object = True
        for target in node.comparisons:
            right = self._eval(target.comparator, frame)
            outcome = _compare(left, target.operator, right)
            if outcome is False:
                return False
            if outcome is UNKNOWN:
                result = UNKNOWN
            left = right
        return result

    # ---------------------------------------------------------------- calls

    def _eval_call(self, node: cst.Call, frame: Frame) -> object:
        func = node.func
        if isinstance(func, cst.Name) and func.value in self.classes.classes and func.value not in frame.env \
                and func.value not in self.extra_layers:
            # Calling a class of the file builds it: not a reference passed around (see class_refs).
            callee: object = OtherClass(f"{LOCAL}.{func.value}")
        else:
            callee = self._eval(func, frame)
        args: list = []
        kwargs: dict = {}
        for arg in node.args:
            value = self._eval(arg.value, frame)
            if arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            elif arg.star == "*":
                if isinstance(value, ContainerValue) and not value.repeated:
                    args.extend(value.items)
                elif isinstance(value, tuple):
                    args.extend(value)
                else:
                    args.append(_Starred(value))
            elif arg.star == "**":
                kwargs["**"] = value
            else:
                args.append(value)
        return self._call(callee, args, kwargs, node, frame)

    def _call(self, callee: object, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        if isinstance(callee, TorchClass):
            if callee.name in LAYERS:
                return self._construct(LAYERS[callee.name], args, kwargs, node, frame)
            return UNKNOWN
        if isinstance(callee, _DefaultClass):
            value = self._call(callee.of, args, kwargs, node, frame)
            if isinstance(value, LayerValue):
                for site in value.sites:
                    site.type_from_default = True
            return value
        if isinstance(callee, ChoiceValue):
            before = dict(self.marks)
            results, outcomes = [], []
            for option in callee.options:
                self.marks = dict(before)
                results.append(self._call(option, list(args), dict(kwargs), node, frame))
                outcomes.append(self.marks)
            merged = dict(before)
            for key in set().union(*outcomes):
                base = before.get(key, Tri.NO)
                levels = [outcome.get(key, base) for outcome in outcomes]
                merged[key] = levels[0] if all(level == levels[0] for level in levels) else Tri.MAYBE
            self.marks = merged
            return _join(results)
        if isinstance(callee, PartialValue):
            return self._call(callee.callee, list(callee.args) + args, {**callee.kwargs, **kwargs}, node, frame)
        if isinstance(callee, _External):
            return self._call_external(callee.qualified, args, kwargs, node, frame)
        if isinstance(callee, _Builtin):
            return self._call_builtin(callee.name, args, kwargs, node, frame)
        if isinstance(callee, OtherClass):
            name = callee.name[len(LOCAL) + 1:] if callee.name.startswith(LOCAL + ".") else None
            info = self.classes.get(name) if name else None
            if info is not None and info.is_module != Tri.NO:
                return self._build(name, node, frame)
            self._escape(args, kwargs, frame)
            return UNKNOWN
        if isinstance(callee, FunctionValue) and isinstance(callee.node, cst.FunctionDef) \
                and callee.node.name.value == "named_apply":
            fn = args[0] if args else kwargs.get("fn")
            module = args[1] if len(args) > 1 else kwargs.get("module")
            if fn is not None and module is not None:
                self._apply(module, fn, node, frame, named=True)
                return None
        if isinstance(callee, FunctionValue):
            owner = self.classes.get(callee.owner) if callee.owner else frame.method_owner
            if callee.bound_self:
                return self._call_function(callee, args, kwargs, frame.instance, owner, depth=frame.depth,
                                           dispatch_spec=frame.dispatch_spec, in_loop=frame.in_loop, level=frame.level)
            return self._call_function(callee, args, kwargs, frame.instance, frame.method_owner, depth=frame.depth,
                                       dispatch_spec=frame.dispatch_spec, in_loop=frame.in_loop, level=frame.level)
        if isinstance(callee, _SuperMember):
            return self._call_super(callee.name, args, kwargs, node, frame)
        if isinstance(callee, _SelfMember):
            return self._call_self_member(callee.name, args, kwargs, node, frame)
        if isinstance(callee, _Member):
            return self._call_method(callee.owner, callee.name, args, kwargs, node, frame)
        # An unknown callable: `block(...)`, `norm_layer(dim)`, `self.head_cls(...)`.
        name = _callee_name(node)
        function = initops.init_function_name(None, name)
        if function is not None and args:
            return self._init_call(function, args, kwargs, node, frame)
        self._escape(args, kwargs, frame)
        if callee is UNKNOWN and frame.instance.owner is not None or callee is UNKNOWN and self.entry == "<module>":
            return self._build(None, node, frame)
        return UNKNOWN

    def _escape(self, args: list, kwargs: dict, frame: Frame) -> None:
        """Values handed to code the analysis cannot see: it may initialize them."""
        for value in list(args) + list(kwargs.values()):
            if isinstance(value, (LayerValue, TensorValue, DispatchTensor, DispatchModule, SelfValue, ModuleInstance)):
                self._mark_module(value, frame, Tri.MAYBE)

    def _construct(self, spec: LayerSpec, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> LayerValue:
        bound: dict = {}
        for name, value in zip(spec.signature, args):
            bound[name] = value
        for name, value in kwargs.items():
            if name in spec.signature:
                bound[name] = value
        has_unknown_spread = any(isinstance(a, _Starred) for a in args) or "**" in kwargs
        bias_value = bound.get("bias", True if not has_unknown_spread else UNKNOWN)
        bias = Tri.YES if bias_value is True else Tri.NO if bias_value is False else Tri.MAYBE
        if has_unknown_spread:
            bound = {k: v for k, v in bound.items() if k not in ("bias",)}
        # The statement being walked holds the call: frames of inlined functions and of default
        # values have their own (or none), so no walk of the statement is needed here.
        statement = frame.statement
        site = LayerSite(spec, node, bound, bias, frame.instance.owner.name if frame.instance.owner else None,
                         self.entry, next(self.seq), statement, None, frame.in_loop)
        site.reach = frame.reach
        site.in_comprehension = frame.in_comprehension
        frame.instance.sites.append(site)
        self.facts.sites.append(site)
        return LayerValue((site,))

    def _build(self, child: Optional[str], node: cst.Call, frame: Frame, external: Optional[str] = None) -> ModuleInstance:
        parent = frame.instance.owner.name if frame.instance.owner else None
        event = BuildEvent(parent, self.entry, next(self.seq), child, node, external)
        frame.instance.builds.append(event)
        self.facts.builds.append(event)
        return ModuleInstance(event)

    def _call_builtin(self, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        if name == "super":
            return SuperValue()
        if name == "isinstance" and len(args) == 2:
            return _isinstance(args[0], args[1])
        if name == "issubclass":
            return UNKNOWN
        if name == "type" and len(args) == 1:
            value = args[0]
            if isinstance(value, DispatchModule) and value.spec is not None:
                return TorchClass(value.spec.name)
            if isinstance(value, LayerValue) and len(value.sites) == 1:
                return TorchClass(value.sites[0].spec.name)
            return UNKNOWN
        if name == "hasattr" and len(args) == 2 and isinstance(args[1], str):
            if isinstance(args[0], (DispatchModule, LayerValue)):
                specs = [args[0].spec] if isinstance(args[0], DispatchModule) else [s.spec for s in args[0].sites]
                if any(spec is None for spec in specs):
                    return UNKNOWN
                return all(_layer_has_attribute(spec, args[1]) for spec in specs)
            return UNKNOWN
        if name == "getattr" and len(args) >= 2 and isinstance(args[1], str):
            return self._attribute_of(args[0], args[1], frame)
        if name == "len" and args:
            if isinstance(args[0], (TensorValue, DispatchTensor)):
                return _dim_symbol(args[0], 0)
            if isinstance(args[0], (tuple, str)):
                return len(args[0])
            return UNKNOWN
        if name in ("range", "zip", "enumerate", "reversed", "sorted", "iter", "list", "tuple"):
            if name == "enumerate" and args:
                return ContainerValue([(UNKNOWN, _element_of(args[0]))], repeated=True)
            if name == "zip":
                return ContainerValue([tuple(_element_of(a) for a in args)], repeated=True)
            if name in ("list", "tuple", "reversed", "sorted", "iter") and args:
                inner = args[0]
                if isinstance(inner, _Iteration):
                    return inner
                if isinstance(inner, ContainerValue):
                    return inner
                return ContainerValue([_element_of(inner)], repeated=True)
            return ContainerValue([UNKNOWN], repeated=True)
        if name in ("int", "float") and args and _is_number(args[0]):
            return int(args[0]) if name == "int" else float(args[0])
        if name in ("max", "min") and args and all(_is_number(a) for a in args):
            return max(args) if name == "max" else min(args)
        if name == "setattr" and len(args) == 3 and isinstance(args[0], SelfValue) and isinstance(args[1], str):
            frame.instance.attrs[args[1]] = args[2]
            return None
        if name in BUILTIN_PURE or name in ("print", "any", "all", "callable", "bool", "str", "dict", "next"):
            return UNKNOWN
        return UNKNOWN

    def _call_external(self, qualified: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        tail = qualified.rsplit(".", 1)[-1]
        if qualified in ("functools.partial",) and args:
            target, rest = args[0], args[1:]
            if isinstance(target, FunctionValue):
                return FunctionValue(target.node, target.owner, target.bound_self, tuple(target.args) + tuple(rest),
                                     {**target.kwargs, **kwargs})
            return PartialValue(target, tuple(rest), kwargs)
        if qualified in SQRT_FUNCTIONS and args:
            inner = args[0]
            if isinstance(inner, _Reciprocal):
                return InvSqrt(inner.of)
            return _Sqrt(inner)
        if qualified.startswith("torch.nn.init."):
            if tail == "_calculate_fan_in_and_fan_out" and args:
                return (_fan_symbol(args[0], "fan_in"), _fan_symbol(args[0], "fan_out"))
            if tail == "_calculate_correct_fan" and args:
                mode = args[1] if len(args) > 1 else kwargs.get("mode", "fan_in")
                return _fan_symbol(args[0], mode) if mode in ("fan_in", "fan_out") else UNKNOWN
        if qualified.startswith("torch.nn.") and tail in CONTAINERS:
            items = list(args)
            container = ContainerValue([])
            if tail in ("ModuleDict", "ParameterDict") and len(items) == 1 and isinstance(items[0], ContainerValue) \
                    and not items[0].dict_like:
                items = [_pairs_to_mapping(items[0])]
            for item in items:
                if isinstance(item, ContainerValue) and (item.keys or item.dict_like):
                    container.keys.update(item.keys)
                    container.items.extend(item.items)
                    container.dict_like = tail in ("ModuleDict", "ParameterDict")
                    container.repeated = item.repeated
                elif isinstance(item, ContainerValue) and tail != "Sequential":
                    container.items.extend(item.items)
                    container.repeated = item.repeated
                elif isinstance(item, _Starred):
                    container.repeated = True
                    container.items.append(_element_of(item.of))
                else:
                    container.items.append(item)
            return container
        if qualified in ("collections.OrderedDict", "typing.OrderedDict") and args:
            container = ContainerValue([])
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
            container.dict_like = False
            return container
        if qualified in ("collections.OrderedDict", "typing.OrderedDict"):
            container = ContainerValue([])
            return container
        if qualified in ("torch.nn.Parameter", "torch.nn.parameter.Parameter") and args:
            return args[0] if isinstance(args[0], OneDimTensor) else _NewTensor()
        if qualified.startswith("torch.") and tail in ("zeros", "ones", "randn", "rand", "empty", "full") and args:
            shape = args[0]
            if tail != "full" and len(args) == 1 and isinstance(shape, int) and not isinstance(shape, bool):
                return OneDimTensor()
            if isinstance(shape, tuple) and len(shape) == 1:
                return OneDimTensor()
            return _NewTensor(constant=1 if tail == "ones" else 0 if tail == "zeros" else
                              (args[1] if tail == "full" and len(args) > 1 else None))
        if qualified in ("torch.nn.utils.skip_init",) and args:
            target = args[0]
            value = self._call(target, args[1:], kwargs, node, frame)
            if isinstance(value, LayerValue):
                for site in value.sites:
                    site.cover = {WEIGHT: Tri.YES, BIAS: Tri.YES}
                    site.skip_init = True
            return value
        if is_named_apply(qualified, qualified):
            fn = args[0] if args else kwargs.get("fn")
            module = args[1] if len(args) > 1 else kwargs.get("module")
            if fn is not None and module is not None:
                self._apply(module, fn, node, frame, named=True)
                return None
        function = initops.init_function_name(qualified, None)
        if function is None and is_init_function_module(qualified):
            function = tail
        if function is not None and (args or kwargs.get("tensor") is not None or kwargs.get("module") is not None):
            return self._init_call(function, args, kwargs, node, frame)
        if qualified.startswith("torch.nn.") and tail in NON_DRAWING_MODULES:
            return _NonDrawing()
        self._escape(args, kwargs, frame)
        if tail[:1].isupper() and not qualified.startswith(("torch.", "typing.", "collections.")):
            # A class from another module (`Mlp(...)` from `.layers`): in project mode, the model that
            # builds it passes its init on to it.
            return self._build(None, node, frame, external=qualified)
        return UNKNOWN

    def _call_super(self, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        owner = frame.method_owner
        if owner is None or frame.instance.owner is None:
            return UNKNOWN
        found = self.classes.find_method(frame.instance.owner, name, after=owner)
        if found is not None:
            return self._call_function(FunctionValue(found[1], found[0].name, bound_self=True), args, kwargs,
                                       frame.instance, found[0], depth=frame.depth, dispatch_spec=frame.dispatch_spec,
                                       in_loop=frame.in_loop, level=frame.level)
        framework = self.classes.framework(frame.instance.owner)
        if framework is not None and name == framework.dispatch_method and args:
            self._framework_base_dispatch(framework, args[0], frame)
            return None
        if name == "__init__" and frame.instance.owner.container_base:
            if len(args) == 1 and isinstance(args[0], ContainerValue) and (args[0].keys or args[0].dict_like):
                args = list(args[0].items)  # `super().__init__(OrderedDict(...))`: named children, by position
            for index, item in enumerate(args):
                frame.instance.attrs[f"<{index}>"] = item
                self._give_address(item, f"{frame.self_name or 'self'}[{index}]", frame)
            for key, item in kwargs.items():
                frame.instance.attrs[key] = item
            return None
        if name == "__init__":
            if self.classes.has_external_bases(frame.instance.owner) and frame.instance.sites:
                self._dispatch_all(SelfValue(), frame, Tri.MAYBE, node)
            return None
        if self.classes.has_external_bases(frame.instance.owner):
            self._escape(args, kwargs, frame)
            self._dispatch_all(SelfValue(), frame, Tri.MAYBE, node)
        return UNKNOWN

    def _framework_base_dispatch(self, framework, module: object, frame: Frame) -> None:
        if isinstance(module, DispatchModule) and module.spec is not None:
            if module.spec.name in framework.base_covers:
                for param in PARAMS:
                    self._mark(("D", module.spec.name), param, frame)
        elif isinstance(module, LayerValue):
            for site in module.sites:
                if site.spec.name in framework.base_covers:
                    for param in PARAMS:
                        self._mark(id(site), param, frame, site=site)

    def _call_self_member(self, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`self.name(...)` where no method of the file defines `name`."""
        if name in ("apply",) and args:
            self._apply(SelfValue(), args[0], node, frame)
            return None
        if name in ("modules", "named_modules", "children", "named_children", "parameters", "named_parameters"):
            return _Iteration(SelfValue(), name, frame.instance)
        if name in ("add_module", "register_module") and len(args) >= 2:
            if isinstance(args[0], str):
                frame.instance.attrs[args[0]] = args[1]
                self._give_address(args[1], f"{frame.self_name or 'self'}.{args[0]}", frame)
            else:
                frame.instance.attrs[f"<added {len(frame.instance.attrs)}>"] = args[1]
            return None
        if name in ("register_buffer", "register_parameter", "to", "cuda", "cpu", "float", "double", "half",
                    "train", "eval", "requires_grad_", "zero_grad", "type", "bfloat16", "extra_repr"):
            return None
        info = frame.instance.owner
        framework = self.classes.framework(info) if info is not None else None
        if framework is not None and name == framework.init_hook:
            found = self.classes.find_method(info, framework.dispatch_method) if framework.dispatch_method else None
            if found is not None:
                self._apply(SelfValue(), FunctionValue(found[1], found[0].name, bound_self=True), node, frame)
            else:
                coverage = {n: {WEIGHT: Tri.YES if n in framework.base_covers else Tri.NO,
                                BIAS: Tri.YES if n in framework.base_covers else Tri.NO} for n in LAYERS}
                self._record_dispatch(SelfValue(), coverage, frame, node, frame.level)
            return None
        if info is not None and (self.classes.has_external_bases(info) or
                                 (framework is not None and framework.init_hook is not None)):
            # A method of a base class from another package: it may initialize anything built so far.
            self._escape(args, kwargs, frame)
            self._dispatch_all(SelfValue(), frame, Tri.MAYBE, node)
            return UNKNOWN
        self._escape(args, kwargs, frame)
        return UNKNOWN

    def _call_method(self, owner: object, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        if isinstance(owner, str):
            return _string_method(owner, name, args)
        if isinstance(owner, (TensorValue, DispatchTensor)):
            return self._tensor_method(owner, name, args, kwargs, node, frame)
        if isinstance(owner, ContainerValue):
            if name == "append" and args:
                owner.items.append(args[0])
                if isinstance(args[0], LayerValue) and isinstance(node.func, cst.Attribute):
                    base = dotted_name(node.func.value)
                    if base is not None:
                        for site in args[0].sites:
                            if site.address is None and site.statement is frame.statement and site.statement is not None:
                                site.address = Address(f"{base}[-1]")
                return None
            if name == "extend" and args:
                owner.items.extend(args[0].items if isinstance(args[0], ContainerValue) else [args[0]])
                return None
            if name in ("add_module", "register_module") and len(args) >= 2:
                owner.items.append(args[1])
                if isinstance(args[0], str):
                    owner.keys[args[0]] = args[1]
                return None
            if name in ("apply",) and args:
                self._apply(owner, args[0], node, frame)
                return owner
            if name in ("modules", "named_modules", "children", "named_children", "parameters", "named_parameters"):
                return _Iteration(owner, name, frame.instance)
            if name in ("values", "items", "keys"):
                if name == "items":
                    return ContainerValue([(k, v) for k, v in owner.keys.items()] or [(UNKNOWN, _join(owner.items))])
                return ContainerValue(list(owner.items))
            if name == "insert" and len(args) == 2:
                owner.items.append(args[1])
                return None
            self._escape(args, kwargs, frame)
            return UNKNOWN
        if isinstance(owner, (LayerValue, DispatchModule, ModuleInstance)):
            if name == "reset_parameters":
                self._mark_module(owner, frame, Tri.YES)
                return None
            if name in ("load_state_dict",):
                self._mark_module(owner, frame, Tri.YES)
                return UNKNOWN
            if name == "apply" and args:
                self._apply(owner, args[0], node, frame)
                return owner
            if name in ("modules", "named_modules", "children", "named_children", "parameters", "named_parameters"):
                return _Iteration(owner, name, frame.instance)
            if name in ("to", "cuda", "cpu", "float", "double", "half", "requires_grad_", "train", "eval"):
                return owner
            if name in ("register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook"):
                return UNKNOWN
            self._escape(args, kwargs, frame)
            if isinstance(owner, (DispatchModule, LayerValue)) and not _layer_has_attribute(
                    owner.spec if isinstance(owner, DispatchModule) else owner.sites[0].spec, name):
                # A torch layer has no such method: this call never runs on one.
                return UNKNOWN
            if not isinstance(owner, ModuleInstance):
                self._mark_module(owner, frame, Tri.MAYBE)
            return UNKNOWN
        self._escape(args, kwargs, frame)
        return UNKNOWN

    def _tensor_method(self, tensor: object, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        if name in ("size",):
            if args and isinstance(args[0], int):
                return _dim_symbol(tensor, args[0])
            return _Shape(tensor)
        if name in ("dim", "ndimension"):
            return _ndim(tensor)
        if name == "numel":
            return _dim_symbol(tensor, 0) if _ndim(tensor) == 1 else UNKNOWN
        if name in initops.OVERWRITING_METHODS:
            self._mark_tensor(tensor, frame)
            fill = initops.method_fill_value(name, args)
            if name == "copy_" and args and isinstance(args[0], _NewTensor):
                fill = args[0].constant
            if fill is not None:
                self._record_fill(tensor, fill, node, frame)
            if name == "uniform_":
                self._record_bound(tensor, args, kwargs, node, frame, offset=0)
            return tensor
        if name in ("detach", "clone", "view", "reshape", "t", "transpose", "permute", "contiguous"):
            return UNKNOWN
        return UNKNOWN

    def _init_call(self, function: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        tensor = args[0] if args else kwargs.get("tensor", kwargs.get("module"))
        rest = args[1:]
        if isinstance(tensor, (TensorValue, DispatchTensor)):
            self._mark_tensor(tensor, frame)
            fill = initops.fill_value(function, rest, kwargs)
            if fill is not None:
                self._record_fill(tensor, fill, node, frame)
            if function.rstrip("_") == "uniform":
                self._record_bound(tensor, rest, kwargs, node, frame, offset=0)
            if initops.is_fan_based(function):
                self._record_fan_init(tensor, function, node, frame)
        elif isinstance(tensor, OneDimTensor) and initops.is_fan_based(function):
            self.facts.fan_inits.append(FanInitEvent(node, function, "a one-dimensional parameter", statement=frame.statement))
        elif isinstance(tensor, (LayerValue, DispatchModule)):
            # An init helper that takes a whole layer (mmcv's `constant_init(m, 0)`): it writes weight and bias.
            self._mark_module(tensor, frame, Tri.YES)
        elif isinstance(tensor, (SelfValue, ModuleInstance)):
            self._mark_module(tensor, frame, Tri.MAYBE)
        return tensor

    # ---------------------------------------------------------------- rule facts

    def _record_fill(self, tensor: object, value: object, node: cst.CSTNode, frame: Frame) -> None:
        if isinstance(tensor, TensorValue) and tensor.param == WEIGHT:
            self.facts.fills.append(FillEvent(node, value, tensor.sites, statement=frame.statement,
                                              level=min(frame.level, frame.reach)))
        elif isinstance(tensor, DispatchTensor) and tensor.param == WEIGHT:
            self.facts.fills.append(FillEvent(node, value, (), tensor.spec, self._dispatch_id, frame.statement,
                                              min(frame.level, frame.reach)))

    def _record_bound(self, tensor: object, args: list, kwargs: dict, node: cst.CSTNode, frame: Frame, offset: int) -> None:
        if not (isinstance(tensor, (TensorValue, DispatchTensor)) and tensor.param == BIAS):
            return
        if isinstance(tensor, DispatchTensor) and tensor.from_parameters:
            # `for p in self.parameters(): uniform_(p, -stdv, stdv)`: one scheme for every tensor, not a bias bound.
            return
        low = args[offset] if len(args) > offset else kwargs.get("a", kwargs.get("from"))
        high = args[offset + 1] if len(args) > offset + 1 else kwargs.get("b", kwargs.get("to"))
        if not (isinstance(high, InvSqrt) and isinstance(low, Negated) and isinstance(low.of, InvSqrt)):
            return
        n = high.of
        if isinstance(tensor, TensorValue):
            self.facts.bounds.append(BoundEvent(node, tensor.sites, n, statement=frame.statement))
        else:
            self.facts.bounds.append(BoundEvent(node, (), n, tensor.spec, self._dispatch_id, frame.statement))

    def _record_fan_init(self, tensor: object, function: str, node: cst.CSTNode, frame: Frame) -> None:
        if isinstance(tensor, TensorValue) and tensor.param == BIAS:
            self.facts.fan_inits.append(FanInitEvent(node, function, "a bias", tensor.sites, statement=frame.statement))
        elif isinstance(tensor, DispatchTensor) and tensor.param == BIAS:
            self.facts.fan_inits.append(FanInitEvent(node, function, "a bias", (), tensor.spec, self._dispatch_id,
                                                        frame.statement))


    # ---------------------------------------------------------------- dispatch

    def _apply(self, receiver: object, fn: object, node: cst.CSTNode, frame: Frame, named: bool = False) -> None:
        """`receiver.apply(fn)`: fn runs on every module under receiver, after everything built so far."""
        if isinstance(fn, PartialValue) and isinstance(fn.callee, FunctionValue):
            fn = FunctionValue(fn.callee.node, fn.callee.owner, fn.callee.bound_self, fn.args, fn.kwargs)
        if not isinstance(fn, FunctionValue):
            self._dispatch_all(receiver, frame, Tri.MAYBE, node)
            return
        coverage = self._read_dispatch(node, frame, lambda spec: self._call_function(
            fn, [DispatchModule(spec)], {"name": UNKNOWN} if named and "name" not in fn.kwargs else {},
            frame.instance, self.classes.get(fn.owner) if fn.owner else frame.method_owner,
            depth=frame.depth, dispatch_spec=spec, level=Tri.YES))
        self._record_dispatch(receiver, coverage, frame, node, frame.level)

    def _run_iteration(self, iteration: "_Iteration", target: cst.BaseExpression, body, frame: Frame,
                       node: cst.CSTNode) -> None:
        kind = iteration.kind
        if kind in ("modules", "named_modules", "children", "named_children"):
            def run(spec):
                inner = Frame(dict(frame.env), frame.instance, frame.method_owner, frame.self_name, frame.depth,
                              frame.statement, dispatch_spec=spec, level=Tri.YES, in_loop=True)
                element = DispatchModule(spec)
                self._assign(target, (UNKNOWN, element) if kind.startswith("named") else element, inner)
                self._walk_block(body, inner)
            coverage = self._read_dispatch(node, frame, run)
            self._record_dispatch(iteration.receiver, coverage, frame, node, frame.level,
                                  children_only=kind.endswith("children"))
        else:
            def run_params(spec):
                for param in PARAMS:
                    inner = Frame(dict(frame.env), frame.instance, frame.method_owner, frame.self_name, frame.depth,
                                  frame.statement, dispatch_spec=spec, level=Tri.YES, in_loop=True)
                    element = DispatchTensor(spec, param, from_parameters=True)
                    self._assign(target, (f"layer.{param}", element) if kind == "named_parameters" else element, inner)
                    self._walk_block(body, inner)
            coverage = self._read_dispatch(node, frame, run_params)
            self._record_dispatch(iteration.receiver, coverage, frame, node, frame.level)

    def _read_dispatch(self, node: cst.CSTNode, frame: Frame, run) -> dict:
        """Run a dispatch body once per layer type; returns spec name -> param -> Tri."""
        saved_marks = self.marks
        saved_id = self._dispatch_id
        self._dispatch_id = id(node)
        coverage: dict = {}
        try:
            for spec in self.dispatch_specs:
                self.marks = {}
                run(spec)
                coverage[spec.name] = {param: self.marks.get((("D", spec.name), param), Tri.NO) for param in PARAMS}
                # Writes to concrete layers inside the body (`self.fc.weight` in an apply fn) still count.
                for key, level in self.marks.items():
                    if not (isinstance(key[0], tuple) and key[0][0] == "D"):
                        saved_marks[key] = max(saved_marks.get(key, Tri.NO), level)
        finally:
            self.marks = saved_marks
            self._dispatch_id = saved_id
        for name, base in _ALIAS_OF.items():
            coverage.setdefault(name, coverage[base])
        return coverage

    def _record_dispatch(self, receiver: object, coverage: dict, frame: Frame, node: Optional[cst.CSTNode],
                         level: Tri, children_only: bool = False) -> None:
        if frame.dispatch_spec is not None and isinstance(receiver, (DispatchModule, DispatchTensor)):
            return
        sites, builds = _scope(receiver, frame.instance, children_only)
        event = DispatchEvent(self.entry, next(self.seq), frozenset(sites), frozenset(builds), coverage,
                              min(level, frame.level, frame.reach), node, id(node) if node is not None else None)
        self.facts.dispatches.append(event)
        # Concrete layers in scope built in this entry: cover them now, so order inside the entry is kept.
        for site in sites:
            spec_cov = coverage.get(site.spec.name, {})
            for param in PARAMS:
                level_here = min(spec_cov.get(param, Tri.NO), event.level)
                if level_here > Tri.NO:
                    self._mark(id(site), param, frame, level_here, site=site)


# ---------------------------------------------------------------- helper values


@dataclass(eq=False)
class _External:
    qualified: str


@dataclass(eq=False)
class _Builtin:
    name: str


@dataclass(eq=False)
class _SelfMember:
    name: str


@dataclass(eq=False)
class _SuperMember:
    name: str


@dataclass(eq=False)
class _Member:
    owner: object
    name: str


@dataclass(eq=False)
class _Shape:
    tensor: object


@dataclass(eq=False)
class _Sqrt:
    of: object


@dataclass(eq=False)
class _Reciprocal:
    of: object


@dataclass(eq=False)
class _Product:
    factors: tuple


@dataclass(eq=False)
class _Starred:
    of: object


@dataclass(eq=False)
class _NewTensor:
    constant: object = None


@dataclass(eq=False)
class _NonDrawing:
    pass


@dataclass(eq=False)
class _DefaultClass:
    """A class that is a parameter's default value: callers may pass another."""

    of: object


@dataclass(eq=False)
class _Iteration:
    receiver: object
    kind: str
    instance: Instance


def _scope(receiver: object, instance: Instance, children_only: bool) -> tuple[set, set]:
    sites: set = set()
    builds: set = set()
    if isinstance(receiver, SelfValue):
        if children_only:
            for value in instance.attrs.values():
                if isinstance(value, LayerValue):
                    sites.update(value.sites)
                elif isinstance(value, ModuleInstance):
                    builds.add(value.build)
            return sites, builds
        return set(instance.sites), set(instance.builds)
    _collect(receiver, sites, builds, set())
    return sites, builds


def _collect(value: object, sites: set, builds: set, seen: set) -> None:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, LayerValue):
        sites.update(value.sites)
    elif isinstance(value, ModuleInstance):
        builds.add(value.build)
    elif isinstance(value, ContainerValue):
        for item in value.items:
            _collect(item, sites, builds, seen)
    elif isinstance(value, ChoiceValue):
        for item in value.options:
            _collect(item, sites, builds, seen)


def _join(values: list) -> object:
    values = [v for v in values if v is not None]
    if not values:
        return None
    layer_sites = [s for v in values if isinstance(v, LayerValue) for s in v.sites]
    if layer_sites and len(layer_sites) >= 1 and all(isinstance(v, LayerValue) for v in values):
        return LayerValue(tuple(dict.fromkeys(layer_sites)))
    if len(values) == 1:
        return values[0]
    return ChoiceValue(tuple(values))


def _pairs_to_mapping(pairs: ContainerValue) -> ContainerValue:
    """`[("a", layer), ("b", layer)]` given to ModuleDict: a mapping by key."""
    mapping = ContainerValue([], dict_like=True, repeated=pairs.repeated)
    for pair in pairs.items:
        items = pair if isinstance(pair, tuple) else tuple(pair.items) if isinstance(pair, ContainerValue) else ()
        if len(items) == 2:
            mapping.items.append(items[1])
            if isinstance(items[0], str):
                mapping.keys[items[0]] = items[1]
    return mapping


def _branch_join(mapping: dict, key: object, value: object, frame: Frame) -> object:
    """An assignment in a branch that may not run keeps what the other branch assigned too."""
    if frame.level < Tri.YES and key in mapping and mapping[key] is not value:
        return _choice(mapping[key], value)
    return value


def _choice(*options: object) -> object:
    if len(options) == 1:
        return options[0]
    if all(isinstance(o, LayerValue) for o in options):
        return LayerValue(tuple(dict.fromkeys(s for o in options for s in o.sites)))
    if all(isinstance(o, TensorValue) for o in options) and len({o.param for o in options}) == 1:
        return TensorValue(tuple(dict.fromkeys(s for o in options for s in o.sites)), options[0].param)
    return ChoiceValue(tuple(options))


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


def _loads_weights(method: str) -> bool:
    return "load_state_dict" in method or method.startswith(("from_pretrained", "from_float", "_load", "load_"))


def _is_layer_class(default: cst.BaseExpression, interpreter: "Interpreter") -> bool:
    """`conv_layer=nn.Conv2d`: a default that names a torch layer class (kept, as a default)."""
    qualified = interpreter.imports.qualify(default) if isinstance(default, (cst.Name, cst.Attribute)) else None
    return qualified is not None and lookup_torch_class(qualified) in LAYERS


def _elements_by_kind(iterable: object) -> list:
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
    return [_element_of(iterable)]


def _element_of(iterable: object) -> object:
    if isinstance(iterable, ContainerValue):
        return _join(list(iterable.items)) if iterable.items else UNKNOWN
    return UNKNOWN


def _is_plain(value: object) -> bool:
    return value is None or isinstance(value, (int, float, str, bool)) or (
        isinstance(value, tuple) and all(_is_plain(v) for v in value))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _truth(value: object) -> Optional[bool]:
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


def _compare(left: object, operator: cst.BaseCompOp, right: object) -> object:
    if isinstance(operator, (cst.Is, cst.IsNot)) and right is None:
        if left is None:
            result = True
        elif isinstance(left, (TensorValue, DispatchTensor, LayerValue, DispatchModule, TorchClass, OneDimTensor)):
            # `m.bias is not None`: only layers with a bias have one to initialize.
            result = False
        elif _is_plain(left):
            result = left is None
        else:
            return UNKNOWN
        return result if isinstance(operator, cst.Is) else not result
    if isinstance(left, TorchClass) and isinstance(right, (TorchClass, tuple, ChoiceValue, _External, OtherClass)):
        if isinstance(operator, (cst.Is, cst.Equal)):
            return isinstance(right, TorchClass) and right.name == left.name
        if isinstance(operator, (cst.IsNot, cst.NotEqual)):
            return not (isinstance(right, TorchClass) and right.name == left.name)
    if isinstance(operator, (cst.In, cst.NotIn)):
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
    if not (_is_plain(left) and _is_plain(right)):
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


def _isinstance(value: object, classes: object) -> object:
    if isinstance(classes, _DefaultClass):
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
        elif isinstance(option, (OtherClass,)):
            continue
        elif isinstance(option, _External):
            tail = option.qualified.rsplit(".", 1)[-1]
            if option.qualified.startswith("torch.") and tail not in LAYERS and tail not in TORCH_BASES:
                continue
            verdict = UNKNOWN if tail in mro else verdict
        else:
            verdict = UNKNOWN
    return verdict


def _ndim(tensor: object) -> object:
    if isinstance(tensor, DispatchTensor):
        spec, param = tensor.spec, tensor.param
    elif isinstance(tensor, TensorValue) and tensor.sites:
        spec, param = tensor.sites[0].spec, tensor.param
    else:
        return UNKNOWN
    if param == BIAS:
        return 1
    if spec.family == "bilinear":
        return 3
    return 2 + spec.dims


def _dim_symbol(tensor: object, index: int) -> object:
    if isinstance(tensor, TensorValue):
        return Symbol(f"{tensor.param}.shape[{index}]", tensor.sites)
    if isinstance(tensor, DispatchTensor):
        return Symbol(f"{tensor.param}.shape[{index}]", (), tensor.spec)
    return UNKNOWN


def _fan_symbol(tensor: object, kind: str) -> object:
    if isinstance(tensor, TensorValue) and tensor.param == WEIGHT:
        return Symbol(kind, tensor.sites)
    if isinstance(tensor, DispatchTensor) and tensor.param == WEIGHT:
        return Symbol(kind, (), tensor.spec)
    return UNKNOWN


def _subscript_key(node: cst.Subscript, interpreter: Interpreter, frame: Frame) -> object:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return UNKNOWN
    return interpreter._eval(node.slice[0].slice.value, frame)


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


def _callee_name(node: cst.Call) -> Optional[str]:
    return dotted_name(node.func)


def _block(suite: cst.BaseSuite) -> list:
    return list(suite.body)


def _module_assignments(module: cst.Module) -> dict:
    assigns: dict = {}
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    assigns[small.targets[0].target.value] = small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
                    assigns[small.target.value] = small.value
    return assigns


#: functions and tensor methods that keep a layer's output as it is, up to an elementwise or shape change
_PASS_THROUGH = frozenset(
    {"relu", "relu_", "gelu", "silu", "tanh", "sigmoid", "softmax", "log_softmax", "dropout", "flatten", "view",
     "reshape", "permute", "transpose", "contiguous", "squeeze", "unsqueeze", "leaky_relu", "elu", "selu", "mish",
     "hardswish", "hardsigmoid", "softplus", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
     "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate", "mean",
     "clone", "float", "to", "relu6", "glu"}
)


def _forward_feeds(node: cst.FunctionDef) -> dict:
    """For `forward`: which `self.<attr>` calls receive the output of which others, unmixed.

    `h = self.fc1(x); y = self.fc2(F.relu(h))` gives {"fc2": {"fc1"}}.  An output that is mixed with
    other data on the way (`x + self.proj(h)`, `attn * self.gate(x)`, a sampling grid) does not count:
    a zero layer there is a residual branch or a gate, not a hidden layer.
    """
    feeds: dict = {}
    sources: dict = {}

    def deps(expr: cst.CSTNode) -> set:
        if isinstance(expr, cst.Name):
            return set(sources.get(expr.value, ()))
        if isinstance(expr, cst.Call):
            arg_deps = [deps(arg.value) for arg in expr.args]
            attr = _self_attr_call(expr)
            if attr is not None:
                inputs: set = set()
                for found in arg_deps:
                    inputs |= found
                feeds.setdefault(attr, set()).update(inputs)
                return {attr}
            func = expr.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
            receiver = deps(func.value) if isinstance(func, cst.Attribute) else set()
            if name in _PASS_THROUGH:
                if receiver:
                    return receiver
                return arg_deps[0] if arg_deps else set()
            return set()
        if isinstance(expr, cst.BinaryOperation):
            left, right = deps(expr.left), deps(expr.right)
            if isinstance(expr.right, (cst.Integer, cst.Float)):
                return left
            if isinstance(expr.left, (cst.Integer, cst.Float)):
                return right
            return set()
        if isinstance(expr, cst.UnaryOperation):
            return deps(expr.expression)
        if isinstance(expr, cst.Subscript):
            return deps(expr.value)
        for child in children(expr):
            deps(child)
        return set()

    for statement in _all_small_statements(node):
        if isinstance(statement, cst.Assign):
            value_deps = deps(statement.value)
            for target in statement.targets:
                for name in _target_names(target.target):
                    sources[name] = value_deps
        elif isinstance(statement, cst.AugAssign):
            deps(statement.value)
            for name in _target_names(statement.target):
                sources[name] = set()
        elif isinstance(statement, (cst.Expr, cst.Return)) and statement.value is not None:
            deps(statement.value)
    return feeds


def _self_attr_call(call: cst.Call) -> Optional[str]:
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
        return func.attr.value
    if isinstance(func, cst.Subscript) and isinstance(func.value, cst.Attribute) and \
            isinstance(func.value.value, cst.Name) and func.value.value.value == "self":
        return func.value.attr.value
    return None


def _target_names(target: cst.CSTNode) -> Iterator[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)


def _all_small_statements(node: cst.CSTNode) -> Iterator[cst.BaseSmallStatement]:
    stack = [node]
    ordered: list = []
    while stack:
        current = stack.pop(0)
        if isinstance(current, cst.SimpleStatementLine):
            ordered.extend(current.body)
        elif isinstance(current, (cst.FunctionDef, cst.If, cst.For, cst.While, cst.With, cst.Try, cst.Else,
                                  cst.IndentedBlock, cst.ExceptHandler, cst.Finally)):
            stack[:0] = [c for c in children(current) if isinstance(c, (cst.BaseStatement, cst.BaseSuite, cst.Else,
                                                                        cst.ExceptHandler, cst.Finally, cst.If))]
    return iter(ordered)


_MODULE_ATTRIBUTES = frozenset(
    {"weight", "bias", "reset_parameters", "training", "apply", "modules", "named_modules", "children",
     "named_children", "parameters", "named_parameters", "buffers", "named_buffers", "forward", "extra_repr",
     "state_dict", "load_state_dict", "to", "cuda", "cpu", "train", "eval", "zero_grad", "register_buffer",
     "register_parameter", "add_module", "padding", "stride", "dilation", "padding_mode", "output_padding",
     "transposed", "kernel_size", "groups", "in_channels", "out_channels", "in_features", "out_features",
     "in1_features", "in2_features", "weight_v", "weight_g", "_parameters", "_modules", "__class__"}
)


def _layer_has_attribute(spec: LayerSpec, name: str) -> bool:
    """Whether a torch layer of this type has the attribute (`hasattr(m, "init_weights")` is False for it)."""
    if name in spec.signature:
        return name != "kernel_size" or spec.has_kernel
    return name in _MODULE_ATTRIBUTES


def _string_method(text: str, name: str, args: list) -> object:
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

"""Calls: what calling each kind of value does, and the functions of the file run inline.

Part of the `Interpreter` (see interpreter.py).  A torch layer class constructs a layer site;
a module class of the file records a build; a function of the file runs inline with its
parameters bound; external code goes to models.py, `super()` and inherited methods to
inherited.py.  Init calls record an `InitCall` fact; values handed to code the analysis cannot
see escape (they may be initialized there).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from init_lint.analysis import initops
from init_lint.analysis.facts import BuildEvent, InitCall
from init_lint.analysis.frame import MAX_DEPTH, Frame, Instance
from init_lint.analysis.handoffs import HandoffRecorder
from init_lint.analysis.classes import ClassInfo
from init_lint.analysis.coverage import may_initialize, spec_keys
from init_lint.analysis.models import ITERATION_METHODS
from init_lint.analysis.names import LOCAL, dotted_name
from init_lint.analysis.operations import dim_symbol, join, layer_has_attribute, ndim, string_method
from init_lint.analysis.scale import RandomTensor
from init_lint.analysis.values import (
    UNKNOWN, Address, Builtin, ChildModule, ChoiceValue, ContainerValue, DefaultClass, DispatchModule, DispatchTensor,
    External, FunctionValue, Iteration, LayerSite, LayerValue, Member, ModuleInstance, OneDimTensor, OtherClass,
    PartialValue, SelfMember, SelfValue, Shape, Starred, SuperMember, TensorValue, TorchClass, Tri, dotted_steps,
    index_step,
)
from init_lint.catalogue import LAYERS, OVERWRITING_METHODS, SITE_MODULES, LayerSpec, lookup_torch_class

#: tensor methods that return the module itself (a layer stays a layer)
#: methods of dicts, lists and sets: they store what they are given, they never write a parameter
_STORING_METHODS = ("update", "append", "extend", "insert", "setdefault", "add", "__setitem__")
_SELF_RETURNING = ("to", "cuda", "cpu", "float", "double", "half", "requires_grad_", "train", "eval")


class CallEvaluator(HandoffRecorder):
    """Evaluates calls; needs the interpreter's `_eval`, models, marks and dispatch methods."""

    def _eval_call(self, node: cst.Call, frame: Frame) -> object:
        """A call expression: the callee and the arguments evaluated, `*spread` arguments inlined where known."""
        func = node.func
        if func.__class__ is cst.Name and func.value in self.classes.classes and func.value not in frame.env \
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
                    args.append(Starred(value))
            elif arg.star == "**":
                kwargs["**"] = value
            else:
                args.append(value)
        return self._call(callee, args, kwargs, node, frame)

    def _call(self, callee: object, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """Call `callee` with abstract arguments; returns the call's value.  What escapes while an
        imported callable runs is charged to it (`facts.opaque_calls`), anything else to "?"."""
        outer = getattr(self, "_callee", None)
        self._callee = callee.qualified if isinstance(callee, External) else None
        try:
            return self._call_value(callee, args, kwargs, node, frame)
        finally:
            self._callee = outer

    def _call_value(self, callee: object, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        self._note_handoffs(callee, args, kwargs)
        if isinstance(callee, TorchClass):
            if callee.name in SITE_MODULES:
                return self._construct(SITE_MODULES[callee.name], args, kwargs, node, frame)
            return UNKNOWN
        if isinstance(callee, DefaultClass):
            value = self._call(callee.of, args, kwargs, node, frame)
            if isinstance(value, LayerValue):
                for site in value.sites:
                    site.type_from_default = True
            return value
        if isinstance(callee, ChoiceValue):
            # One of several callees runs: each from the same state, joined as branches.
            fork = self.binder.fork()
            results = []
            for option in callee.options:
                fork.branch()
                results.append(self._call(option, list(args), dict(kwargs), node, frame))
                fork.end()
            fork.join()
            return join(results)
        if isinstance(callee, PartialValue):
            return self._call(callee.callee, list(callee.args) + args, {**callee.kwargs, **kwargs}, node, frame)
        if isinstance(callee, External):
            return self._call_external(callee.qualified, args, kwargs, node, frame)
        if isinstance(callee, Builtin):
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
            owner = (self.classes.get(callee.owner) if callee.owner else frame.method_owner) if callee.bound_self \
                else frame.method_owner
            return self._call_function(callee, args, kwargs, frame.instance, owner, depth=frame.depth,
                                       dispatch_spec=frame.dispatch_spec, in_loop=frame.in_loop, level=frame.level)
        if isinstance(callee, SuperMember):
            return self._call_super(callee.name, args, kwargs, node, frame)
        if isinstance(callee, SelfMember):
            return self._call_self_member(callee.name, args, kwargs, node, frame)
        if isinstance(callee, Member):
            return self._call_method(callee.owner, callee.name, args, kwargs, node, frame)
        # An unknown callable: `block(...)`, `norm_layer(dim)`, `self.head_cls(...)`.
        function = initops.init_function_name(None, dotted_name(node.func))
        if function is not None and args:
            return self._init_call(function, args, kwargs, node, frame)
        if callee is UNKNOWN and (frame.instance.owner is not None or self.entry == "<module>") \
                and not _method_of_a_value(node):
            # A class held in a variable (`model_class(encoder=encoder)`, `block_fn(dim)`): what it is handed
            # becomes its child.  Which class it builds is what project mode follows (its own file says what
            # its init does); the call itself is no code out of sight that initializes.  (A layer or a
            # module of a known class handed to it may still be: `somewhere_else(self.fc)` reads the same.)
            self._escape(args, kwargs, frame, constructor=True)
            return self._build(None, node, frame)
        if isinstance(callee, (ModuleInstance, LayerValue)):
            # Calling a module runs its forward on inputs (`self.local_crop(image)`): no code that initializes.
            return UNKNOWN
        if _method_of_a_value(node) and node.func.attr.value in _STORING_METHODS:
            return UNKNOWN  # `kwargs.update(svs=svs)` on a dict the analysis does not model: stored
        self._escape(args, kwargs, frame)
        return UNKNOWN

    def _call_function(self, fn: FunctionValue, args: list, kwargs: dict, instance: Instance,
                       method_owner: Optional[ClassInfo], depth: int = 0, dispatch_spec: Optional[LayerSpec] = None,
                       in_loop: bool = False, level: Tri = Tri.YES, unknown_params: bool = False) -> object:
        """Run a function or lambda of the file inline, its parameters bound to the arguments.

        With `unknown_params` (a class's `__init__` as an entry) every parameter is UNKNOWN, so that
        every configuration of the constructor is seen, not only the defaults.
        """
        node = fn.node
        if depth > MAX_DEPTH or (node in self.active and not _descends(node, self.active, args)):
            return UNKNOWN
        if self.budget.spend():
            # Past the work budget (helpers that call each other in a web): the call is code the
            # analysis does not follow, which may initialize what it is given.
            self.facts.over_budget.add(self.entry)
            self._escape(list(fn.args) + list(args), {**fn.kwargs, **kwargs},
                         Frame({}, instance, method_owner, None, depth, level=level))
            return UNKNOWN
        self.reached.add(node)
        params = node.params
        env: dict = {}
        positional = [p.name.value for p in list(params.posonly_params) + list(params.params)]
        self_name = None
        call_args = list(fn.args) + list(args)
        call_kwargs = {**fn.kwargs, **kwargs}
        # `super().__init__(causal=False, **kwargs)`: any parameter the call does not name may come
        # from the spread, so each is unknown (every branch it selects is a way), not its default.
        spread = "**" in call_kwargs or any(isinstance(a, Starred) for a in call_args)
        decorators = _decorator_names(node)
        if fn.bound_self and positional and "staticmethod" not in decorators:
            # A classmethod's first parameter is the class, not the module being built.
            self_name = positional[0] if "classmethod" not in decorators else None
            env[positional[0]] = SelfValue() if self_name is not None else UNKNOWN
            positional = positional[1:]
        for name, value in zip(positional, call_args):
            env[name] = value
        for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params):
            name = p.name.value
            if name in env:
                continue
            if name in call_kwargs:
                env[name] = call_kwargs[name]
            elif (unknown_params or spread) and not (p.default is not None and self._names_layer_class(p.default)):
                if p.default is not None:
                    # Evaluated for what it names (`block=BasicBlock` passes a class around), then forgotten.
                    self._eval(p.default, Frame({}, instance, method_owner, None, depth + 1))
                env[name] = UNKNOWN
            elif p.default is not None:
                default = self._eval(p.default, Frame({}, instance, method_owner, None, depth + 1))
                # `conv_layer=nn.Conv2d`: the caller chooses the class; the default is only one choice.
                env[name] = DefaultClass(default) if isinstance(default, TorchClass) else default
            else:
                env[name] = UNKNOWN
        if params.star_arg.__class__ is cst.Param:
            env[params.star_arg.name.value] = ContainerValue(list(call_args[len(positional):]))
        if params.star_kwarg is not None:
            env[params.star_kwarg.name.value] = UNKNOWN
        frame = Frame(env, instance, method_owner, self_name, depth + 1, dispatch_spec=dispatch_spec,
                      in_loop=in_loop, level=level)
        self.active.append(node)
        try:
            if node.__class__ is cst.Lambda:
                return self._eval(node.body, frame)
            self._walk_block(node.body.body, frame)
        finally:
            self.active.pop()
        return join(frame.returns)

    def _names_layer_class(self, default: cst.BaseExpression) -> bool:
        """`conv_layer=nn.Conv2d`: a default that names a torch layer class (kept, as a default)."""
        qualified = self.imports.qualify(default) if isinstance(default, (cst.Name, cst.Attribute)) else None
        return qualified is not None and lookup_torch_class(qualified) in LAYERS

    def _escape(self, args: list, kwargs: dict, frame: Frame, constructor: bool = False,
                variable_builds_are_children: bool = False) -> None:
        """Values handed to code the analysis cannot see: it may initialize them.  With `constructor` (a
        callable held in a variable, which may be a class: `model_class(encoder=encoder)`), modules
        themselves built through variables become its children and escape nothing, and nothing is
        charged to code out of sight (`facts.opaque_calls`, which project mode asks about importers).

        Not what construction built, from a method that construction never calls and whose name
        says nothing of init (`def lock(self): freeze_bn(self)`, `dd = get_device_dtype(self)` in
        `reset_classifier`, `x = self.norm(x)` in `forward_features`): that code runs after the
        layers have their values, for another purpose.  One of several values (`nn.Linear(...) if
        n > 0 else nn.Identity()`) escapes as each of them.  With `variable_builds_are_children` (a class
        of another file), only the modules built through variables become its children."""
        for value in list(args) + list(kwargs.values()):
            for option in value.options if isinstance(value, ChoiceValue) else (value,):
                if not may_initialize(self.entry) and self._built_before_entry(option):
                    continue
                if isinstance(option, (LayerValue, TensorValue, DispatchTensor, DispatchModule, SelfValue,
                                       ModuleInstance, ChildModule)):
                    if (constructor or variable_builds_are_children) and isinstance(option, ModuleInstance) \
                            and option.build.child is None and option.build.external is None:
                        continue
                    self._mark_module(option, frame, Tri.MAYBE)
                    if constructor:
                        continue
                    if frame.dispatch_spec is not None or (frame.level == Tri.YES and frame.reach > Tri.FORK):
                        # On one way only (`if args.init is not None: initialize(model, args.init)`), the
                        # other ways hand nothing out of sight: an importer could not initialize there.
                        # (In a dispatch body a condition picks modules, not ways: `init_fn(m)` counts.)
                        self.facts.opaque_calls.add(getattr(self, "_callee", None) or "?")

    def _built_before_entry(self, value: object) -> bool:
        """The module being built, or a module or layer that an earlier entry (construction) built.
        A module an unknown callable returned here (`x = self.stem(x)` in a forward helper) counts
        too: nothing says it is a module at all."""
        if isinstance(value, SelfValue):
            return True
        if isinstance(value, ModuleInstance):
            return value.build.entry != self.entry or value.build.child is None
        if isinstance(value, (LayerValue, TensorValue)):
            return all(site.entry != self.entry for site in value.sites)
        return False

    def _construct(self, spec: LayerSpec, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> LayerValue:
        """A torch layer is built here: a new layer site, with its constructor arguments."""
        bound: dict = {}
        for name, value in zip(spec.signature, args):
            bound[name] = value
        for name, value in kwargs.items():
            if name in spec.signature:
                bound[name] = value
        has_unknown_spread = any(isinstance(a, Starred) for a in args) or "**" in kwargs
        bias_value = bound.get("bias", True if not has_unknown_spread else UNKNOWN)
        bias = Tri.YES if bias_value is True else Tri.NO if bias_value is False else Tri.MAYBE
        if has_unknown_spread:
            bound.pop("bias", None)
        # The statement being walked holds the call: frames of inlined functions and of default
        # values have their own (or none), so no walk of the statement is needed here.
        site = LayerSite(spec, node, bound, bias, frame.instance.owner.name if frame.instance.owner else None,
                         self.entry, next(self.seq), frame.statement, None, frame.in_loop)
        site.reach = frame.reach
        site.in_comprehension = frame.in_comprehension
        site.on_meta = kwargs.get("device") == "meta"
        frame.instance.sites.append(site)
        self.facts.sites.append(site)
        self.site_by_id[id(site)] = site
        return LayerValue((site,))

    def _build(self, child: Optional[str], node: cst.Call, frame: Frame, external: Optional[str] = None) -> ModuleInstance:
        """A module class (of the file, of another file, or unknown) is instantiated here."""
        parent = frame.instance.owner.name if frame.instance.owner else None
        event = BuildEvent(parent, self.entry, next(self.seq), child, node, external)
        frame.instance.builds.append(event)
        self.facts.builds.append(event)
        return ModuleInstance(event)

    def _call_method(self, owner: object, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`owner.name(...)` for a value the analysis models: strings, tensors, containers, modules."""
        if isinstance(owner, str):
            return string_method(owner, name, args)
        if owner is UNKNOWN and name in ITERATION_METHODS:
            return Iteration(owner, name, frame.instance)
        if isinstance(owner, ChoiceValue) and name in ITERATION_METHODS:
            # `self.attnconv.modules()` where attnconv is a Sequential or None: the loop runs on the module
            holders = [o for o in owner.options if isinstance(o, (ContainerValue, LayerValue, ModuleInstance))]
            if holders and len(holders) == len([o for o in owner.options if o is not None]):
                return Iteration(holders[0] if len(holders) == 1 else ChoiceValue(tuple(holders)), name,
                                 frame.instance)
        if isinstance(owner, (TensorValue, DispatchTensor)):
            return self._tensor_method(owner, name, args, kwargs, node, frame)
        if isinstance(owner, ContainerValue):
            return self._container_method(owner, name, args, kwargs, node, frame)
        if isinstance(owner, ChildModule):
            # `mha.out_proj.reset_parameters()`: a torch module's own child
            self._mark_module(owner, frame, Tri.YES if name in _RESETS else Tri.MAYBE)
            return UNKNOWN
        if isinstance(owner, (LayerValue, DispatchModule, ModuleInstance)):
            if name in _RESETS:
                self._mark_module(owner, frame, Tri.YES)
                return None if name != "load_state_dict" else UNKNOWN
            if name == "apply" and args:
                self._apply(owner, args[0], node, frame)
                return owner
            if name in ITERATION_METHODS:
                return Iteration(owner, name, frame.instance)
            if name in _SELF_RETURNING:
                return owner
            if name == "to_empty" and isinstance(owner, LayerValue):
                # built on the meta device, then given memory: what skip_init does, nothing drawn
                for site in owner.sites:
                    site.skip_init = site.skip_init or site.on_meta
                return owner
            if name in ("register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook"):
                return UNKNOWN
            if name in _STORING_METHODS and isinstance(owner, ModuleInstance):
                return None  # `self.blocks.append(block)` on another library's ModuleList: a child, stored
            self._escape(args, kwargs, frame)
            if isinstance(owner, (DispatchModule, LayerValue)) and not layer_has_attribute(
                    owner.spec if isinstance(owner, DispatchModule) else owner.sites[0].spec, name):
                # A torch layer has no such method: this call never runs on one.
                return UNKNOWN
            if not isinstance(owner, ModuleInstance):
                self._mark_module(owner, frame, Tri.MAYBE)
            return UNKNOWN
        if name in _STORING_METHODS:
            # `kwargs.update(svs=svs)`, `layers.append(block)` on a dict or list the analysis does not model
            return UNKNOWN
        self._escape(args, kwargs, frame)
        return UNKNOWN

    def _container_method(self, owner: ContainerValue, name: str, args: list, kwargs: dict, node: cst.Call,
                          frame: Frame) -> object:
        """`layers.append(...)`, `blocks.apply(fn)`, `heads.items()`: a list, Sequential, ModuleList or dict."""
        if name == "append" and args:
            owner.items.append(args[0])
            if isinstance(args[0], LayerValue) and isinstance(node.func, cst.Attribute):
                base = dotted_name(node.func.value)
                if base is not None:
                    for site in args[0].sites:
                        if site.address is None and site.statement is frame.statement and site.statement is not None:
                            site.address = Address(dotted_steps(base) + (index_step(-1),))
            return None
        if name == "extend" and args:
            owner.items.extend(args[0].items if isinstance(args[0], ContainerValue) else [args[0]])
            return None
        if name in ("add_module", "register_module") and len(args) >= 2:
            owner.items.append(args[1])
            if isinstance(args[0], str):
                owner.keys[args[0]] = args[1]
            return None
        if name == "apply" and args:
            self._apply(owner, args[0], node, frame)
            return owner
        if name in ITERATION_METHODS:
            return Iteration(owner, name, frame.instance)
        if name in ("values", "items", "keys"):
            if name == "items":
                return ContainerValue([(k, v) for k, v in owner.keys.items()] or [(UNKNOWN, join(owner.items))])
            return ContainerValue(list(owner.items))
        if name == "insert" and len(args) == 2:
            owner.items.append(args[1])
            return None
        if name == "update" and not args:
            owner.keys.update(kwargs)  # `kwargs.update(svs=svs)`: stored, not handed to code out of sight
            return None
        self._escape(args, kwargs, frame)
        return UNKNOWN

    def _tensor_method(self, tensor: object, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`w.size(0)`, `w.dim()`, and the in-place methods that overwrite a parameter (`w.fill_(1)`)."""
        if name == "size":
            if args and isinstance(args[0], int):
                return dim_symbol(tensor, args[0])
            return Shape(tensor)
        if name in ("dim", "ndimension"):
            return ndim(tensor)
        if name == "numel":
            return dim_symbol(tensor, 0) if ndim(tensor) == 1 else UNKNOWN
        if name in OVERWRITING_METHODS:
            self._mark_tensor(tensor, frame)
            self._record_init(name, True, tensor, args, kwargs, node, frame)
            return tensor
        return UNKNOWN

    def _init_call(self, function: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """An init function (`nn.init.zeros_(w)`, a framework's `constant_init(m, 0)`) on its first argument."""
        tensor = args[0] if args else kwargs.get("tensor", kwargs.get("module"))
        if isinstance(tensor, ChoiceValue) and args:
            # `caffe2_xavier_init(self.proj)` where proj is a Conv2d or an Identity: the call writes the
            # layer whenever the layer is what it holds.
            layers = [o for o in tensor.options if isinstance(o, (LayerValue, TensorValue))]
            for option in layers:
                self._init_call(function, [option] + list(args[1:]), kwargs, node, frame)
            if layers:
                return tensor
        if isinstance(tensor, RandomTensor):
            # a unit-scale draw made a parameter, re-initialized (INI009 reads this)
            self.facts.init_calls.append(InitCall(node, function, False, (), args=tuple(args[1:]), kwargs=kwargs,
                                                  statement=frame.statement, level=min(frame.level, frame.reach),
                                                  dispatch_id=self._dispatch_id, random=tensor))
        if isinstance(tensor, (TensorValue, DispatchTensor, OneDimTensor, LayerValue, DispatchModule)):
            self._record_init(function, False, tensor, args[1:], kwargs, node, frame)
        if isinstance(tensor, (TensorValue, DispatchTensor)):
            self._mark_tensor(tensor, frame)
        elif isinstance(tensor, (LayerValue, DispatchModule)):
            # An init helper that takes a whole layer (mmcv's `constant_init(m, 0)`): it writes weight and bias.
            self._mark_module(tensor, frame, Tri.YES)
        elif isinstance(tensor, (SelfValue, ModuleInstance)):
            self._mark_module(tensor, frame, Tri.MAYBE)
        return tensor

    def _record_init(self, function: str, method: bool, target: object, args: list, kwargs: dict, node: cst.Call,
                     frame: Frame) -> None:
        """Record the `InitCall` fact of an init-like call on a layer, a parameter or a 1-D tensor."""
        sites: tuple = ()
        spec = None
        from_parameters = False
        if isinstance(target, TensorValue):
            params, sites = (target.param,), target.sites
        elif isinstance(target, DispatchTensor):
            params, spec, from_parameters = (target.param,), target.spec, target.from_parameters
        elif isinstance(target, LayerValue):
            params, sites = tuple(target.sites[0].cover), target.sites
        elif isinstance(target, DispatchModule):
            if target.spec is None:
                return
            params, spec = spec_keys(target.spec), target.spec
        else:
            self.facts.init_calls.append(InitCall(node, function, method, (), args=tuple(args), kwargs=kwargs,
                                                  statement=frame.statement, level=min(frame.level, frame.reach),
                                                  dispatch_id=self._dispatch_id, one_dim=True))
            return
        self.facts.init_calls.append(InitCall(
            node, function, method, params, sites, spec, self._dispatch_id, tuple(args), kwargs, frame.statement,
            min(frame.level, frame.reach), from_parameters))


def _decorator_names(node: object) -> set:
    """The bare names of a function's decorators (`staticmethod`, `classmethod`)."""
    if not isinstance(node, cst.FunctionDef):
        return set()
    return {d.decorator.value for d in node.decorators if isinstance(d.decorator, cst.Name)}


def _method_of_a_value(node: cst.Call) -> bool:
    """`frontend.output_size()`, `choices.get_class(name)`: a method (a lowercase name) of a value that
    is not `self`, not a class held in a variable (`block_fn(...)`, `self.block_cls(...)`,
    `layers.Mlp(...)`).  What it returns is not known to be a module built here."""
    func = node.func
    if func.__class__ is not cst.Attribute or not func.attr.value[:1].islower():
        return False
    return not (func.value.__class__ is cst.Name and func.value.value in ("self", "cls"))


#: methods that write every parameter of a module: its own default recipe again, or loaded values
_RESETS = ("reset_parameters", "_reset_parameters", "load_state_dict")


def _descends(node: cst.CSTNode, active: list, args: list) -> bool:
    """`def init_cnn(m): ...; for l in m.children(): init_cnn(l)`: the function runs again on each
    module under the one it was given (read once, on the dispatch variable, as `apply` would)."""
    return active.count(node) == 1 and bool(args) and isinstance(args[0], DispatchModule)

"""Models of what base classes do: `super()` calls, nn.Module's own methods, frameworks' init hooks.

Part of the `Interpreter` (see interpreter.py).  A `super().name(...)` or `self.name(...)` that
no class of the file defines runs code of nn.Module (`apply`, `modules()`, `add_module`), of a
torch container (`super().__init__(*layers)`), of a framework from frameworks.py
(`post_init()` applying `_init_weights`), or of a base class from another package, which may
initialize anything built so far.
"""

from __future__ import annotations

import libcst as cst

from init_lint.analysis.coverage import ALIAS_OF, may_initialize, spec_keys
from init_lint.analysis.frame import Frame
from init_lint.analysis.frameworks import Framework
from init_lint.analysis.models import ITERATION_METHODS
from init_lint.analysis.statements import self_steps
from init_lint.analysis.values import (
    UNKNOWN, ContainerValue, DispatchModule, FunctionValue, Iteration, LayerValue, SelfValue,
    Tri, attr_step, index_step,
)
from init_lint.analysis.walk import children

#: nn.Module methods that change no parameter's values
_HARMLESS_SELF_METHODS = ("register_buffer", "register_parameter", "to", "cuda", "cpu", "float", "double", "half",
                          "train", "eval", "requires_grad_", "zero_grad", "type", "bfloat16", "extra_repr",
                          # nn.Module's hooks and readers: they register or read, never write a parameter
                          "_register_load_state_dict_pre_hook", "register_load_state_dict_pre_hook",
                          "register_load_state_dict_post_hook", "_register_state_dict_hook",
                          "register_state_dict_pre_hook", "register_state_dict_post_hook",
                          "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
                          "register_full_backward_pre_hook", "register_backward_hook", "state_dict",
                          "named_buffers", "buffers", "get_submodule", "get_parameter", "get_buffer")


class InheritedModels:
    """`super()` and inherited `self` methods; needs the interpreter's calls, marks and dispatch methods."""

    def _call_super(self, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`super().name(...)`: a base class of the file, a framework's method, a container's `__init__`."""
        owner = frame.method_owner
        instance_owner = frame.instance.owner
        if owner is None or instance_owner is None:
            return UNKNOWN
        found = self.classes.find_method(instance_owner, name, after=owner)
        if found is not None:
            return self._call_function(FunctionValue(found[1], found[0].name, bound_self=True), args, kwargs,
                                       frame.instance, found[0], depth=frame.depth, dispatch_spec=frame.dispatch_spec,
                                       in_loop=frame.in_loop, level=frame.level)
        framework = self.classes.framework(instance_owner)
        if framework is not None and name == framework.dispatch_method and args:
            self._framework_base_dispatch(framework, args[0], frame)
            return None
        if name == "__init__" and instance_owner.container_base:
            if len(args) == 1 and isinstance(args[0], ContainerValue) and (args[0].keys or args[0].dict_like):
                args = list(args[0].items)  # `super().__init__(OrderedDict(...))`: named children, by position
            for index, item in enumerate(args):
                frame.instance.attrs[f"<{index}>"] = item
                self._give_address(item, self_steps(frame) + (index_step(index),), frame)
            for key, item in kwargs.items():
                frame.instance.attrs[key] = item
            return None
        if name == "__init__":
            if self.classes.has_external_bases(instance_owner) and frame.instance.sites:
                self._dispatch_all(SelfValue(), frame, Tri.MAYBE, node)
            return None
        if name == "init_weights" and not args and self._takes_init_cfg(instance_owner):
            # mmengine's `BaseModule.init_weights()` applies the module's `init_cfg` (its default is read by
            # `_init_cfg_dispatch`; a config may pass another: out of sight either way) and its children's
            # own `init_weights()`: nothing else.
            return None
        if self.classes.has_external_bases(instance_owner):
            self._escape(args, kwargs, frame)
            if frame.self_name is not None and may_initialize(self.entry):
                # (In a classmethod, `super().build_iter_factory(...)` has no instance to initialize; from
                # `forward` or `train` it runs after construction for another purpose.)
                self._dispatch_all(SelfValue(), frame, Tri.MAYBE, node)
        return UNKNOWN

    def _framework_base_dispatch(self, framework: Framework, module: object, frame: Frame) -> None:
        """`super()._init_weights(m)` of a framework: it initializes the layer types it covers."""
        if isinstance(module, DispatchModule) and module.spec is not None:
            if module.spec.name in framework.base_covers:
                self._mark_module(module, frame, Tri.YES)
        elif isinstance(module, LayerValue):
            for site in module.sites:
                if site.spec.name in framework.base_covers:
                    self._mark_module(LayerValue((site,)), frame, Tri.YES)

    def _call_self_member(self, name: str, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> object:
        """`self.name(...)` where no method of the file defines `name`."""
        if name == "apply" and args:
            self._apply(SelfValue(), args[0], node, frame)
            return None
        if name in ITERATION_METHODS:
            return Iteration(SelfValue(), name, frame.instance)
        if name in ("add_module", "register_module") and len(args) >= 2:
            if isinstance(args[0], str):
                frame.instance.attrs[args[0]] = args[1]
                self._give_address(args[1], self_steps(frame) + (attr_step(args[0]),), frame)
            else:
                frame.instance.attrs[f"<added {len(frame.instance.attrs)}>"] = args[1]
            return None
        if name in _HARMLESS_SELF_METHODS:
            return None
        info = frame.instance.owner
        framework = self.classes.framework(info) if info is not None else None
        if framework is not None and name == framework.init_hook:
            found = self.classes.find_method(info, framework.dispatch_method) if framework.dispatch_method else None
            if found is not None:
                self._apply(SelfValue(), FunctionValue(found[1], found[0].name, bound_self=True), node, frame)
            else:
                coverage = {spec.name: {key: Tri.YES if spec.name in framework.base_covers else Tri.NO
                                        for key in spec_keys(spec)} for spec in self.dispatch_specs}
                for alias, base in ALIAS_OF.items():
                    coverage.setdefault(alias, coverage[base])
                self._record_dispatch(SelfValue(), coverage, frame, node, Tri.YES)
            return None
        if info is not None and (self.classes.has_external_bases(info) or
                                 (framework is not None and framework.init_hook is not None)) \
                and may_initialize(self.entry):
            # A method of a base class from another package: it may initialize anything built so far
            # (not from `recognize` or `update_core`: code run after construction for another purpose).
            self._escape(args, kwargs, frame)
            self._dispatch_all(SelfValue(), frame, Tri.MAYBE, node)
            return UNKNOWN
        self._escape(args, kwargs, frame)
        return UNKNOWN

    def _takes_init_cfg(self, info) -> bool:
        """An mmengine-style module: its `__init__` takes `init_cfg` (and hands it to its base)."""
        found = self.classes.find_method(info, "__init__")
        return found is not None and any(
            p.name.value == "init_cfg" for p in list(found[1].params.params) + list(found[1].params.kwonly_params))

    def _init_cfg_dispatch(self, info, instance) -> None:
        """mmengine-style `init_cfg`: a base class from elsewhere initializes, when the runner calls
        `init_weights()` after construction, the layer types its default `init_cfg` names
        (`dict(type='TruncNormal', layer=['Conv2d', 'Linear'])`) in the whole module.  Recorded as a
        dispatch at the end of construction, at MAYBE: a config may pass another `init_cfg`."""
        if not self.classes.has_external_bases(info):
            return
        found = self.classes.find_method(info, "__init__")
        if found is None:
            return
        default = next((p.default for p in list(found[1].params.params) + list(found[1].params.kwonly_params)
                        if p.name.value == "init_cfg" and p.default is not None), None)
        # `self.init_cfg = [...]` / `+= [...]` in `__init__` (mmdet's bbox heads) say the same.
        configs = ([default] if default is not None else []) + [
            config for owner in self.classes.mro(info) if "__init__" in owner.methods
            for config in _assigned_init_cfgs(owner.methods["__init__"])]
        frame = Frame({}, instance, info, "self", 1)
        for config in configs:
            names, overridden = init_cfg_layers(config)
            if names:
                coverage = self._init_cfg_coverage(lambda spec: covers(spec, names))
                self._record_dispatch(SelfValue(), coverage, frame, config, Tri.MAYBE)
            for name in overridden:
                # `override=dict(name='fc_cls')`: every parameter of that child, whatever its type.
                if name in instance.attrs:
                    coverage = self._init_cfg_coverage(lambda spec: True)
                    self._record_dispatch(instance.attrs[name], coverage, frame, config, Tri.MAYBE)


    def _init_cfg_coverage(self, covered) -> dict:
        """A dispatch table at MAYBE for every key of the module types `covered` accepts, NO for the others."""
        coverage = {spec.name: {key: Tri.MAYBE if covered(spec) else Tri.NO for key in spec_keys(spec)}
                    for spec in self.dispatch_specs}
        for name, base in ALIAS_OF.items():
            coverage.setdefault(name, coverage[base])
        return coverage

def _assigned_init_cfgs(init: cst.FunctionDef) -> list:
    """The values `__init__` assigns to `self.init_cfg` (`=` or `+=`), at any depth of its body."""
    found = []
    pending: list = [init.body]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.Assign, cst.AugAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            if any(isinstance(t, cst.Attribute) and t.attr.value == "init_cfg" and isinstance(t.value, cst.Name)
                   and t.value.value == "self" for t in targets):
                found.append(node.value)
            continue
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        pending.extend(children(node))
    return found


def init_cfg_layers(default: cst.BaseExpression) -> tuple[set, set]:
    """What an `init_cfg` initializes: the layer type names of every `layer=` of its `dict(...)` entries
    (`"*"` for a `Pretrained` entry, which loads every parameter), and the child names of its
    `override=dict(name=...)` entries."""
    names: set = set()
    overridden: set = set()
    pending = [default]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
            for arg in node.args:
                if arg.keyword is None:
                    continue
                if arg.keyword.value == "layer":
                    values = [e.value for e in arg.value.elements] if isinstance(arg.value, (cst.List, cst.Tuple)) \
                        else [arg.value]
                    names.update(v.raw_value for v in values if isinstance(v, cst.SimpleString))
                elif arg.keyword.value == "type" and isinstance(arg.value, cst.SimpleString) \
                        and arg.value.raw_value == "Pretrained":
                    names.add("*")
                elif arg.keyword.value == "override":
                    pending.append(arg.value)
                elif arg.keyword.value == "name" and isinstance(arg.value, cst.SimpleString):
                    overridden.add(arg.value.raw_value)
        elif isinstance(node, (cst.List, cst.Tuple)):
            pending.extend(e.value for e in node.elements)
    return names, overridden


def covers(spec, names: set) -> bool:
    """mmengine matches `layer=` against the names of the module's class and its bases."""
    return "*" in names or bool(names & ({spec.name} | set(spec.mro)))


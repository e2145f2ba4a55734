"""Models of what base classes do: `super()` calls, nn.Module's own methods, frameworks' init hooks.

Part of the `Interpreter` (see interpreter.py).  A `super().name(...)` or `self.name(...)` that
no class of the file defines runs code of nn.Module (`apply`, `modules()`, `add_module`), of a
torch container (`super().__init__(*layers)`), of a framework from frameworks.py
(`post_init()` applying `_init_weights`), or of a base class from another package, which may
initialize anything built so far.
"""

from __future__ import annotations

import libcst as cst

from init_lint.analysis.coverage import ALIAS_OF, spec_keys
from init_lint.analysis.frame import Frame
from init_lint.analysis.frameworks import Framework
from init_lint.analysis.models import ITERATION_METHODS
from init_lint.analysis.statements import self_steps
from init_lint.analysis.values import (
    UNKNOWN, ContainerValue, DispatchModule, FunctionValue, Iteration, LayerValue, SelfValue,
    Tri, attr_step, index_step,
)

#: nn.Module methods that change no parameter's values
_HARMLESS_SELF_METHODS = ("register_buffer", "register_parameter", "to", "cuda", "cpu", "float", "double", "half",
                          "train", "eval", "requires_grad_", "zero_grad", "type", "bfloat16", "extra_repr")


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
        if self.classes.has_external_bases(instance_owner):
            self._escape(args, kwargs, frame)
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
                                 (framework is not None and framework.init_hook is not None)):
            # A method of a base class from another package: it may initialize anything built so far.
            self._escape(args, kwargs, frame)
            self._dispatch_all(SelfValue(), frame, Tri.MAYBE, node)
            return UNKNOWN
        self._escape(args, kwargs, frame)
        return UNKNOWN

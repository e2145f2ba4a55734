"""Init coverage: which parameters code writes, and what `apply` / `modules()` dispatches cover.

Part of the `Interpreter` (see interpreter.py).  A write to a layer's parameter marks it in the
binder; a dispatch body is read once per layer type (the variable stands for every layer of
that type) and gives a coverage table, recorded as a `DispatchEvent` over the layers and
submodules in its scope at that point of the code.  At the end of an entry the marks become
each layer site's `cover`.
"""

from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from init_lint.analysis.binder import dispatch_key
from init_lint.analysis.facts import DispatchEvent
from init_lint.analysis.frame import Frame, Instance
from init_lint.analysis.values import (
    UNKNOWN, ChildModule, ChoiceValue, ContainerValue, DispatchModule, DispatchTensor, FunctionValue, Iteration,
    LayerSite, LayerValue, ModuleInstance, PartialValue, SelfValue, Starred, TensorValue, Tri,
)
from init_lint.analysis.walk import children
from init_lint.catalogue import CLONE, MODULES, LayerSpec, cover_keys, key_template

#: layer types whose dispatch reading is the same as their base's unless a file names them
ALIAS_OF = {"LazyLinear": "Linear", "NonDynamicallyQuantizableLinear": "Linear",
            **{f"Lazy{kind}{d}d": f"{kind}{d}d" for kind in ("Conv", "ConvTranspose") for d in (1, 2, 3)}}


def spec_keys(spec: LayerSpec) -> tuple[str, ...]:
    """A layer type's coverage keys in a dispatch table (templates for recurrent stacks)."""
    keys = _SPEC_KEYS.get(spec.name)
    if keys is None:
        keys = _SPEC_KEYS[spec.name] = cover_keys(spec)
    return keys


_SPEC_KEYS: dict = {}


def table_level(table: dict, spec: LayerSpec, key: str) -> Tri:
    """A dispatch table's level for one key of a site (`weight_ih_l1` reads `weight_ih_l{layer}{suffix}`)."""
    levels = table.get(spec.name)
    if not levels:
        return Tri.NO
    found = levels.get(key)
    return found if found is not None else levels.get(key_template(spec, key), Tri.NO)


def derive_children(coverage: dict, spec: LayerSpec, own: dict) -> dict:
    """A module's table with its children's keys raised to what the dispatch does to the child's type:
    `modules()` reaches `out_proj` as a Linear, so `isinstance(m, nn.Linear)` covers `out_proj.weight`."""
    if not spec.children:
        return own
    table = dict(own)
    for key in spec_keys(spec):
        if "." not in key:
            continue
        level, current, parts = Tri.NO, spec, key.split(".")
        while len(parts) > 1 and current is not None:
            child = current.child(parts[0]) or (current.child(f"{parts[0]}.{parts[1]}") if len(parts) > 2 else None)
            if child is None:
                break
            parts = parts[child.attribute.count(".") + 1:]
            if parts and parts[0] == CLONE:
                parts = parts[1:]
            current = MODULES[child.module]
            rest = ".".join(parts)
            child_table = coverage.get(current.name) or coverage.get(ALIAS_OF.get(current.name, ""), {})
            level = max(level, child_table.get(rest, Tri.NO))
        table[key] = max(table.get(key, Tri.NO), level)
    return table


def _keys_of(value: object) -> tuple:
    """The coverage keys a dispatch variable or a child module stands for."""
    if isinstance(value, DispatchModule) and value.spec is not None:
        return spec_keys(value.spec)
    if isinstance(value, ChildModule):
        keys = value.sites[0].cover if value.sites else spec_keys(value.spec) if value.spec else ()
        return tuple(k for k in keys if k.startswith(value.prefix + "."))
    return ()


class CoverageRecorder:
    """Marks and dispatches; needs the interpreter's binder, `_call_function`, `_assign`, `_walk_block`."""

    # ---------------------------------------------------------------- marks

    def _mark(self, key, param: str, frame: Frame, level: Tri = Tri.YES, site: Optional[LayerSite] = None) -> None:
        """Code writes `param` of the layer(s) `key`."""
        # After a statement that may have returned, writes may not happen, unless the layer itself
        # was built after that point too (`if done: return; self.fc = ...; init(self.fc.weight)`).
        if site is None or site.reach > frame.reach:
            level = min(level, frame.reach)
        self.binder.mark(key, param, level)

    def _mark_tensor(self, tensor: object, frame: Frame, level: Tri = Tri.YES) -> None:
        """Code writes a tensor: a layer's parameter, or a dispatch variable's."""
        if isinstance(tensor, ChoiceValue):
            for option in tensor.options:
                self._mark_tensor(option, frame, level)
        elif isinstance(tensor, TensorValue):
            for site in tensor.sites:
                self._mark(id(site), tensor.param, frame, level, site)
        elif isinstance(tensor, DispatchTensor):
            self._mark(dispatch_key(tensor.spec.name), tensor.param, frame, level)

    def _mark_target(self, owner: object, param: str, frame: Frame) -> None:
        """`owner.weight = ...`: the parameter is replaced."""
        if isinstance(owner, LayerValue):
            for site in owner.sites:
                self._mark(id(site), param, frame, site=site)
        elif isinstance(owner, DispatchModule) and owner.spec is not None:
            self._mark(dispatch_key(owner.spec.name), param, frame)
        elif isinstance(owner, ChildModule):
            for site in owner.sites:
                self._mark(id(site), f"{owner.prefix}.{param}", frame, site=site)
            if owner.spec is not None:
                self._mark(dispatch_key(owner.spec.name), f"{owner.prefix}.{param}", frame)

    def _mark_module(self, value: object, frame: Frame, level: Tri, params: Optional[tuple] = None) -> None:
        """Code writes (or may write) every parameter of `value` (or those of `params`)."""
        if isinstance(value, LayerValue):
            for site in value.sites:
                for param in params or tuple(site.cover):
                    self._mark(id(site), param, frame, level, site=site)
        elif isinstance(value, DispatchModule) and value.spec is not None:
            for param in params or spec_keys(value.spec):
                self._mark(dispatch_key(value.spec.name), param, frame, level)
        elif isinstance(value, ChildModule):
            keys = _keys_of(value)
            for site in value.sites:
                for key in keys:
                    self._mark(id(site), key, frame, level, site=site)
            if value.spec is not None:
                for key in keys:
                    self._mark(dispatch_key(value.spec.name), key, frame, level)
        elif isinstance(value, (SelfValue, ModuleInstance, ContainerValue)):
            self._dispatch_all(value, frame, level)
        elif isinstance(value, (TensorValue, DispatchTensor)):
            self._mark_tensor(value, frame, level)

    def _commit_marks(self, instance: Instance, secondary: bool, earlier: Iterable[LayerSite] = ()) -> None:
        """The end of an entry: its marks become the sites' cover (a later method only maybe runs
        before use, so what it does to layers built earlier counts as MAYBE)."""
        earlier_ids = {id(s) for s in earlier}
        # Layers of child modules built earlier can be initialized by the parent (`self.block.fc.weight`).
        by_id = self.site_by_id
        for (key, param), level in self.binder.marks.items():
            site = by_id.get(key)
            if site is None:
                continue
            if secondary and id(site) in earlier_ids:
                # A method that runs after construction is no way of building: a fork there is a doubt.
                level = Tri.MAYBE if level > Tri.NO else Tri.NO
            elif level == Tri.FORK and param == "bias" and _without_bias_on(site, self.binder.why.get((key, param))):
                # `nn.Linear(a, b, bias=bias)` then `if bias: zero_(...)`: the way left is built without a bias.
                level = Tri.YES
            if param not in site.cover:
                template = key_template(site.spec, param)
                if template not in site.cover:
                    continue  # not a parameter of this module (`lstm.weight`)
                # one layer of a stack whose size is not known (`weight_ih_l0`): maybe all of them
                param, level = template, min(level, Tri.MAYBE)
            site.cover[param] = max(site.cover[param], level)
            if (key, param) in self.binder.branches:
                site.branches.setdefault(param, []).extend(self.binder.branches[(key, param)])
            if level == Tri.FORK and self.binder.why.get((key, param)):
                site.fork_why.setdefault(param, self.binder.why[(key, param)])

    # ---------------------------------------------------------------- dispatches

    def _dispatch_all(self, receiver: object, frame: Frame, level: Tri, node: Optional[cst.CSTNode] = None) -> None:
        """Code that may initialize every module under `receiver` (a base class's method, an unknown helper)."""
        coverage = {spec.name: {key: level for key in spec_keys(spec)} for spec in self.dispatch_specs}
        for name, base in ALIAS_OF.items():
            coverage.setdefault(name, coverage[base])
        self._record_dispatch(receiver, coverage, frame, node, level)

    def _apply(self, receiver: object, fn: object, node: cst.CSTNode, frame: Frame, named: bool = False) -> None:
        """`receiver.apply(fn)`: fn runs on every module under receiver, after everything built so far."""
        if isinstance(fn, PartialValue) and isinstance(fn.callee, FunctionValue):
            fn = FunctionValue(fn.callee.node, fn.callee.owner, fn.callee.bound_self, fn.args, fn.kwargs)
        if not isinstance(fn, FunctionValue):
            self._dispatch_all(receiver, frame, Tri.MAYBE, node)
            return
        coverage = self._read_dispatch(node, lambda spec: self._call_function(
            fn, [DispatchModule(spec)], {"name": UNKNOWN} if named and "name" not in fn.kwargs else {},
            frame.instance, self.classes.get(fn.owner) if fn.owner else frame.method_owner,
            depth=frame.depth, dispatch_spec=spec, level=Tri.YES))
        self._record_dispatch(receiver, coverage, frame, node, Tri.YES)

    def _run_iteration(self, iteration: Iteration, target: cst.BaseExpression, body: list, frame: Frame,
                       node: cst.CSTNode) -> None:
        """`for m in x.modules():` (or `parameters()`): the body is a dispatch over the modules of x."""
        kind = iteration.kind
        if kind.endswith("children") and self._recurses_on(target, body):
            kind = kind.replace("children", "modules")  # the function's own call descends further
        if kind in ("modules", "named_modules", "children", "named_children"):
            def run(spec):
                inner = frame.nested(spec, Tri.YES)
                element = DispatchModule(spec)
                self._assign(target, (UNKNOWN, element) if kind.startswith("named") else element, inner)
                self._walk_block(body, inner)
            coverage = self._read_dispatch(node, run, derive=not kind.endswith("children"))
            self._record_dispatch(iteration.receiver, coverage, frame, node, Tri.YES,
                                  children_only=kind.endswith("children"))
        elif isinstance(iteration.receiver, DispatchModule) and iteration.receiver.spec is not None \
                and frame.dispatch_spec is not None:
            # `for p in m.parameters():` inside a dispatch on m's type: the body runs on each of that
            # type's parameters, marking them for the enclosing dispatch's reading
            spec = iteration.receiver.spec
            for param in spec_keys(spec):
                inner = frame.nested(spec, frame.level)
                element = DispatchTensor(spec, param, from_parameters=True)
                self._assign(target, (param, element) if kind == "named_parameters" else element, inner)
                self._walk_block(body, inner)
        else:
            def run_params(spec):
                # a child's parameters are read as the child's type (derive_children)
                for param in (k for k in spec_keys(spec) if "." not in k):
                    inner = frame.nested(spec, Tri.YES)
                    element = DispatchTensor(spec, param, from_parameters=True)
                    self._assign(target, (f"layer.{param}", element) if kind == "named_parameters" else element, inner)
                    self._walk_block(body, inner)
            coverage = self._read_dispatch(node, run_params)
            self._record_dispatch(iteration.receiver, coverage, frame, node, Tri.YES)

    def _recurses_on(self, target: cst.BaseExpression, body: list) -> bool:
        """`for l in m.children(): init_cnn(l)` inside `init_cnn`: the loop reaches every module below."""
        if not isinstance(target, cst.Name):
            return False
        for statement in body:
            for call in _calls_in(statement):
                if isinstance(call.func, cst.Name) and call.args and isinstance(call.args[0].value, cst.Name) \
                        and call.args[0].value.value == target.value \
                        and self.functions.get(call.func.value) in self.active:
                    return True
        return False

    def _read_dispatch(self, node: cst.CSTNode, run, derive: bool = True) -> dict:
        """Run a dispatch body once per layer type; returns spec name -> param key -> Tri."""
        saved_id = self._dispatch_id
        self._dispatch_id = id(node)
        coverage: dict = {}
        try:
            for spec in self.dispatch_specs:
                marks = self.binder.isolated(lambda: run(spec))
                key = dispatch_key(spec.name)
                own = {param: marks.get((key, param), Tri.NO) for param in spec_keys(spec)}
                coverage[spec.name] = derive_children(coverage, spec, own) if derive else own
        finally:
            self._dispatch_id = saved_id
        for name, base in ALIAS_OF.items():
            coverage.setdefault(name, coverage[base])
        return coverage

    def _record_dispatch(self, receiver: object, coverage: dict, frame: Frame, node: Optional[cst.CSTNode],
                         level: Tri, children_only: bool = False) -> None:
        """A dispatch runs here: record it, and cover the layers of this entry in its scope now."""
        if frame.dispatch_spec is not None and isinstance(receiver, (DispatchModule, DispatchTensor)):
            return
        sites, builds = dispatch_scope(receiver, frame.instance, children_only)
        if not may_initialize(self.entry):
            # `def train(self, mode): for m in self.modules(): ...`: code run after construction for another
            # purpose reaches only what it builds itself (a new head in `reset_classifier`).
            sites = {site for site in sites if site.entry == self.entry}
            builds = {build for build in builds if build.entry == self.entry}
            if not sites and not builds:
                return
        event = DispatchEvent(self.entry, next(self.seq), frozenset(sites), frozenset(builds), coverage,
                              min(level, frame.level, frame.reach), node, id(node) if node is not None else None,
                              local=_only_known_builds(receiver))
        self.facts.dispatches.append(event)
        # Concrete layers in scope built in this entry: cover them now, so order inside the entry is kept
        # (not at the branch's level: the binder joins the branches' marks).
        for site in sites:
            for param in site.cover:
                level_here = min(table_level(coverage, site.spec, param), level)
                if level_here > Tri.NO:
                    self._mark(id(site), param, frame, level_here, site=site)


def _only_known_builds(receiver: object) -> bool:
    """The receiver is layers and builds of known classes only (`v = ViT(...)`), no self, no unknown."""
    options = receiver.options if isinstance(receiver, ChoiceValue) else (receiver,)
    return bool(options) and all(
        isinstance(o, LayerValue) or (isinstance(o, ModuleInstance) and (o.build.child or o.build.external))
        for o in options)


def dispatch_scope(receiver: object, instance: Instance, children_only: bool) -> tuple[set, set]:
    """The layer sites and builds a dispatch on `receiver` reaches (for self: what is built so far)."""
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
    elif isinstance(value, Starred):
        _collect(value.of, sites, builds, seen)  # `nn.Sequential(*layers)` with layers built in a loop


#: words of a method name that say it may give layers their values
_INIT_WORDS = ("init", "weight", "reset", "load", "param", "setup", "build", "prepare")
#: prefixes of method names that never give the model's existing layers their values
_NOT_INIT_PREFIXES = ("reset_classifier", "reset_head", "forward", "get_", "set_")


def may_initialize(entry: str) -> bool:
    """Whether code run from `entry` may be where the module's layers get their values: construction,
    module-level code, or a method whose name speaks of init, weights, reset or loading."""
    if "." not in entry or entry.startswith("<"):
        return True
    # A data loader (Lightning's `val_dataloader`) loads data, not weights.
    method = entry.rsplit(".", 1)[-1].lower().replace("dataloader", "")
    if method.startswith(_NOT_INIT_PREFIXES):
        # `reset_classifier` replaces a head; `get_`/`set_`/`forward_` read or use the model.
        return False
    return method == "__init__" or any(word in method for word in _INIT_WORDS)


def _calls_in(node: cst.CSTNode):
    """The calls under a statement (not inside nested functions or classes)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            yield current
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and current is not node:
            continue
        stack.extend(children(current))  # code only: no call is punctuation or whitespace


def _without_bias_on(site: LayerSite, way: Optional[str]) -> bool:
    """Whether `way` (`when not bias`) is the one where the constructor's `bias=bias` is false."""
    if way is None or site.bias != Tri.MAYBE or not isinstance(site.call, cst.Call):
        return False
    for arg in site.call.args:
        if arg.keyword is not None and arg.keyword.value == "bias" and isinstance(arg.value, cst.Name):
            return way == f"when not {arg.value.value}"
    return False

"""An abstract interpreter for the code that builds and initializes a module.

It walks `__init__` (and what it calls: methods, base classes and helpers of the same file) in
statement order, the way the code runs, and records facts instead of computing tensors: where a
layer is constructed, which of its parameters code writes afterwards, which `apply` / `modules()`
/ `parameters()` dispatches run and what they cover, which child modules are built, and every
init-like call.  Order matters twice: a dispatch covers only what exists when it runs, and a fix
must be inserted where the layer is built so that random draws keep their order.

Values it cannot follow become `UNKNOWN`; writes through them count as "maybe" (the class is
uncertain, reported only in strict mode), never as a finding.

The interpreter is one object whose parts live in modules by concern:

| module          | concern                                                          |
| --------------- | ---------------------------------------------------------------- |
| binder.py       | branch state: init marks, fork and join of alternatives          |
| frame.py        | a running function's names and the module being built            |
| statements.py   | statements in order, assignment, addresses for the fixer         |
| expressions.py  | the value of each expression, names, operators                   |
| calls.py        | calls: layers built, functions of the file inlined, init calls   |
| models.py       | models of torch, functools, math and builtins, by qualified name |
| inherited.py    | `super()`, nn.Module's methods, frameworks' init hooks           |
| coverage.py     | marks, `apply` / `modules()` dispatches and what they cover      |
| forward.py      | forward data flow (which layer feeds which), for INI003          |
| scale.py        | unit-scale draws and parameters' uses in products, for INI009    |
"""

from __future__ import annotations

import itertools
from typing import Optional

import libcst as cst

from init_lint.analysis.binder import Binder
from init_lint.analysis.calls import CallEvaluator
from init_lint.analysis.classes import ClassInfo, ClassTable
from init_lint.analysis.coverage import ALIAS_OF, CoverageRecorder
from init_lint.analysis.expressions import ExpressionEvaluator
from init_lint.analysis.facts import FileFacts
from init_lint.analysis.forward import forward_feeds
from init_lint.analysis.frame import MAX_DEPTH, Budget, Frame, Instance
from init_lint.analysis.inherited import InheritedModels
from init_lint.analysis.models import ExternalModels
from init_lint.analysis.names import ImportTable
from init_lint.analysis.scale import draws_parameters, scan_class
from init_lint.analysis.scopes import ModuleConstants
from init_lint.analysis.statements import StatementWalker
from init_lint.analysis.values import UNKNOWN, ChoiceValue, ContainerValue, FunctionValue, ModuleInstance
from init_lint.analysis.ways import construction_ways
from init_lint.catalogue import SITE_MODULES

# Importable from here for code written against the single-module interpreter (fixes/feasibility.py).
__all__ = ["Interpreter", "FileFacts", "MAX_DEPTH"]


class Interpreter(StatementWalker, ExpressionEvaluator, CallEvaluator, ExternalModels, InheritedModels,
                  CoverageRecorder):
    """Runs every module class's `__init__` and other methods, then module-level code, of one file."""

    def __init__(self, module: cst.Module, imports: ImportTable, classes: ClassTable,
                 extra_layers: Optional[dict] = None, text: Optional[str] = None) -> None:
        self.extra_layers = extra_layers or {}
        # Dispatch bodies are read once per layer type.  A lazy or quantizable variant behaves as its
        # base class does, unless the file names it (then it gets a reading of its own).
        self.dispatch_specs = [s for s in SITE_MODULES.values() if ALIAS_OF.get(s.name) is None
                               or text is None or s.name in text]
        self.module = module
        self.text = text
        self.imports = imports
        self.classes = classes
        self.functions = {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}
        #: module-level names Python's scoping makes constants (scopes.py), read by name
        self.module_constants = ModuleConstants(module, text)
        self.facts = FileFacts()
        self.binder = Binder()
        self.seq = itertools.count(1)
        #: function nodes run in the current entry (methods not reached from `__init__` run as entries)
        self.reached: set = set()
        #: the call stack of function nodes (a recursive call gives UNKNOWN)
        self.active: list = []
        #: the entry being walked: `Net.__init__`, `Net.reset_classifier`, `<module>`, `<function f>`
        self.entry = ""
        self.site_by_id: dict = {}
        self.budget = Budget()
        self._module_values: dict = {}
        self._literals: dict = {}
        #: the dispatch whose body is being read: events recorded there belong to it
        self._dispatch_id: Optional[int] = None
        #: class -> its ways of being built in this file (ways.py); the ways of the class being run
        self._ways: Optional[dict] = None
        self.ways_now: list = []
        #: entry -> the ways whose arguments decided a condition of it (named in findings)
        self.way_decisions: dict = {}
        #: id(condition) -> {holds: labels of the ways that take that side}
        self.way_labels: dict = {}
        #: id(condition) -> the truth every way of building gives it
        self.way_decided: dict = {}
        #: id(test) -> {True/False: labels of the call sites taking that side}, for explain
        self.way_sides: dict = {}
        #: (id(condition), holds) -> (condition, `when ...` label): statements._when
        self.condition_labels: dict = {}

    def run(self) -> FileFacts:
        """Walk the whole file; returns the facts the rules read."""
        for info in self.classes.modules():
            self._run_class(info)
        self._run_scripts()
        self._pair_entry_refs()
        return self.facts

    def _run_class(self, info: ClassInfo) -> None:
        """`__init__` first (with unknown arguments), then every other method that `__init__` did not reach."""
        self.reached = set()
        instance = Instance(info)
        init = self.classes.find_method(info, "__init__")
        self.binder.reset()
        self.entry = f"{info.name}.__init__"
        self.budget.new_entry()
        self.ways_now = self._ways_of(info) if init is not None and init[0] is info else []
        if init is not None:
            owner, node = init
            # Constructor arguments are whatever the caller passes: read them as unknown, so that
            # every configuration (`if use_gpsa:`, `if parallel_depth > 0:`) is seen, not only the defaults.
            self._call_function(FunctionValue(node, owner.name, bound_self=True), [], {}, instance, owner,
                                unknown_params=True)
        ways = tuple(way.label or "its default arguments" for way in self.ways_now)
        self.ways_now = []
        self._init_cfg_dispatch(info, instance)
        self._commit_marks(instance, secondary=False)
        for site in instance.sites:
            site.ways_decided = tuple(self.way_decisions.get(self.entry, ()))
            site.ways = ways
        self.facts.attrs[info.name] = dict(instance.attrs)
        init_sites = list(instance.sites)
        init_builds = len(instance.builds)
        for name, (owner, node) in self._later_entries(info).items():
            if node in self.reached or name == "forward" or (name.startswith("__") and name.endswith("__")):
                continue
            if _loads_weights(name):
                # Layers built while loading a checkpoint get their values from it.
                continue
            self.binder.reset()
            self.entry = f"{info.name}.{name}"
            self.budget.new_entry()
            self._call_function(FunctionValue(node, owner.name, bound_self=True), [UNKNOWN] * 8, {}, instance, owner)
            self._commit_marks(instance, secondary=True, earlier=init_sites)
            if self.classes.has_external_bases(info):
                # A base class from elsewhere may call this method and initialize what it builds.
                for site in instance.sites[len(init_sites):]:
                    site.from_external_hook = True
                # So may it for the modules it builds and keeps (`self.mask_head = MaskFeatModule(...)`);
                # not for one it returns (a task's `build_model`), nor a call through a variable (`self.norm(x)`).
                kept = _kept_builds(instance.attrs.values())
                for build in instance.builds[init_builds:]:
                    if id(build) in kept and (build.child is not None or build.external is not None):
                        build.from_external_hook = True
        forward = self.classes.find_method(info, "forward")
        if forward is not None:
            self.facts.forward_feeds[info.name] = forward_feeds(forward[1])
        if draws_parameters(self.facts.attrs[info.name]):
            # Only a unit-scale parameter draw is judged by where it is used (INI009): other classes
            # skip the syntactic pass over all their methods.
            self.facts.scale[info.name] = scan_class(info.methods)

    def _later_entries(self, info: ClassInfo) -> dict:
        """name -> (the class defining it, its node): the methods an instance has, its own and those it
        inherits from bases of the file (`init_weights()` a framework calls on the subclass after
        construction is the base's), each as `self.name` finds it."""
        methods: dict = {}
        for owner in self.classes.mro(info):
            for name, node in owner.methods.items():
                methods.setdefault(name, (owner, node))
        return methods

    def _ways_of(self, info: ClassInfo) -> list:
        """The ways the file builds `info` (ways.py); worked out once, for files whose classes take arguments."""
        init = info.methods.get("__init__")
        if init is None or len(init.params.params) + len(init.params.kwonly_params) < 2:
            return []
        if self._ways is None:
            self._ways = construction_ways(self.module, self.classes, self.module_constants, self.text)
        return self._ways.get(info.name, [])

    def _run_scripts(self) -> None:
        """Module-level code and functions: `net = Net(); net.apply(init_fn)` covers Net as a model."""
        instance = Instance(None)
        self.binder.reset()
        self.entry = "<module>"
        self.budget.new_entry()
        body = [s for s in self.module.body if not isinstance(s, (cst.FunctionDef, cst.ClassDef))]
        self._walk_block(body, Frame({}, instance, None, None, 0))
        for name, node in self.functions.items():
            if node in self.reached:
                continue
            self.entry = f"<function {name}>"
            self.budget.new_entry()
            self._call_function(FunctionValue(node), [UNKNOWN] * 8, {}, Instance(None), None)


def _kept_builds(values) -> set:
    """The ids of the builds whose modules are held by these values (attributes of the instance), in
    containers too."""
    found: set = set()
    stack = list(values)
    seen: set = set()
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, ModuleInstance):
            found.add(id(value.build))
        elif isinstance(value, ContainerValue):
            stack.extend(value.items)
            stack.extend(value.keys.values())
        elif isinstance(value, ChoiceValue):
            stack.extend(value.options)
    return found


def _loads_weights(method: str) -> bool:
    return "load_state_dict" in method or method.startswith(("from_pretrained", "from_float", "_load", "load_"))

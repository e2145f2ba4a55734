"""The module tree: which classes build which, and what a model's init covers in its submodules.

A layer keeps PyTorch's default when, along some way the code can build it (a chain of classes
from a model down to the layer's class), nothing initializes it: not its own class, and no
`apply` / `modules()` dispatch of an enclosing model that runs after the submodule is built.
A class that no class of the file builds is a model of its own (or is built by module-level
code, whose `net.apply(fn)` counts too).  The coverage solver (`solver.py`) answers; `FileGraph`
is the file as it reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from init_lint.analysis.classes import ClassTable
from init_lint.analysis.facts import BuildEvent, DispatchEvent, FileFacts
from init_lint.analysis.values import PARAMS, LayerSite, Tri
from init_lint.analysis.coverage import table_level
from init_lint.analysis.solver import Build, Group, Solver, Way, combine
from init_lint.catalogue import LAYERS, MODULES, RULE_MODULES, defaulted_keys

#: (layer type, parameter key) pairs another file's build may need a verdict on: every LAYERS
#: parameter, and the keys of the other modules that keep an implicit default (INI006-INI008)
_EXPORTED_KEYS = tuple((name, param) for name in LAYERS for param in PARAMS) + tuple(
    (name, key) for name, spec in RULE_MODULES.items() for key in sorted(defaulted_keys(spec)))


@dataclass
class Verdict:
    """How sure the analysis is that a parameter is initialized, and through which models it is not.

    `alternatives` maps each model (a class no class of the file builds) through which the layer
    may be built to the coverage on the way down from it, and `root_levels` to the coverage the
    model itself gets from module-level code.  Project mode re-evaluates the verdict when another
    file builds one of these models.
    """

    level: Tri
    models: list = field(default_factory=list)
    alternatives: dict = field(default_factory=dict)
    root_levels: dict = field(default_factory=dict)
    #: the way that leaves it at the default, where one can be named (`when init_type != 'explicit'`)
    why: Optional[str] = None

    def ways(self) -> tuple:
        """The models it is built through, as plain data project mode judges again (`Finding.depends`)."""
        return tuple(Way(model, int(way), int(self.root_levels[model]))
                     for model, way in sorted(self.alternatives.items()))


def way_that_keeps_default(site: LayerSite, param: str, level: Tri) -> Optional[str]:
    """Name the way that leaves the parameter at the default: a branch not taken, or the call sites
    whose arguments take no initializing branch."""
    if level == Tri.FORK and site.cover[param] == Tri.FORK:
        return site.fork_why.get(param)
    if site.ways_decided and site.cover[param] == Tri.NO:
        names = ", ".join(site.ways_decided[:2]) + (" and others" if len(site.ways_decided) > 2 else "")
        return f"for {names}"
    return None


class FileGraph:
    """The file's classes as the solver sees them: builds by classes of the file, and for a model the
    builds by module-level code and, where the class is passed around as a value, the builds through
    variables (`block_cls(...)`), which may build it.  A key is (layer type, parameter)."""

    def __init__(self, tree: "ModuleTree") -> None:
        self.tree = tree

    def class_builds(self, name: str, key: tuple) -> Iterable[Build]:
        for build in self.tree.builders.get(name, ()):
            if build.parent is not None:
                yield Build(build.parent, self.tree.build_coverage(build, *key))

    def other_builds(self, name: str, key: tuple) -> Iterable[Group]:
        tree = self.tree
        for build in tree.builders.get(name, ()):
            if build.parent is None:
                yield Group((Build(None, tree.build_coverage(build, *key)),))
        if name in tree.facts.class_refs:
            for build in tree.unknown_builds:
                yield Group((Build(build.parent, tree.build_coverage(build, *key)),))

    def base(self, name: str, key: tuple) -> Tri:
        return Tri.NO


class ModuleTree:
    """Who builds whom in the file, and the verdict on each layer parameter along every way to build it."""

    def __init__(self, facts: FileFacts, classes: ClassTable) -> None:
        self.facts = facts
        self.classes = classes
        self.builders: dict[str, list[BuildEvent]] = {}
        self.unknown_builds: list[BuildEvent] = []
        self.external_builds: list[BuildEvent] = []
        for build in facts.builds:
            if build.external is not None:
                self.external_builds.append(build)
            elif build.child is None:
                self.unknown_builds.append(build)
            else:
                self.builders.setdefault(build.child, []).append(build)
        self.dispatches_by_build: dict[int, list[DispatchEvent]] = {}
        for event in facts.dispatches:
            for build in event.scope_builds:
                self.dispatches_by_build.setdefault(id(build), []).append(event)
        self.subclassed = {base for info in classes.classes.values() for base in info.local_bases()}
        self._by_container: Optional[dict] = None
        #: (layer type, parameter) -> the first key seen that every dispatch of the file treats alike
        self._same_as: dict = {}
        self._by_dispatch_levels: dict = {}
        self.solver = Solver(FileGraph(self))

    def is_abstract_base(self, name: str) -> bool:
        """A base class of other module classes that no code of the file builds: its subclasses carry its layers."""
        return name in self.subclassed and not self.builders.get(name)

    def solver_key(self, spec_name: str, param: str) -> tuple:
        """The key the solver answers for (layer type, parameter): the first one seen that gets the same level
        from every dispatch of the file.  A build's coverage reads a key only through those levels, so such
        keys have the same answers everywhere, and most keys (types no dispatch names) share one."""
        key = (spec_name, param)
        same = self._same_as.get(key)
        if same is None:
            spec = MODULES[spec_name]
            levels = tuple(table_level(event.coverage, spec, param) for event in self.facts.dispatches)
            same = self._same_as[key] = self._by_dispatch_levels.setdefault(levels, key)
        return same

    def build_coverage(self, build: BuildEvent, spec_name: str, param: str) -> Tri:
        """What the builder's dispatches do to a layer type inside the module `build` creates."""
        level = Tri.NO
        for event in self.dispatches_by_build.get(id(build), ()):
            covered = table_level(event.coverage, MODULES[spec_name], param)
            covered = min(covered, event.level)
            if event.entry != build.entry:
                # Code of another entry (a method run later) only maybe runs: a doubt, even from a fork there.
                covered = Tri.MAYBE if covered > Tri.NO else Tri.NO
            elif event.seq < build.seq:
                continue
            level = max(level, covered)
        if build.from_external_hook:
            # Built in a method a base class from elsewhere may call (`_init_layers`): that base may
            # initialize what it builds, as it may the layers built there (`LayerSite.from_external_hook`).
            level = max(level, Tri.MAYBE)
        return level

    def verdict(self, site: LayerSite, param: str) -> Verdict:
        """How surely the parameter of this layer is initialized, whatever model builds it."""
        verdict = self._verdict(site, param)
        if verdict.level < Tri.YES:
            verdict.why = way_that_keeps_default(site, param, verdict.level)
        if verdict.level <= Tri.FORK and (site.type_from_default or site.from_external_hook):
            verdict.level = Tri.MAYBE
            verdict.alternatives = {}
        return verdict

    def _verdict(self, site: LayerSite, param: str) -> Verdict:
        """The verdict from the layer's own cover and the ways down from every model that builds its class."""
        own = site.cover[param]
        if own == Tri.YES or site.owner is None:
            return Verdict(Tri.YES)
        if not site.entry.endswith(".__init__"):
            # Built after construction (`reset_classifier`): enclosing models' init has already run.
            return Verdict(own, [site.owner] if own < Tri.YES else [])
        spec = site.spec.name
        alternatives = {root: max(own, level) for root, level in self.paths(site.owner, spec, param).items()}
        root_levels = {root: self.root_coverage(root, spec, param) for root in alternatives}
        level = combine(alternatives, root_levels.__getitem__)
        models = [root for root, way in alternatives.items() if max(way, root_levels[root]) == level]
        return Verdict(level, models if level < Tri.YES else [], alternatives, root_levels)

    def paths(self, name: str, spec_name: str, param: str) -> dict:
        """Model -> the worst coverage on the way from that model down to class `name` (the solver's ways)."""
        return self.solver.ways(name, self.solver_key(spec_name, param))

    def root_coverage(self, name: str, spec_name: str, param: str) -> Tri:
        """What code outside the file's classes does for a model: `net = Net(); net.apply(init)` at
        module level, or a class of the file that builds it through a variable (`block_cls(...)`)."""
        return self.solver.own(name, self.solver_key(spec_name, param))

    def exported_unknown_builds(self) -> list:
        """The builds through a variable (`mlp_layer(...)`), which may build a class of another file."""
        return [self.exported_build(build) for build in self.unknown_builds if build.parent is not None]

    def exported_build(self, build: BuildEvent) -> dict:
        """For a class of another file built here: (spec, param) -> the `Way`s of the build (through each
        model of this file above it).  No ways for a (spec, param): the build is covered whatever happens.
        """
        exported: dict = {}
        by_key: dict = {}
        for spec_name, param in _EXPORTED_KEYS:
            same = self.solver_key(spec_name, param)
            ways = by_key.get(same)
            if ways is None:
                ways = by_key[same] = self._exported_ways(build, *same)
            exported[(spec_name, param)] = ways
        return exported

    def _exported_ways(self, build: BuildEvent, spec_name: str, param: str) -> tuple:
        here = self.build_coverage(build, spec_name, param)
        if here == Tri.YES:
            return ()
        if build.parent is None:
            return (Way("<module>", int(here), int(Tri.NO)),)
        return tuple(Way(root, int(max(here, level)), int(self.root_coverage(root, spec_name, param)))
                     for root, level in self.paths(build.parent, spec_name, param).items())

    def sites_under(self, event: DispatchEvent) -> list[LayerSite]:
        """Every layer a dispatch reaches: its own scope and the layers of the submodules it reaches."""
        found: dict[int, LayerSite] = {id(s): s for s in event.scope_sites}
        pending = [b.child for b in event.scope_builds if b.child is not None]
        seen: set = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            for site in self.facts.sites:
                if site.owner == name and site.entry == f"{name}.__init__":
                    found.setdefault(id(site), site)
            pending.extend(b.child for b in self.facts.builds if b.parent == name and b.child is not None)
        return list(found.values())

    def layers_by_container(self) -> dict:
        """(owner, the container's address steps) -> the layers at an index of it, in code order.

        `self.net[0]` and `self.net[2]` are both under `("Net", (self, .net))`: INI003 asks whether
        a later layer of the same container follows a layer.
        """
        if self._by_container is None:
            self._by_container = {}
            for site in self.facts.sites:
                address = site.address
                if address is not None and address.last_index is not None and len(address.steps) > 1:
                    self._by_container.setdefault((site.owner, address.steps[:-1]), []).append(site)
        return self._by_container

    def dispatch_events(self, dispatch_id: Optional[int]) -> list[DispatchEvent]:
        """The dispatch events recorded for one dispatch node (one per entry that ran it)."""
        return [e for e in self.facts.dispatches if e.dispatch_id == dispatch_id and dispatch_id is not None]

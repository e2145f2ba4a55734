"""The module tree: which classes build which, and what a model's init covers in its submodules.

A layer keeps PyTorch's default when, along some way the code can build it (a chain of classes
from a model down to the layer's class), nothing initializes it: not its own class, and no
`apply` / `modules()` dispatch of an enclosing model that runs after the submodule is built.
A class that no class of the file builds is a model of its own (or is built by module-level
code, whose `net.apply(fn)` counts too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from init_lint.analysis.classes import ClassTable
from init_lint.analysis.interpreter import FileFacts
from init_lint.analysis.values import BuildEvent, DispatchEvent, LayerSite, Tri


@dataclass
class Verdict:
    """How sure the analysis is that a parameter is initialized, and through which models it is not."""

    level: Tri
    models: list = field(default_factory=list)


class ModuleTree:
    def __init__(self, facts: FileFacts, classes: ClassTable) -> None:
        self.facts = facts
        self.classes = classes
        self.builders: dict[str, list[BuildEvent]] = {}
        self.unknown_builds: list[BuildEvent] = []
        for build in facts.builds:
            if build.child is None:
                self.unknown_builds.append(build)
            else:
                self.builders.setdefault(build.child, []).append(build)
        self.dispatches_by_build: dict[int, list[DispatchEvent]] = {}
        for event in facts.dispatches:
            for build in event.scope_builds:
                self.dispatches_by_build.setdefault(id(build), []).append(event)
        self.subclassed = {base for info in classes.classes.values() for base in info.local_bases()}
        self._cache: dict = {}

    def is_abstract_base(self, name: str) -> bool:
        """A base class of other module classes that no code of the file builds: its subclasses carry its layers."""
        return name in self.subclassed and not self.builders.get(name)

    def build_coverage(self, build: BuildEvent, spec_name: str, param: str) -> Tri:
        """What the builder's dispatches do to a layer type inside the module `build` creates."""
        level = Tri.NO
        for event in self.dispatches_by_build.get(id(build), ()):
            covered = event.coverage.get(spec_name, {}).get(param, Tri.NO)
            covered = min(covered, event.level)
            if event.entry != build.entry:
                covered = min(covered, Tri.MAYBE)
            elif event.seq < build.seq:
                continue
            level = max(level, covered)
        return level

    def verdict(self, site: LayerSite, param: str) -> Verdict:
        verdict = self._verdict(site, param)
        if verdict.level == Tri.NO and (site.type_from_default or site.from_external_hook):
            return Verdict(Tri.MAYBE, verdict.models)
        return verdict

    def _verdict(self, site: LayerSite, param: str) -> Verdict:
        own = site.cover[param]
        if own == Tri.YES or site.owner is None:
            return Verdict(Tri.YES)
        if not site.entry.endswith(".__init__"):
            # Built after construction (`reset_classifier`): enclosing models' init has already run.
            return Verdict(own, [site.owner] if own < Tri.YES else [])
        ancestors = self._class_verdict(site.owner, site.spec.name, param, frozenset())
        if ancestors is None:
            return Verdict(own, [site.owner] if own < Tri.YES else [])
        return Verdict(max(own, ancestors.level), ancestors.models)

    def _class_verdict(self, name: str, spec_name: str, param: str, visiting: frozenset) -> Optional[Verdict]:
        """The worst coverage over the ways `name` is built; None for a way that loops back (no real model)."""
        key = (name, spec_name, param)
        if key in self._cache:
            return self._cache[key]
        if name in visiting:
            return None
        visiting = visiting | {name}
        class_builds = [b for b in self.builders.get(name, ()) if b.parent is not None]
        script_builds = [b for b in self.builders.get(name, ()) if b.parent is None]
        if not class_builds:
            level = max((self.build_coverage(b, spec_name, param) for b in script_builds), default=Tri.NO)
            if name in self.facts.class_refs:
                for build in self.unknown_builds:
                    via = self.build_coverage(build, spec_name, param)
                    if build.parent is not None and via < Tri.YES:
                        above = self._class_verdict(build.parent, spec_name, param, visiting)
                        via = max(via, above.level) if above is not None else via
                    level = max(level, via)
            result = Verdict(level, [name] if level < Tri.YES else [])
        else:
            worst = Tri.YES
            models: list = []
            for build in class_builds:
                here = self.build_coverage(build, spec_name, param)
                if here < Tri.YES:
                    above = self._class_verdict(build.parent, spec_name, param, visiting)
                    if above is None:
                        continue
                    here = max(here, above.level)
                    if here < Tri.YES:
                        models.extend(m for m in above.models if m not in models)
                worst = min(worst, here)
            result = Verdict(worst, models)
        self._cache[key] = result
        return result

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

    def dispatch_events(self, dispatch_id: Optional[int]) -> list[DispatchEvent]:
        return [e for e in self.facts.dispatches if e.dispatch_id == dispatch_id and dispatch_id is not None]

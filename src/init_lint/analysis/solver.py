"""The coverage solver: who initializes whom, one algorithm for a file and for a project.

A layer built in class `C` keeps PyTorch's default when, on some way the code can build it, no
code initializes it.  A way is a chain of builds from a *model* (a class that no class builds)
down to `C`; each build covers what the builder's code (its `apply` / `modules()` dispatches)
initializes in what it builds.  So, per key (a layer type and parameter):

* ``ways(C)``: model -> the worst coverage on the way from that model down to `C` (the minimum over
  the builds of `C` of the maximum of the build's own coverage and the ways above its builder);
  a class no class builds is a model of its own, ``{C: NO}``;
* ``own(M)``: what a model gets from code that is no class (a script's ``net.apply(init)``, a
  build through a variable, another file's code): the maximum over such builds;
* ``level(C)``: the worst way to build it: the minimum over its models of max(way, own).

The same solver answers for one file (`tree.FileGraph`: classes by name, builds from the
interpreter's facts) and for a project (`project.ProjectGraph`: the models of every file, keyed by
(module, class), with the ways each file exports).  Both give it a `graph` with three methods::

    class_builds(node, key) -> Iterable[Build]       # builds of `node` by classes
    other_builds(node, key) -> Iterable[Group]       # builds by code that is no class (for models)
    base(node, key) -> Tri                           # what a model gets whatever builds it

**One cycle rule.**  A loop builds nothing real (it would recurse without end at run time, and a
way through a loop is never better than the same way without it): it adds no way to a minimum and
no coverage to a maximum.  The ways down are walked depth first and a way back onto the walk is
cut; the models' own coverage, which may depend on itself, is the least fixpoint of the models
solved together.

**One memo.**  Every answer is kept for every later question (a class built twice by each of 24
classes above it is walked once, not 2**24 times) and is the same whichever question came first:
the ways of a class cut short by a loop through a class above it miss ways, so such a partial
result is kept only for a walk that starts at it (and a walk that reuses it does not keep its
own either); the own coverage of models solved together is complete for each of them.
"""

from __future__ import annotations

from typing import Hashable, Iterable, NamedTuple, Optional, Protocol

from init_lint.analysis.values import Tri


class Build(NamedTuple):
    """One build of a class: by `parent` (a class; None for code that is no class), whose code
    covers `level` of the key in what it builds."""

    parent: Optional[Hashable]
    level: Tri


class Group(NamedTuple):
    """A build of a model by code that is no class, seen as alternatives (`builds`): the worst of them
    counts.  A build through a variable (`block_cls(...)`) may build the model or not; either way a fork
    there leaves some way at the default (the model alone keeps it), so it counts as it is."""

    builds: tuple


class Way(NamedTuple):
    """One model through which a layer is built: the coverage on the way down from it (`way`) and what
    the model itself gets (`own`).  Plain data: JSON writes it as `[model, way, own]`."""

    model: str
    way: int
    own: int


class CoverageGraph(Protocol):
    """Who builds whom, as the solver asks it (see the module's docstring)."""

    def class_builds(self, node: Hashable, key: Hashable) -> Iterable[Build]: ...

    def other_builds(self, node: Hashable, key: Hashable) -> Iterable[Group]: ...

    def base(self, node: Hashable, key: Hashable) -> Tri: ...


def combine(ways: dict, own_level) -> Tri:
    """The worst way to build: min over models of max(the way down from it, the model's own coverage)."""
    if not ways:
        return Tri.YES
    return min(max(level, own_level(model)) for model, level in ways.items())


class Solver:
    """The verdicts of one graph, memoized (one solver per file analysis, one per project link)."""

    def __init__(self, graph: CoverageGraph) -> None:
        self.graph = graph
        #: ("ways" | "own", node, key) -> result; `_cut`: the keys whose result cut a loop
        self._memo: dict = {}
        self._cut: set = set()

    # ------------------------------------------------------------------ questions

    def ways(self, node: Hashable, key: Hashable) -> dict:
        """Model -> the worst coverage on the way from that model down to `node`.

        An empty result means every way is covered (or loops back, which builds nothing real).
        """
        return self._ways(node, key, frozenset())[0]

    def own(self, node: Hashable, key: Hashable) -> Tri:
        """What code that is no class does for the model `node` (scripts, builds through variables)."""
        return self._own(node, key)

    def level(self, node: Hashable, key: Hashable) -> Tri:
        """How surely a layer of `node`'s own code is initialized by the models that build `node`."""
        return self._level(node, key)

    def worst(self, builds: Iterable[Build], key: Hashable) -> Tri:
        """The worst of several alternative builds (YES when there are none)."""
        return self._group(builds, key)

    # ------------------------------------------------------------------ the walk

    def _recall(self, memo_key: tuple) -> Optional[tuple]:
        if memo_key in self._memo:
            return self._memo[memo_key], memo_key in self._cut
        return None

    def _keep(self, memo_key: tuple, result, cut: bool, start: bool) -> None:
        """The one memo rule: a result that cut no loop always; one that did, for walks starting there."""
        if cut and not start:
            return
        self._memo[memo_key] = result
        if cut:
            self._cut.add(memo_key)

    def _ways(self, node: Hashable, key: Hashable, visiting: frozenset) -> tuple[dict, bool]:
        memo_key = ("ways", node, key)
        known = self._recall(memo_key)
        if known is not None:
            return known
        if memo_key in visiting:
            return {}, True  # the cycle rule: a way back onto the walk adds no way
        start = not visiting
        visiting = visiting | {memo_key}
        cut = False
        builds = list(self.graph.class_builds(node, key))
        if not builds:
            result = {node: Tri.NO}
        else:
            result = {}
            for build in builds:
                if build.level == Tri.YES:
                    continue
                above, above_cut = self._ways(build.parent, key, visiting)
                cut = cut or above_cut
                for model, level in above.items():
                    way = max(build.level, level)
                    result[model] = min(result.get(model, Tri.YES), way)
        self._keep(memo_key, result, cut, start)
        return result, cut

    def _own(self, node: Hashable, key: Hashable) -> Tri:
        """The model's own coverage: the least fixpoint over every model it depends on.

        A model's own coverage may depend on its own (a block passed around as a value is built
        through a variable in a class that a model of the same kind builds).  All the models it
        depends on are solved together, each starting from what it gets whatever builds it and
        raised until nothing changes: a loop adds nothing a model does not get without it, the
        answer does not depend on which model is asked first, and each is kept for every later
        question.
        """
        memo_key = ("own", node, key)
        if memo_key in self._memo:
            return self._memo[memo_key]
        graph = self.graph
        groups: dict = {}
        values: dict = {}
        pending = [node]
        while pending:
            model = pending.pop()
            if model in groups or ("own", model, key) in self._memo:
                continue
            groups[model] = list(graph.other_builds(model, key))
            values[model] = graph.base(model, key)
            for group in groups[model]:
                for build in group.builds:
                    if build.parent is not None and build.level < Tri.YES:
                        pending.extend(self._ways(build.parent, key, frozenset())[0])
        changed = True
        while changed:
            changed = False
            for model, model_groups in groups.items():
                level = values[model]
                for group in model_groups:
                    if level == Tri.YES:
                        break
                    level = max(level, self._group(group.builds, key, values))
                if level > values[model]:
                    values[model] = level
                    changed = True
        for model, level in values.items():
            self._memo[("own", model, key)] = level
        return values[node]

    def _level(self, node: Hashable, key: Hashable, solving: Optional[dict] = None) -> Tri:
        # `solving`: the own coverage of the models being solved together, as far as it is known yet.
        ways = self._ways(node, key, frozenset())[0]
        return combine(ways, lambda model: solving[model] if solving and model in solving else self._own(model, key))

    def _group(self, builds: Iterable[Build], key: Hashable, solving: Optional[dict] = None) -> Tri:
        worst = Tri.YES
        for build in builds:
            if build.level == Tri.YES:
                continue
            level = build.level
            if build.parent is not None:
                level = max(level, self._level(build.parent, key, solving))
            worst = min(worst, level)
            if worst == Tri.NO:
                break
        return worst

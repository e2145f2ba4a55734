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

**One cycle rule.**  A way that comes back to a class already on the walk builds nothing real (it
would recurse without end at run time, and a way through a loop is never worse than the same way
without it): it adds no way to a minimum and no coverage to a maximum.

**One memo.**  Every result is kept for every later question (a class built twice by each of 24
classes above it is walked once, not 2**24 times), except what could lose a finding: the ways of a
class cut short by a loop through a class above it miss ways (too optimistic), so such a result is
kept only for a walk that starts at it, and a walk that reuses it does not keep its own result
either.  A model's own coverage cut short by a loop is at worst too low (a finding kept, never one
lost): it is kept.
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
    counts.  `doubt`: a build through a variable, which may build the model or not, so that a fork
    there only maybe leaves it at the default."""

    builds: tuple
    doubt: bool = False


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
        return self._own(node, key, frozenset())

    def level(self, node: Hashable, key: Hashable) -> Tri:
        """How surely a layer of `node`'s own code is initialized by the models that build `node`."""
        return self._level(node, key, frozenset())

    def worst(self, builds: Iterable[Build], key: Hashable) -> Tri:
        """The worst of several alternative builds (YES when there are none)."""
        return self._group(builds, key, frozenset())

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

    def _own(self, node: Hashable, key: Hashable, visiting: frozenset) -> Tri:
        memo_key = ("own", node, key)
        if memo_key in self._memo:
            return self._memo[memo_key]
        if memo_key in visiting:
            return Tri.NO  # the cycle rule: a way back onto the walk adds no coverage
        visiting = visiting | {memo_key}
        level = self.graph.base(node, key)
        for group in self.graph.other_builds(node, key):
            if level == Tri.YES:
                break
            via = self._group(group.builds, key, visiting)
            # A build through a variable may or may not build this class: what covers it there is a doubt.
            level = max(level, Tri.MAYBE if group.doubt and via == Tri.FORK else via)
        # Kept even when it cut a loop: cut short, a model's own coverage is at worst too low (a finding
        # kept, never one lost), and models passed around as values would otherwise be walked once per
        # order of them.
        self._memo[memo_key] = level
        return level

    def _level(self, node: Hashable, key: Hashable, visiting: frozenset) -> Tri:
        # The ways down are walked afresh: a walk of builds by classes never comes back through a
        # model's own coverage, so its result, loops cut or not, is complete wherever it is asked.
        ways = self._ways(node, key, frozenset())[0]
        return combine(ways, lambda model: self._own(model, key, visiting))

    def _group(self, builds: Iterable[Build], key: Hashable, visiting: frozenset) -> Tri:
        worst = Tri.YES
        for build in builds:
            if build.level == Tri.YES:
                continue
            level = build.level
            if build.parent is not None:
                level = max(level, self._level(build.parent, key, visiting))
            worst = min(worst, level)
            if worst == Tri.NO:
                break
        return worst

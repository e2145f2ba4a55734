"""Branch state: which parameters code has initialized so far, and how alternatives fork and join.

Like mypy's binder, this is the one place where state is copied at a fork and merged at a join.
The state is the set of init marks, (layer, parameter) -> Tri, and for an `if` also the names
of the frame and the attributes of the module being built.  Three shapes use it:

- alternatives of which one runs (`if`/`else`, a callee that may be one of several functions):
  `fork()`, then `branch()` / `end()` for each, then `join()`;
- a dispatch body read once per layer type, from nothing: `isolated()`, whose marks on
  concrete layers still count for the code around it.

A layer is keyed by `id(site)`; the variable of a dispatch body stands for every layer of a
type and is keyed by `dispatch_key(spec_name)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from init_lint.analysis.frame import Frame
from init_lint.analysis.operations import choice
from init_lint.analysis.values import Tri


def dispatch_key(spec_name: str) -> tuple:
    """The mark key of a dispatch variable read as layer type `spec_name`."""
    return ("D", spec_name)


def is_dispatch_key(key: object) -> bool:
    """Whether a mark key stands for a dispatch variable rather than a concrete layer."""
    return isinstance(key, tuple) and key[0] == "D"


class Binder:
    """The init marks of the entry being walked, and the fork/join of branch state."""

    def __init__(self) -> None:
        #: (key, param) -> how surely code has written that parameter so far
        self.marks: dict = {}
        #: (key, param) -> the way that leaves it undone, for marks at FORK (`when init_type != 'explicit'`)
        self.why: dict = {}
        #: (key, param) -> [(the way an alternative stands for, its level)] for forks whose alternatives
        #: disagree (explain): the conditions of every enclosing alternative, and the call sites taking it
        self.branches: dict = {}
        #: (key, its length in `branches` before) for every change of `branches`, in order: a fork
        #: finds the keys its alternatives described from here, not by measuring every key at each branch
        self.branch_changes: list = []
        #: the steps (`WayStep`) of the alternatives being walked, outermost first
        self.path: list = []

    def reset(self) -> None:
        """Start a new entry (a class's `__init__`, another method, module-level code)."""
        self.marks = {}
        self.why = {}
        self.branches = {}
        self.branch_changes = []
        self.path = []

    def lengths_since(self, position: int) -> dict:
        """key -> its length in `branches` when `branch_changes` was `position` long, for the keys
        changed since (the others have their length still)."""
        lengths: dict = {}
        for key, length in self.branch_changes[position:]:
            lengths.setdefault(key, length)
        return lengths

    def mark(self, key: object, param: str, level: Tri) -> None:
        """Code writes `param` of the layer(s) `key` at `level` (a write never undoes an earlier one)."""
        self.marks[(key, param)] = max(self.marks.get((key, param), Tri.NO), level)

    def level(self, key: object, param: str) -> Tri:
        """How surely code has written `param` of `key` so far (NO when never)."""
        return self.marks.get((key, param), Tri.NO)

    def fork(self, frame: Optional[Frame] = None, doubt: bool = False, clock: Optional[Callable[[], int]] = None,
             born: Optional[Callable[[object], Optional[int]]] = None) -> "Fork":
        """Alternatives of which exactly one runs.  With a frame, its names and the instance's
        attributes fork too, and each branch runs at level FORK (not sure to run).

        A fork is a way of building that may leave a layer at the default (FORK); with `doubt`
        (a condition inside a dispatch body, which selects among modules rather than ways of
        building) a disagreement is only a doubt (MAYBE), as before.

        `clock` gives increasing numbers (the interpreter's sequence) and `born(key)` the number at
        which a layer was built: a layer built inside one alternative is judged by that alternative
        alone (the others do not build it).
        """
        return Fork(self, frame, doubt, clock, born)

    def isolated(self, run: Callable[[], None]) -> dict:
        """Run a dispatch body from no marks at all; return the marks it made.

        Marks on concrete layers (`self.fc.weight` written in an `apply` function) also count for the
        code around it, as writes that happen; marks on the dispatch variable are the caller's to read.
        """
        outer = self.marks
        self.marks = {}
        try:
            run()
            inner = self.marks
        finally:
            self.marks = outer
        for key, level in inner.items():
            if not is_dispatch_key(key[0]):
                outer[key] = max(outer.get(key, Tri.NO), level)
        return inner


@dataclass(frozen=True)
class WayStep:
    """One alternative on the way to a statement: the condition it holds under (`init_type !=
    'default'`), and the labels of the call sites that take it (None: the analysis has none)."""

    condition: str
    call_sites: Optional[frozenset] = None


def describe_way(steps) -> str:
    """`when init_type != 'default' and init_type != 'explicit' (Net('custom') at line 48)`.

    A condition `x != v` is dropped where the same way also says `x == w`, which implies it.
    """
    conditions = [step.condition for step in steps if step is not None and step.condition]
    pinned = {c.split(" == ", 1)[0] for c in conditions if " == " in c}
    kept = [c for c in conditions if not (" != " in c and c.split(" != ", 1)[0] in pinned)]
    text = "when " + " and ".join(dict.fromkeys(kept)) if kept else "always"
    known = [step.call_sites for step in steps if step is not None and step.call_sites is not None]
    if known:
        sites = frozenset.intersection(*known)
        text += f" ({', '.join(sorted(sites))})" if sites else " (no call site seen takes it)"
    return text


@dataclass
class _Outcome:
    marks: dict
    names: Optional[dict]
    attrs: Optional[dict]
    returned: Tri
    why: dict
    label: Optional[str]
    span: tuple = (0, 0)
    #: the alternative ends in `raise`: it builds nothing, so it is no way of building
    raised: bool = False
    #: the way this alternative stands for (explain), and the keys an inner fork already described
    step: Optional[WayStep] = None
    #: key -> (how many ways were described before the alternative, and after it)
    described: dict = field(default_factory=dict)


class Fork:
    """The state before a set of alternatives, and what each alternative ended with."""

    def __init__(self, binder: Binder, frame: Optional[Frame], doubt: bool = False,
                 clock: Optional[Callable[[], int]] = None, born: Optional[Callable[[object], Optional[int]]] = None,
                 ) -> None:
        self.binder = binder
        self.clock = clock
        self.born = born
        self.start = clock() if clock is not None else 0
        self.branch_start = self.start
        #: the alternative the ways of building take (ways.py), when they all take the same one
        self.decided: Optional[int] = None
        self.frame = frame
        self.doubt = doubt
        self.before = dict(binder.marks)
        self.why_before = dict(binder.why)
        self.changes_before = len(binder.branch_changes)
        self.label: Optional[str] = None
        self.step: Optional[WayStep] = None
        self.depth = len(binder.path)
        self.changes_at_branch = 0
        self.outcomes: list[_Outcome] = []
        if frame is not None:
            self.names_before = dict(frame.env)
            self.attrs_before = dict(frame.instance.attrs)
            self.outer_level = frame.level

    def branch(self, label: Optional[str] = None, step: Optional[WayStep] = None) -> None:
        """Start the next alternative from the state before the fork; `label` says when it runs (in a
        finding's message), `step` the condition and call sites it stands for (in explain)."""
        self.label = label
        self.step = step
        del self.binder.path[self.depth:]
        self.binder.path.append(step)
        self.changes_at_branch = len(self.binder.branch_changes)
        self.branch_start = self.clock() if self.clock is not None else 0
        self.binder.marks = dict(self.before)
        self.binder.why = dict(self.why_before)
        frame = self.frame
        if frame is not None:
            # In place: the frame's dicts are shared with whatever holds the frame.
            frame.env.clear()
            frame.env.update(self.names_before)
            frame.instance.attrs.clear()
            frame.instance.attrs.update(self.attrs_before)
            frame.level = min(self.outer_level, Tri.MAYBE if self.doubt else Tri.FORK)

    def end(self, returned: Tri = Tri.NO, raised: bool = False) -> None:
        """The current alternative is done; `returned` says whether it surely (YES) or maybe returned,
        `raised` that it ends in `raise`."""
        frame = self.frame
        branches = self.binder.branches
        described = {key: (length, len(branches[key]))
                     for key, length in self.binder.lengths_since(self.changes_at_branch).items()
                     if len(branches[key]) > length}
        del self.binder.path[self.depth:]
        self.outcomes.append(_Outcome(self.binder.marks, dict(frame.env) if frame is not None else None,
                                      dict(frame.instance.attrs) if frame is not None else None, returned,
                                      self.binder.why, self.label,
                                      (self.branch_start, self.clock() if self.clock is not None else 0), raised,
                                      self.step, described))

    def join(self) -> Tri:
        """Merge the alternatives into the current state; returns whether the whole surely or maybe returns.

        A mark is sure after the join only where every alternative agrees.  A name holds either
        alternative's value, except that an alternative that surely returned contributes none.
        """
        merged = dict(self.before)
        why = dict(self.why_before)
        keys: set = set()
        for outcome in self.outcomes:
            keys.update(outcome.marks)
        branches = self.binder.branches
        changed = self.binder.lengths_since(self.changes_before)
        branches_before = {key: changed[key] if key in changed else len(branches.get(key, ())) for key in keys}
        for key in keys:
            base = self.before.get(key, Tri.NO)
            outcomes = self.outcomes
            born = self.born(key[0]) if self.born is not None else None
            if born is not None and born > self.start:
                # Built inside the fork: only the alternative that built it has it.
                outcomes = [o for o in outcomes if o.span[0] < born < o.span[1]] or outcomes
            inner = len(branches.get(key, ())) > branches_before[key]
            if inner or len({outcome.marks.get(key, base) for outcome in outcomes}) > 1:
                # An alternative whose inner fork described this key is told by those finer ways,
                # kept in source order.
                seen = branches.setdefault(key, [])
                ordered: list = []
                for o in outcomes:
                    if key in o.described:
                        start, end = o.described[key]
                        ordered.extend(seen[start:end])
                    elif o.step is not None:
                        ordered.append((describe_way((*self.binder.path[:self.depth], o.step)), o.marks.get(key, base)))
                self.binder.branch_changes.append((key, len(seen)))
                seen[branches_before[key]:] = ordered
            if born is not None and born > self.start:
                pass
            elif self.decided is not None and self.decided < len(outcomes):
                # Built before: every way of building the class takes the same alternative.
                outcomes = [outcomes[self.decided]]
            # An alternative that raises builds nothing: it is no way of building (unless all raise).
            outcomes = [o for o in outcomes if not o.raised] or outcomes
            levels = [outcome.marks.get(key, base) for outcome in outcomes]
            level = levels[0]
            for other in levels[1:]:
                level = Tri.merge_branches(level, other)
            if self.doubt and level == Tri.FORK and max(levels) > Tri.FORK:
                level = Tri.MAYBE
            merged[key] = level
            if level == Tri.FORK:
                why[key] = self._why(key, levels, outcomes)
        self.binder.marks = merged
        self.binder.why = why
        if self.frame is not None:
            self._join_names()
            self.frame.level = self.outer_level
        returns = [outcome.returned for outcome in self.outcomes]
        if all(r == Tri.YES for r in returns):
            return Tri.YES
        return Tri.MAYBE if any(r in (Tri.YES, Tri.MAYBE) for r in returns) else Tri.NO

    def _why(self, key: object, levels: list, outcomes: list) -> Optional[str]:
        """The way that leaves `key` undone: the most specific one an inner fork named, else the
        label of the first alternative that does nothing to it."""
        for outcome, level in zip(outcomes, levels):
            if level == Tri.FORK and outcome.why.get(key):
                return outcome.why[key]
        for outcome, level in zip(outcomes, levels):
            if level == Tri.NO and outcome.label:
                return outcome.label
        return None

    def _join_names(self) -> None:
        """Names and attributes after the join: either live alternative's value, joined by `choice`."""
        frame = self.frame
        live = [o for o in self.outcomes if o.returned != Tri.YES] or self.outcomes[:1]
        for current, pick in ((frame.env, "names"), (frame.instance.attrs, "attrs")):
            merged = dict(getattr(live[-1], pick))
            for earlier in reversed(live[:-1]):
                for key, value in getattr(earlier, pick).items():
                    if key not in merged:
                        merged[key] = value
                    elif merged[key] is not value:
                        merged[key] = choice(value, merged[key])
            current.clear()
            current.update(merged)

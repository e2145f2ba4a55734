"""Statements: the walk through a function body in the order the code runs, and assignment.

Part of the `Interpreter` (see interpreter.py): this mixin walks blocks, `if`, `for`, `with`,
`try` and simple statements, binds names and attributes, and gives each layer built by a
statement the address the fixer reaches it by.  Branches fork and join through the binder.
"""

from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from init_lint.analysis.binder import WayStep
from init_lint.analysis.frame import Frame
from init_lint.analysis.expressions import of_layers, sliced
from init_lint.analysis.operations import choice, elements_by_kind, truth
from init_lint.analysis.values import (
    PARAMS, UNKNOWN, VALUES_STEP, Address, ChildModule, ChoiceValue, ContainerValue, DispatchModule, DispatchTensor,
    FunctionValue, Iteration,
    LayerValue, SelfValue, Step, TensorValue, Tri, attr_step, index_step, key_step, name_step,
)
from init_lint.analysis.walk import kinds, walk
from init_lint.lean_tree import changed


#: the kinds of statement `_walk_statement` and `_walk_small` tell apart, in the order of their tests (walk.kinds)
_STATEMENT_KIND = kinds(cst.SimpleStatementLine, cst.If, cst.For, cst.While, cst.With, cst.Try, cst.TryStar,
                        cst.FunctionDef, cst.BaseSmallStatement)
_SMALL_KIND = kinds(cst.Expr, cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return, cst.Raise)


class StatementWalker:
    """Walks statements; needs the interpreter's `_eval`, `_subscript_key`, marks and dispatch methods."""

    def _walk_block(self, body: Iterable[cst.CSTNode], frame: Frame) -> Tri:
        """Walk statements in order; returns whether the block surely (YES) or maybe returns."""
        outer_level, outer_reach = frame.level, frame.reach
        terminated = Tri.NO
        body = list(body)
        try:
            for position, statement in enumerate(body):
                is_if = _STATEMENT_KIND[statement.__class__] is cst.If
                if is_if:
                    only = only_way_on(statement)
                    if only is not None:
                        # `if bad: raise ValueError(...)`: a way that raises builds nothing, so the one
                        # alternative that goes on runs on every way of building, unconditionally.
                        if only is _NOTHING:
                            continue
                        result = self._walk_block(only.body, frame)
                        if result == Tri.YES:
                            return Tri.YES if terminated == Tri.NO else Tri.MAYBE
                        if result == Tri.MAYBE:
                            terminated = Tri.MAYBE
                            frame.reach = min(frame.reach, Tri.MAYBE)
                        continue
                if is_if and position + 1 < len(body):
                    joined = with_continuation(statement, body[position + 1:])
                    if joined is not None:
                        # `if skip: return` then more code: the rest runs only on the way that goes on.
                        result = self._walk_statement(joined, frame)
                        if result == Tri.YES:
                            return Tri.YES if terminated == Tri.NO else Tri.MAYBE
                        return Tri.MAYBE if result == Tri.MAYBE else terminated
                result = self._walk_statement(statement, frame)
                if result == Tri.YES:
                    return Tri.YES if terminated == Tri.NO else Tri.MAYBE
                if result == Tri.MAYBE:
                    terminated = Tri.MAYBE
                    frame.reach = min(frame.reach, Tri.MAYBE)
            return terminated
        finally:
            frame.level, frame.reach = outer_level, outer_reach

    def _walk_statement(self, statement: cst.CSTNode, frame: Frame) -> Tri:
        """One statement; returns whether it surely (YES) or maybe returns from the function."""
        kind = _STATEMENT_KIND[statement.__class__]
        if kind is cst.SimpleStatementLine:
            previous = frame.statement
            frame.statement = statement
            try:
                for small in statement.body:
                    if self._walk_small(small, frame):
                        return Tri.YES
            finally:
                frame.statement = previous
            return Tri.NO
        if kind is cst.If:
            return self._walk_if(statement, frame)
        if kind is cst.For:
            return self._walk_for(statement, frame)
        if kind is cst.While:
            self._walk_block(statement.body.body, frame)
            return Tri.NO
        if kind is cst.With:
            for item in statement.items:
                self._eval(item.item, frame)
            return self._walk_block(statement.body.body, frame)
        if kind is cst.Try or kind is cst.TryStar:
            result = self._walk_block(statement.body.body, frame)
            if statement.orelse is not None:
                self._walk_block(statement.orelse.body.body, frame)
            if statement.finalbody is not None:
                self._walk_block(statement.finalbody.body.body, frame)
            return min(result, Tri.MAYBE)
        if kind is cst.FunctionDef:
            frame.env[statement.name.value] = FunctionValue(statement, None)
            return Tri.NO
        if kind is cst.BaseSmallStatement:
            # The body of a one-line block (`if flag: self.fc = nn.Linear(3, 4)`): no line to insert a fix after.
            return Tri.YES if self._walk_small(statement, frame) else Tri.NO
        return Tri.NO

    def _walk_small(self, small: cst.BaseSmallStatement, frame: Frame) -> bool:
        """Returns True when the statement returns from the function."""
        kind = _SMALL_KIND[small.__class__]
        if kind is cst.Expr:
            self._eval(small.value, frame)
        elif kind is cst.Assign:
            value = self._eval(small.value, frame)
            for target in small.targets:
                self._assign(target.target, value, frame)
        elif kind is cst.AnnAssign:
            if small.value is not None:
                self._assign(small.target, self._eval(small.value, frame), frame)
        elif kind is cst.AugAssign:
            self._eval(small.value, frame)
            if isinstance(small.target, cst.Name):
                frame.env[small.target.value] = UNKNOWN
        elif kind is cst.Return:
            frame.returns.append(self._eval(small.value, frame) if small.value is not None else None)
            return True
        elif kind is cst.Raise:
            return True
        return False

    def _walk_if(self, statement: cst.If, frame: Frame) -> Tri:
        """An `if` / `elif` chain: the branch the conditions decide, or alternatives joined by the binder.

        Each undecided condition forks: its body is one alternative, the rest of the chain the
        other.  The chain is walked in a loop, not by recursion, so a 500-branch `elif` is fine.
        """
        forks: list = []
        orelse: object = statement
        result = Tri.NO
        raised = False
        doubt = frame.dispatch_spec is not None or _tests_what_was_built(statement, frame.env)
        first_event = len(self.facts.dispatches)
        branches_dispatching: list = []
        taken: list = []
        exhaustive = False
        while True:
            if orelse.__class__ is cst.If:
                condition = self._decide(orelse.test, frame)
                if condition is True:
                    before = len(self.facts.dispatches)
                    result = self._walk_block(orelse.body.body, frame)
                    branches_dispatching.append(len(self.facts.dispatches) > before)
                    exhaustive = True
                    break
                if condition is False:
                    orelse = orelse.orelse
                    continue
                fork = self.binder.fork(frame, doubt, clock=lambda: next(self.seq), born=self._born)
                decided = self.way_decided.get(id(orelse.test))
                if decided is not None:
                    fork.decided = 0 if decided else 1
                fork.branch(self._when(orelse.test, True), self._step(orelse.test, True))
                before = len(self.facts.dispatches)
                fork.end(self._walk_block(orelse.body.body, frame), raised=_ends(orelse.body, cst.Raise))
                branches_dispatching.append(len(self.facts.dispatches) > before)
                if decided is not None:
                    # The dispatches of the way every call takes run for sure; the others never do.
                    taken.append((before, len(self.facts.dispatches)) if decided else (len(self.facts.dispatches), None))
                fork.branch(self._when(orelse.test, False), self._step(orelse.test, False))
                forks.append(fork)
                orelse = orelse.orelse
                continue
            if orelse is not None:
                before = len(self.facts.dispatches)
                result = self._walk_block(orelse.body.body, frame)
                raised = _ends(orelse.body, cst.Raise)
                branches_dispatching.append(len(self.facts.dispatches) > before)
                exhaustive = True
            break
        for fork in reversed(forks):
            fork.end(result, raised=raised)
            result = fork.join()
            raised = False
        chain_end = len(self.facts.dispatches)
        for start, end in taken:
            for event in self.facts.dispatches[start:chain_end if end is None else end]:
                event.level = max(event.level, min(frame.level, frame.reach))
        if forks and exhaustive and all(branches_dispatching):
            # Every way runs a dispatch (`if a: self.apply(f) else: self.apply(g)`): which one covers
            # what is not tracked per way, so the dispatches are a doubt, not a fork.
            for event in self.facts.dispatches[first_event:]:
                if event.level == Tri.FORK:
                    event.level = Tri.MAYBE
        return result

    def _decide(self, test: cst.BaseExpression, frame: Frame) -> Optional[bool]:
        """The truth of a condition: from the code, else from every way the class is built
        (call sites of the file, default arguments), when they all agree."""
        condition = truth(self._eval(test, frame))
        ways = self.ways_now
        if condition is not None or not ways or frame.depth != 1 or frame.dispatch_spec is not None:
            return condition
        if any(isinstance(n, (cst.Call, cst.Lambda, cst.NamedExpr)) for n in _descendants(test)):
            return None
        names = {n.value for n in _descendants(test) if isinstance(n, cst.Name)}
        params = [n for n in names if n in ways[0].values and frame.env.get(n) is UNKNOWN]
        if not params:
            return None
        outcomes: list = []
        for way in ways:
            saved = {n: frame.env[n] for n in params}
            frame.env.update({n: way.values[n] for n in params})
            try:
                outcomes.append((way, truth(self._eval(test, frame))))
            finally:
                frame.env.update(saved)
        if any(w.label for w, _ in outcomes):
            self.way_sides[id(test)] = {holds: frozenset(w.label for w, o in outcomes if o is holds and w.label)
                                        for holds in (True, False)}
        decided = {o for _, o in outcomes}
        if decided == {True} or decided == {False}:
            # Walked as a fork all the same (layers built only on other ways still exist for other
            # files' configurations), but layers built before it follow the way every call takes.
            self.way_decided[id(test)] = decided.pop()
            labels = [w.label for w, _ in outcomes if w.label]
            if labels:
                self.way_decisions.setdefault(self.entry, []).extend(
                    label for label in labels if label not in self.way_decisions.get(self.entry, []))
            return None
        self.way_labels[id(test)] = {holds: [w.label for w, o in outcomes if o is holds and w.label]
                                     for holds in (True, False)}
        return None

    def _born(self, key: object) -> Optional[int]:
        """The sequence number at which the layer marked by `key` was built (None: a dispatch variable)."""
        site = self.site_by_id.get(key) if isinstance(key, int) else None
        return site.seq if site is not None else None

    def _when(self, test: cst.BaseExpression, holds: bool) -> str:
        """`when init_type == 'explicit'` / `when init_type != 'explicit'`: the way a branch stands for."""
        by_way = self.way_labels.get(id(test), {}).get(holds)
        if by_way:
            return "for " + ", ".join(by_way[:2]) + (" and others" if len(by_way) > 2 else "")
        return f"when {self._condition(test, holds)}"

    def _step(self, test: cst.BaseExpression, holds: bool) -> WayStep:
        """The condition a branch holds under and the call sites that take it, for explain."""
        return WayStep(self._condition(test, holds), self.way_sides.get(id(test), {}).get(holds))

    def _condition(self, test: cst.BaseExpression, holds: bool) -> str:
        """`init_type == 'explicit'` (holds) or `init_type != 'explicit'` (does not)."""
        # A condition is walked once per call of its function: its code is generated once.  The
        # memo holds the node, so its id stays its own.
        known = self.condition_labels.get((id(test), holds))
        if known is None:
            known = self.condition_labels[(id(test), holds)] = (test, self._condition_label(test, holds))
        return known[1]

    def _condition_label(self, test: cst.BaseExpression, holds: bool) -> str:
        """`<test>` or its negation, from the code (cut at 60 characters); the same every time it is asked."""
        code = self.module.code_for_node(test).strip()
        if not holds:
            if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                code = self.module.code_for_node(test.expression).strip()
            elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
                negated = {cst.Equal: "!=", cst.NotEqual: "==", cst.Is: "is not", cst.IsNot: "is", cst.In: "not in",
                           cst.NotIn: "in", cst.LessThan: ">=", cst.GreaterThanEqual: "<", cst.GreaterThan: "<=",
                           cst.LessThanEqual: ">"}.get(type(test.comparisons[0].operator))
                if negated is not None:
                    code = " ".join((self.module.code_for_node(test.left).strip(), negated,
                                     self.module.code_for_node(test.comparisons[0].comparator).strip()))
                else:
                    code = f"not ({code})"
            else:
                code = f"not {code}" if isinstance(test, (cst.Name, cst.Attribute, cst.Call)) else f"not ({code})"
        if len(code) > 60:
            code = code[:57] + "..."
        return code

    def _walk_for(self, statement: cst.For, frame: Frame) -> Tri:
        """A `for`: over `modules()` / `parameters()` it is a dispatch; otherwise the body runs once
        per kind of module the iterable holds (never known to return)."""
        iterable = self._eval(statement.iter, frame)
        if isinstance(iterable, Iteration):
            self._run_iteration(iterable, statement.target, list(statement.body.body), frame, statement)
            return Tri.NO
        outer_loop = frame.in_loop
        frame.in_loop = True
        for element in elements_by_kind(iterable):
            self._assign(statement.target, element, frame)
            self._walk_block(statement.body.body, frame)
        frame.in_loop = outer_loop
        if statement.orelse is not None:
            self._walk_block(statement.orelse.body.body, frame)
        return Tri.NO

    # ---------------------------------------------------------------- assignment

    def _assign(self, target: cst.BaseExpression, value: object, frame: Frame) -> None:
        """Bind `value` to an assignment target; a write to a layer's parameter marks it."""
        if isinstance(target, cst.Name):
            frame.env[target.value] = value
            self._give_address(value, (name_step(target.value),), frame)
        elif isinstance(target, (cst.Tuple, cst.List)):
            values = value if isinstance(value, tuple) else None
            if isinstance(value, ContainerValue) and not value.repeated:
                values = tuple(value.items)
            for i, element in enumerate(target.elements):
                item = values[i] if values is not None and i < len(values) else UNKNOWN
                self._assign(element.value, item, frame)
        elif isinstance(target, cst.Attribute):
            owner = self._eval(target.value, frame)
            name = target.attr.value
            if isinstance(owner, SelfValue):
                frame.instance.attrs[name] = value
                self._give_address(value, self_steps(frame) + (attr_step(name),), frame)
            elif name in PARAMS or isinstance(owner, (LayerValue, DispatchModule, ChildModule)):
                self._mark_target(owner, name, frame)
            elif name == "data" and isinstance(owner, (TensorValue, DispatchTensor, ChoiceValue)):
                self._mark_tensor(owner, frame)
        elif isinstance(target, cst.Subscript):
            owner = self._eval(target.value, frame)
            if isinstance(owner, (TensorValue, DispatchTensor)) and (of_layers(owner) or sliced(target)):
                self._mark_tensor(owner, frame)
            elif isinstance(owner, ContainerValue):
                key = self._subscript_key(target, frame)
                if isinstance(key, str):
                    owner.keys[key] = _branch_join(owner.keys, key, value, frame)
                owner.items.append(value)

    def _give_address(self, value: object, steps: tuple[Step, ...], frame: Frame,
                      seen: Optional[set] = None) -> None:
        """Record how to reach layers built by the current statement, for the fixer."""
        if isinstance(value, LayerValue):
            for site in value.sites:
                if site.address is None and site.statement is frame.statement and site.statement is not None:
                    site.address = Address(steps)
        elif isinstance(value, ContainerValue):
            # A container may hold itself (`layers.append(layers)`): each is addressed once.
            seen = set() if seen is None else seen
            if id(value) in seen:
                return
            seen.add(id(value))
            if value.repeated:
                loop_over = steps + (VALUES_STEP,) if value.dict_like else steps
                for item in value.items:
                    if isinstance(item, LayerValue):
                        for site in item.sites:
                            if site.address is None and site.statement is frame.statement:
                                site.address = Address(loop_over, loop=True)
                return
            key_of = {id(v): k for k, v in value.keys.items()}
            for index, item in enumerate(value.items):
                key = key_of.get(id(item))
                if key is not None and value.dict_like:
                    self._give_address(item, steps + (key_step(key),), frame, seen)
                else:
                    self._give_address(item, steps + (index_step(index),), frame, seen)


_STRUCTURAL_CALLS = ("hasattr", "isinstance", "getattr", "callable", "issubclass", "type")


def _tests_what_was_built(statement: cst.If, env: dict) -> bool:
    """Whether a condition of the chain asks what was built (`hasattr(self.heads, "pre_logits")`,
    `m.bias is not None`, `isinstance(self.head, nn.Linear)`): it follows an earlier fork of
    building, which the analysis does not pair with it, so a disagreement is a doubt, not a way.
    `args.init is not None` asks the configuration (`args` holds no module): that is a way."""
    node: object = statement
    while node.__class__ is cst.If:
        for part in _descendants(node.test):
            kind = part.__class__  # (libcst's leaf classes: `is` spares abstract-class checks)
            if kind is cst.Call and part.func.__class__ is cst.Name and part.func.value in _STRUCTURAL_CALLS:
                return True
            if kind is cst.Comparison and part.left.__class__ is cst.Attribute and any(
                    isinstance(t.operator, (cst.Is, cst.IsNot)) and isinstance(t.comparator, cst.Name)
                    and t.comparator.value == "None" for t in part.comparisons) \
                    and not _asks_configuration(part.left, env):
                return True
        node = node.orelse
    return False


def _asks_configuration(attribute: cst.Attribute, env: dict) -> bool:
    """`args.init`, `cfg.pretrained`: an attribute (not a parameter's name) of a name that holds
    nothing the analysis knows as a module (a parameter the entry was given unknown)."""
    root = attribute
    while isinstance(root, cst.Attribute):
        if root.attr.value in ("weight", "bias"):
            return False
        root = root.value
    return isinstance(root, cst.Name) and root.value not in ("self", "cls") and env.get(root.value, None) is UNKNOWN


def _ends(block: cst.BaseSuite, kind: type) -> bool:
    """Whether a block's last statement is a `return` / `raise` (`kind`) at its top level."""
    statements = block.body
    if not statements:
        return False
    last = statements[-1]
    if last.__class__ is cst.SimpleStatementLine:  # (leaf classes, as `kind` is)
        return bool(last.body) and last.body[-1].__class__ is kind
    return last.__class__ is kind


def _terminates(block: cst.BaseSuite) -> bool:
    return _ends(block, cst.Return) or _ends(block, cst.Raise)


_NOTHING = object()


def only_way_on(statement: cst.If) -> object:
    """For an `if` chain whose alternatives all end in `raise` but one: that one's block (`_NOTHING` when
    it is the missing `else`); None for any other shape."""
    alternatives: list = []
    node: object = statement
    while node.__class__ is cst.If:
        alternatives.append(node.body)
        node = node.orelse
    alternatives.append(node.body if node.__class__ is cst.Else else None)
    going_on = [b for b in alternatives if b is None or not _ends(b, cst.Raise)]
    if len(going_on) != 1:
        return None
    return _NOTHING if going_on[0] is None else going_on[0]


def with_continuation(statement: cst.If, rest: list) -> Optional[cst.If]:
    """`if a: return` + rest as `if a: return else: rest`: the code after an `if` whose alternatives all
    end in `return` / `raise` but one runs on that one alone.  None for any other shape (two
    alternatives that go on would walk the rest twice; a one-line body has no line to extend)."""
    alternatives: list = []
    node: object = statement
    while node.__class__ is cst.If:
        alternatives.append(node.body)
        node = node.orelse
    final = node.body if node.__class__ is cst.Else else None
    going_on = [b for b in alternatives + [final] if b is None or not _terminates(b)]
    if len(going_on) != 1 or len(going_on) == len(alternatives) + 1:
        return None
    open_block = going_on[0]
    if open_block is not None and not isinstance(open_block, cst.IndentedBlock):
        return None

    def extended(block: cst.BaseSuite) -> cst.BaseSuite:
        return changed(block, body=list(block.body) + list(rest)) if block is open_block else block

    def rebuild(node: object) -> object:
        if node.__class__ is cst.If:
            return changed(node, body=extended(node.body), orelse=rebuild(node.orelse))
        if node.__class__ is cst.Else:
            return changed(node, body=extended(node.body))
        return cst.Else(body=cst.IndentedBlock(body=list(rest))) if open_block is None else None

    return rebuild(statement)


def _descendants(node: cst.CSTNode):
    """Every node under `node`, itself included (`walk.walk`: code, no punctuation or whitespace)."""
    return walk(node)


def self_steps(frame: Frame) -> tuple[Step, ...]:
    """The address of the module being built, as the running method names it (`self`)."""
    return (name_step(frame.self_name or "self"),)


def _branch_join(mapping: dict, key: object, value: object, frame: Frame) -> object:
    """An assignment in a branch that may not run keeps what the other branch assigned too."""
    if frame.level < Tri.YES and key in mapping and mapping[key] is not value:
        return choice(mapping[key], value)
    return value

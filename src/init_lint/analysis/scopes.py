"""Python's scopes: the one model of what a name means that the analysis and the fixer both read.

The analysis asks which module-level names are constants (`ModuleConstants`: bound once, by a
plain assignment, and rebound nowhere), so that `1 / math.sqrt(N)` reads `N`'s value only when
Python guarantees it.  The fixer asks what the names it writes mean where it writes them: a fix
inserted after a statement reads names (`nn`, `math`, `init`) that must resolve, at that point, to
the import the fixer means, and binds temporaries (`bound`, `fan_in`, `layer`) that must not
change what the file's own code reads later.  Every answer follows Python's rules: a name bound
anywhere in a function is local to all of it; class bodies are skipped by the functions nested in
them; `global` and `nonlocal` redirect; comprehensions have their own scope except for `:=` targets.

One pass over the file records, for every statement, where it stands (its block and index, and
the statements that enclose it), and for every scope the names it binds and reads.  The pass
costs about as much as one libcst traversal of the file (3% of a check on timm) and runs once per
file, when a fix is built or the analysis reads a module-level name assigned at the top level.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Optional, Union

import libcst as cst

from init_lint.analysis.names import dotted_name
from init_lint.analysis.walk import children, walk

ScopeNode = Union[cst.Module, cst.FunctionDef, cst.ClassDef, cst.Lambda]
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_LOOPS = (cst.For, cst.While)
#: where a `global` statement can stand: first on a line, or after `;` or a one-line block's `:` (the
#: same words at a line's start in a docstring only cost the whole pass)
_GLOBAL = re.compile(r"(?:^|[;:])[ \t\f]*global\b", re.MULTILINE)


@dataclass(eq=False)
class Place:
    """Where a statement stands in its scope: `path` orders statements as the source does."""

    statement: cst.CSTNode
    parent: Optional["Place"]
    path: tuple
    scope: "Scope"
    #: the statements of the block this one stands in
    siblings: list = field(default_factory=list, repr=False)

    def chain(self) -> Iterator["Place"]:
        place: Optional[Place] = self
        while place is not None:
            yield place
            place = place.parent

    @property
    def block(self) -> tuple:
        return self.path[:-1]

    @property
    def index(self) -> int:
        return self.path[-1]


@dataclass(eq=False)
class Binding:
    place: Optional[Place]
    #: the module an import binds the name to; None for any other binding
    imported: Optional[str] = None


@dataclass(eq=False)
class Scope:
    node: ScopeNode
    parent: Optional["Scope"]
    bindings: dict = field(default_factory=dict)
    declared_global: set = field(default_factory=set)
    declared_nonlocal: set = field(default_factory=set)
    #: name -> [(place of the statement holding the read, small-statement index)]
    reads: dict = field(default_factory=dict)
    #: names read by nested functions, lambdas and classes without binding them (closures, globals)
    deferred_reads: set = field(default_factory=set)
    #: name -> [(place, small index)] of `name = ...` statements that rebind it outright
    kills: dict = field(default_factory=dict)

    @property
    def is_function(self) -> bool:
        return isinstance(self.node, (cst.FunctionDef, cst.Lambda))


class FileScopes:
    def __init__(self, module: cst.Module, nested: bool = True) -> None:
        """`nested=False`: the bodies of functions and classes are not walked.  The module scope's own
        bindings are then complete (code in a body binds in the body's scope; only its `global`
        declarations reach the module, and those are not recorded), which is all `module_constant`
        needs in a file that never says `global`."""
        self.module = module
        self.nested = nested
        self._imports: Optional[dict] = None
        self.places: dict[int, Place] = {}
        self.scopes: list[Scope] = []
        self.module_scope = self._new_scope(module, None)
        self._block(module.body, self.module_scope, None, ())

    # ---------------------------------------------------------------- questions

    def place(self, statement: cst.CSTNode) -> Optional[Place]:
        return self.places.get(id(statement))

    def resolves_to(self, name: str, qualified: str, place: Place) -> bool:
        """Whether `name`, read by code inserted right after `place`'s statement, is the import of `qualified`."""
        scope, bindings = self._lookup(name, place.scope)
        if not bindings or any(b.imported != qualified for b in bindings):
            return False
        if scope is self.module_scope:
            return True
        # A function's own import must have run: it stands before the point, in a block around it.
        blocks = {p.block: p.index for p in place.chain() if p.scope is scope}
        return any(b.place is not None and b.place.block in blocks and b.place.index <= blocks[b.place.block]
                   for b in bindings)

    def module_constant(self, name: str) -> Optional[cst.BaseExpression]:
        """The value of `name` if Python makes it a module constant, else None.

        A constant is bound exactly once in the module's scope, by a plain `NAME = value` (or
        `NAME: T = value`) statement of the module body, and no function or class declares it
        `global` and rebinds it.  A second binding of any kind (another assignment, `+=`, a loop
        or `with` target, an import, a `def`, a binding inside an `if` or `try`) makes it a variable.
        """
        bindings = self.module_scope.bindings.get(name, ())
        if len(bindings) != 1 or bindings[0].place is None or bindings[0].place.parent is not None:
            return None
        if any(name in scope.declared_global and name in scope.bindings for scope in self.scopes):
            return None
        statement = bindings[0].place.statement
        if not isinstance(statement, cst.SimpleStatementLine):
            return None
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                    and isinstance(small.targets[0].target, cst.Name) and small.targets[0].target.value == name:
                return small.value
            if isinstance(small, cst.AnnAssign) and small.value is not None \
                    and isinstance(small.target, cst.Name) and small.target.value == name:
                return small.value
        return None

    def unbound_on_the_way(self, name: str, place: Place) -> bool:
        """Whether a new module-level import of `name` would be what `name` means at `place`."""
        scope, bindings = self._lookup(name, place.scope)
        return not bindings and name not in self.module_scope.bindings

    def import_names(self, qualified: str) -> list[str]:
        """Every name some import of the file binds to `qualified`, shortest first."""
        if self._imports is None:
            self._imports = {}
            for scope in self.scopes:
                for name, bindings in scope.bindings.items():
                    for binding in bindings:
                        if binding.imported is not None:
                            self._imports.setdefault(binding.imported, set()).add(name)
        return sorted(self._imports.get(qualified, ()), key=lambda n: (len(n), n))

    def free_to_bind(self, name: str, place: Place) -> bool:
        """Whether code inserted after `place`'s statement may bind `name` without changing what the
        file's own code reads: no read of `name` can observe the new value.

        A read is safe when, on every way from the insertion to it, a plain `name = ...` rebinds the
        name first (the recipes' own `bound = ...; uniform_(..., -bound, bound)` pairs, so that names
        stay the same when fixes are applied one at a time).
        """
        scope = place.scope
        if name in scope.declared_global or name in scope.declared_nonlocal or name in scope.deferred_reads:
            return False
        if not scope.is_function and any(name in s.deferred_reads or name in s.declared_global for s in self.scopes):
            return False
        loops = {id(p.statement) for p in place.chain() if isinstance(p.statement, _LOOPS)}
        point = place.path + (0.5,)
        kills: dict = {}
        for kill, kill_small in scope.kills.get(name, []):
            kills.setdefault(kill.block, []).append((kill.index, kill_small))
        for spots in kills.values():
            spots.sort()
        for read_place, small in scope.reads.get(name, []):
            after = read_place.path + (small,) > point
            in_loop = any(id(p.statement) in loops for p in read_place.chain())
            if (after or in_loop) and not self._protected(read_place, small, kills, place):
                return False
        return True

    # ---------------------------------------------------------------- resolution

    def _lookup(self, name: str, scope: Scope) -> tuple:
        start = scope
        current: Optional[Scope] = scope
        while current is not None:
            if name in current.declared_global:
                current = self.module_scope
                return current, current.bindings.get(name, [])
            if current is start or current.is_function or current is self.module_scope:
                if name in current.bindings or name in current.declared_nonlocal:
                    if name in current.declared_nonlocal:
                        current = current.parent
                        continue
                    return current, current.bindings[name]
            current = current.parent
        return None, []

    @staticmethod
    def _protected(read: Place, small: int, kills: dict, insertion: Place) -> bool:
        """A rebinding stands before the read in a block around it, with the insertion not in between.

        `kills` maps a block to the sorted (index, small index) of its rebindings: only the nearest one
        before the read matters (if the insertion falls after it, it falls after every earlier one too).
        """
        insertion_at = {q.block: q.index for q in insertion.chain()}
        for outer in read.chain():
            spots = kills.get(outer.block)
            if not spots:
                continue
            limit = (outer.index, small) if outer is read else (outer.index, -1)
            nearest = bisect.bisect_left(spots, limit) - 1
            if nearest < 0:
                continue
            kill_index = spots[nearest][0]
            at = insertion_at.get(outer.block)
            if at is None or not kill_index <= at < outer.index:
                return True
        return False

    # ---------------------------------------------------------------- the pass

    def _new_scope(self, node: ScopeNode, parent: Optional[Scope]) -> Scope:
        scope = Scope(node, parent)
        self.scopes.append(scope)
        return scope

    def _block(self, body, scope: Scope, parent: Optional[Place], prefix: tuple) -> None:
        body = list(body)
        for index, statement in enumerate(body):
            place = Place(statement, parent, prefix + (index,), scope, body)
            self.places[id(statement)] = place
            self._statement(statement, scope, place)

    def _statement(self, statement: cst.CSTNode, scope: Scope, place: Place) -> None:
        if isinstance(statement, cst.SimpleStatementLine):
            for small_index, small in enumerate(statement.body):
                self._small(small, scope, place, small_index)
            return
        if isinstance(statement, cst.FunctionDef):
            for decorator in statement.decorators:
                self._expression(decorator.decorator, scope, place, 0)
            self._parameters_outside(statement.params, scope, place)
            if statement.returns is not None:
                self._expression(statement.returns.annotation, scope, place, 0)
            self._bind(scope, statement.name.value, place)
            inner = self._new_scope(statement, scope)
            self._parameters_inside(statement.params, inner)
            if self.nested:
                self._block(_body(statement.body), inner, None, ())
            self._defer(inner, scope)
            return
        if isinstance(statement, cst.ClassDef):
            for decorator in statement.decorators:
                self._expression(decorator.decorator, scope, place, 0)
            for arg in list(statement.bases) + list(statement.keywords):
                self._expression(arg.value, scope, place, 0)
            self._bind(scope, statement.name.value, place)
            inner = self._new_scope(statement, scope)
            if self.nested:
                self._block(_body(statement.body), inner, None, ())
            self._defer(inner, scope)
            return
        # compound statements: their own expressions, then each block in source order
        blocks = 0
        for child in children(statement):
            if isinstance(child, (cst.BaseSuite, cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler,
                                  cst.MatchCase, cst.If)):
                blocks = self._sub_blocks(child, scope, place, blocks)
            elif isinstance(child, cst.WithItem):
                self._expression(child.item, scope, place, 0)
                if child.asname is not None:
                    self._target(child.asname.name, scope, place, 0)
            elif isinstance(statement, cst.For) and child is statement.target:
                self._target(child, scope, place, 0)
            elif isinstance(child, cst.BaseExpression):
                self._expression(child, scope, place, 0)

    def _sub_blocks(self, node: cst.CSTNode, scope: Scope, place: Place, number: int) -> int:
        if isinstance(node, cst.BaseSuite):
            self._block(_body(node), scope, place, place.path + (number,))
            return number + 1
        if isinstance(node, cst.If):  # `elif`
            self._expression(node.test, scope, place, 0)
            number = self._sub_blocks(node.body, scope, place, number)
            return self._sub_blocks(node.orelse, scope, place, number) if node.orelse is not None else number
        if isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            if node.type is not None:
                self._expression(node.type, scope, place, 0)
            if node.name is not None:
                self._target(node.name.name, scope, place, 0)
        if isinstance(node, cst.MatchCase):
            for inner in walk(node.pattern):
                if isinstance(inner, (cst.MatchAs, cst.MatchStar)) and inner.name is not None:
                    self._bind(scope, inner.name.value, place)
                elif isinstance(inner, cst.MatchMapping) and inner.rest is not None:
                    self._bind(scope, inner.rest.value, place)
            if node.guard is not None:
                self._expression(node.guard, scope, place, 0)
        return self._sub_blocks(node.body, scope, place, number)

    def _small(self, small: cst.BaseSmallStatement, scope: Scope, place: Place, index: int) -> None:
        if isinstance(small, cst.Assign):
            self._expression(small.value, scope, place, index)
            for target in small.targets:
                self._target(target.target, scope, place, index)
                if isinstance(target.target, cst.Name) and target.target.value not in _names_in(small.value):
                    scope.kills.setdefault(target.target.value, []).append((place, index))
        elif isinstance(small, cst.AnnAssign):
            self._expression(small.annotation.annotation, scope, place, index)
            if small.value is not None:
                self._expression(small.value, scope, place, index)
            self._target(small.target, scope, place, index)
        elif isinstance(small, cst.AugAssign):
            self._expression(small.value, scope, place, index)
            self._expression(small.target, scope, place, index)  # read first
            self._target(small.target, scope, place, index)
        elif isinstance(small, cst.Del):
            self._expression(small.target, scope, place, index)
            self._target(small.target, scope, place, index)
        elif isinstance(small, cst.Import):
            for alias in small.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None:
                    self._bind(scope, alias.asname.name.value, place, full)
                else:
                    head = full.split(".")[0]
                    self._bind(scope, head, place, head)
        elif isinstance(small, cst.ImportFrom):
            if isinstance(small.names, cst.ImportStar):
                return
            module = dotted_name(small.module) if small.module is not None else ""
            for alias in small.names:
                name = alias.name.value if isinstance(alias.name, cst.Name) else dotted_name(alias.name) or ""
                local = alias.asname.name.value if alias.asname is not None else name
                relative = bool(small.relative)
                self._bind(scope, local, place, None if relative else f"{module}.{name}")
        elif isinstance(small, cst.Global):
            scope.declared_global.update(n.name.value for n in small.names)
        elif isinstance(small, cst.Nonlocal):
            scope.declared_nonlocal.update(n.name.value for n in small.names)
        else:
            for child in children(small):
                if isinstance(child, cst.BaseExpression):
                    self._expression(child, scope, place, index)

    def _target(self, target: cst.CSTNode, scope: Scope, place: Place, index: int) -> None:
        if isinstance(target, cst.Name):
            self._bind(scope, target.value, place)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._target(element.value, scope, place, index)
        elif isinstance(target, cst.StarredElement):
            self._target(target.value, scope, place, index)
        elif isinstance(target, (cst.Attribute, cst.Subscript)):
            self._expression(target, scope, place, index)

    def _expression(self, node: cst.CSTNode, scope: Scope, place: Place, index: int) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Name):
                scope.reads.setdefault(current.value, []).append((place, index))
            elif isinstance(current, (cst.Attribute, cst.Arg)):
                stack.append(current.value)
            elif isinstance(current, cst.NamedExpr):
                stack.append(current.value)
                if isinstance(current.target, cst.Name):
                    self._bind(scope, current.target.value, place)
            elif isinstance(current, cst.Lambda):
                self._parameters_outside(current.params, scope, place)
                inner = self._new_scope(current, scope)
                self._parameters_inside(current.params, inner)
                self._expression(current.body, inner, place, index)
                self._defer(inner, scope)
            elif isinstance(current, _COMPREHENSIONS):
                self._comprehension(current, scope, place, index)
            else:
                stack.extend(children(current))

    def _comprehension(self, node, scope: Scope, place: Place, index: int) -> None:
        """Names the comprehension binds are its own; what else it reads, it reads right away here."""
        bound: set = set()
        fors = []
        clause = node.for_in
        while clause is not None:
            fors.append(clause)
            clause = clause.inner_for_in
        reads: list = []
        for number, clause in enumerate(fors):
            reads += _names_read(clause.iter) if number else []
            if number == 0:
                self._expression(clause.iter, scope, place, index)
            bound |= _names_in(clause.target)
            for condition in clause.ifs:
                reads += _names_read(condition.test)
        parts = [node.key, node.value] if isinstance(node, cst.DictComp) else [node.elt]
        for part in parts:
            reads += _names_read(part)
        for inner in walk(node):
            if isinstance(inner, cst.NamedExpr) and isinstance(inner.target, cst.Name):
                self._bind(scope, inner.target.value, place)  # `:=` binds in the enclosing scope
        for name in reads:
            if name not in bound:
                scope.reads.setdefault(name, []).append((place, index))

    def _parameters_outside(self, params: cst.Parameters, scope: Scope, place: Place) -> None:
        for param in _all_params(params):
            if param.default is not None:
                self._expression(param.default, scope, place, 0)
            if param.annotation is not None:
                self._expression(param.annotation.annotation, scope, place, 0)

    def _parameters_inside(self, params: cst.Parameters, scope: Scope) -> None:
        for param in _all_params(params):
            self._bind(scope, param.name.value, None)

    @staticmethod
    def _bind(scope: Scope, name: str, place: Optional[Place], imported: Optional[str] = None) -> None:
        scope.bindings.setdefault(name, []).append(Binding(place, imported))

    @staticmethod
    def _defer(inner: Scope, outer: Scope) -> None:
        """A nested scope's free reads happen whenever it runs: for the outer scope, at any time."""
        free = (set(inner.reads) | inner.deferred_reads) - set(inner.bindings)
        free |= inner.declared_nonlocal | inner.declared_global
        outer.deferred_reads |= free


class ModuleConstants(Mapping):
    """The module's constants (`FileScopes.module_constant`), name -> value expression, for the analysis.

    Most files never read one, so the scope pass runs only when a name that some top-level
    `NAME = value` assigns is first asked for; the fixer then reuses that pass (`scopes`).
    """

    def __init__(self, module: cst.Module, text: Optional[str] = None) -> None:
        self.module = module
        #: top-level `NAME = value` assignments, the last of each name: a cheap superset of the constants
        self._candidates = _top_level_assignments(module)
        self._scopes: Optional[FileScopes] = None
        #: with the file's text and no `global` in it, the module scope's pass alone decides (FileScopes)
        self._module_level_only = text is not None and _GLOBAL.search(text) is None

    @property
    def scopes(self) -> FileScopes:
        if self._scopes is None:
            self._scopes = FileScopes(self.module, nested=not self._module_level_only)
        return self._scopes

    @property
    def built_scopes(self) -> Optional[FileScopes]:
        """The whole scope pass if some question needed it, else None."""
        return self._scopes if self._scopes is not None and self._scopes.nested else None

    def __getitem__(self, name: str) -> cst.BaseExpression:
        value = self.scopes.module_constant(name) if name in self._candidates else None
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._candidates if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _top_level_assignments(module: cst.Module) -> dict:
    """Module-level `NAME = value` (and annotated) assignments: name -> value expression."""
    assigns: dict = {}
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    assigns[small.targets[0].target.value] = small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
                    assigns[small.target.value] = small.value
    return assigns


def _body(suite: cst.BaseSuite) -> list:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else [cst.SimpleStatementLine(list(suite.body))] \
        if isinstance(suite, cst.SimpleStatementSuite) else list(getattr(suite, "body", []))


def _all_params(params: cst.Parameters) -> list:
    found = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star)
    return found


def _names_in(node: cst.CSTNode) -> set:
    return {n.value for n in walk(node) if isinstance(n, cst.Name)}


def _names_read(node: cst.CSTNode) -> list:
    """Names an expression reads (an attribute's name is not a read; a nested lambda's reads are)."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.append(current.value)
        elif isinstance(current, (cst.Attribute, cst.Arg)):
            stack.append(current.value)
        else:
            stack.extend(children(current))
    return found

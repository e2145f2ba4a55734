"""Which dotted name an expression refers to, from the file's imports and definitions.

`T.nn.Linear` with `import torch as T` and `L` with `from torch.nn import Linear as L` both
qualify to `torch.nn.Linear`.  Names defined in the file itself (classes, functions, assignments
at module level) qualify to `<local>.Name`, so that a local `Linear` never passes for torch's.
This is a cheap, flow-insensitive pass: the last binding of a module-level name wins, which is
what matters for the classes and layers a file defines.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from init_lint.analysis.walk import children

LOCAL = "<local>"
#: what `torch` and `nn` mean when only a star import can have bound them
_CONVENTIONAL = {"torch": "torch", "nn": "torch.nn"}


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """`a.b.c` as a string, or None if the expression is not a plain dotted name."""
    parts: list[str] = []
    # `__class__ is`: libcst's classes are abstract base classes, whose failing `isinstance` runs
    # Python code; Attribute and Name have no subclasses
    while node.__class__ is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if node.__class__ is not cst.Name:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _module_path(node: cst.BaseExpression) -> str:
    return dotted_name(node) or ""


class ImportTable:
    """Maps the names a file binds to what they refer to."""

    def __init__(self) -> None:
        self.bindings: dict[str, str] = {}
        #: names only a star import can have bound, read with their conventional meaning
        self.assumed: dict[str, str] = {}

    @classmethod
    def from_module(cls, module: cst.Module) -> "ImportTable":
        """Imports anywhere in the file (in source order), then the file's own top-level definitions."""
        table = cls()
        for statement in _walk_statements(module.body):
            table._bind_statement(statement)
        for statement in module.body:
            table._bind_local_definition(statement)
        if any(name.startswith("*") for name in table.bindings):
            # `from .torch_imports import *` (fastai): the star module cannot be read here; a name it must
            # have bound, since the file uses it unbound, keeps its conventional meaning.  (Kept apart from
            # the bindings, which say what the file itself imports.)
            table.assumed = {name: target for name, target in _CONVENTIONAL.items() if name not in table.bindings}
        return table

    def _bind_statement(self, statement: cst.BaseSmallStatement) -> None:
        """Bind the names an import statement defines (relative imports keep their leading dots)."""
        if isinstance(statement, cst.Import):
            for alias in statement.names:
                full = _module_path(alias.name)
                if alias.asname is not None:
                    self.bindings[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    self.bindings[head] = head
        elif isinstance(statement, cst.ImportFrom):
            module = _module_path(statement.module) if statement.module is not None else ""
            level = len(statement.relative)
            if isinstance(statement.names, cst.ImportStar):
                # Kept under a name no code can use, for project mode: every class of it is imported.
                self.bindings[f"*{len(self.bindings)}"] = "." * level + module
                return
            for alias in statement.names:
                name = alias.name.value if isinstance(alias.name, cst.Name) else _module_path(alias.name)
                local = alias.asname.name.value if alias.asname is not None else name
                if level:
                    self.bindings[local] = f"{'.' * level}{module + '.' if module else ''}{name}"
                else:
                    self.bindings[local] = f"{module}.{name}" if module else name

    def _bind_local_definition(self, statement: cst.CSTNode) -> None:
        """Bind a class, function or module-level assignment of the file to `<local>.name`."""
        if isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
            self.bindings[statement.name.value] = f"{LOCAL}.{statement.name.value}"
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self._bind_local_assignment(small)
        elif isinstance(statement, cst.If):
            # `if TYPE_CHECKING:` / version switches: definitions inside still define the name
            # (`if X: name = value` on one line too).
            for inner in statement.body.body:
                if isinstance(statement.body, cst.SimpleStatementSuite):
                    self._bind_local_assignment(inner)
                else:
                    self._bind_local_definition(inner)

    def _bind_local_assignment(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    self.bindings[target.target.value] = f"{LOCAL}.{target.target.value}"
        elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
            self.bindings[small.target.value] = f"{LOCAL}.{small.target.value}"

    def qualify(self, node: cst.BaseExpression) -> Optional[str]:
        """The qualified name of a dotted expression, or None if its head is not bound here."""
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self.bindings.get(head) or self.assumed.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target


def _walk_statements(body) -> "list[cst.BaseSmallStatement]":
    """Every import statement of the file in source order, at any depth (imports inside
    functions, `try` blocks and `if` switches count)."""
    found: list[cst.BaseSmallStatement] = []

    def visit(node: cst.CSTNode) -> None:
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):  # `if X: import y` too
            found.extend(s for s in node.body if isinstance(s, (cst.Import, cst.ImportFrom)))
        elif isinstance(node, cst.BaseCompoundStatement) or isinstance(
            node, (cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.IndentedBlock)
        ):
            for child in children(node):
                if isinstance(child, (cst.BaseStatement, cst.BaseSuite, cst.Else, cst.ExceptHandler,
                                      cst.ExceptStarHandler, cst.Finally, cst.If)):
                    visit(child)

    for statement in body:
        visit(statement)
    return found

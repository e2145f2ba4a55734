"""How a fix spells what it needs, at the point where it stands, and where a new import goes.

Fixes read like code the file's author wrote: `T.nn.init` in a file that does `import torch as T`,
`init` where it does `from torch.nn import init`.  Every name is checked in the scope where the
inserted code runs (`analysis.scopes`): an import inside another function, a parameter named `init`
or `math`, a `from torch import nn` in another class's method do not count, and then the next
spelling is tried, else a new module-level import under a name nothing in the file binds.

`import math` goes where isort puts it: sorted among the standard library's plain imports, after
the docstring and `from __future__`, never above the file's leading comments; torch imports go
after the file's last top-level import.
"""

from __future__ import annotations

import sys
from typing import Optional

import libcst as cst

from init_lint.analysis.names import dotted_name
from init_lint.diagnostics import Edit
from init_lint.fixes.edits import LineIndex
from init_lint.analysis.scopes import FileScopes, Place
from init_lint.positions import locate

_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"math", "os", "sys", "collections", "functools"}

#: a new import of each module the recipes use: (module to import from, name) or (None, module)
_NEW_IMPORT = {
    "torch.nn.init": ("torch.nn", "init", ("init", "nn_init", "torch_init")),
    "torch.nn.utils.skip_init": ("torch.nn.utils", "skip_init", ("skip_init", "nn_skip_init")),
    "math": (None, "math", ("math", "math_", "math2")),
}


class FileStyle:
    def __init__(self, module: cst.Module, text: str, scopes: FileScopes) -> None:
        self.module = module
        self.text = text
        self.index = LineIndex(text)
        self.scopes = scopes
        self._header: Optional[list] = None

    # ---------------------------------------------------------------- names

    def spell(self, qualified: str, place: Place) -> tuple:
        """(how the code at `place` spells `qualified`, the import statement it needs or None)."""
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            prefix = ".".join(parts[:cut])
            for name in self.scopes.import_names(prefix):
                if self.scopes.resolves_to(name, prefix, place):
                    return ".".join([name] + parts[cut:]), None
        source, name, aliases = _NEW_IMPORT[qualified]
        for alias in aliases:
            module_scope = self.scopes.module_scope
            if alias in module_scope.reads or alias in module_scope.deferred_reads:
                # read as a global without a binding we can see (a builtin, a star import's name): leave it
                continue
            if self.scopes.unbound_on_the_way(alias, place):
                asname = "" if alias == name else f" as {alias}"
                statement = f"import {name}{asname}" if source is None else f"from {source} import {name}{asname}"
                return alias, statement
        raise LookupError(f"no free name for {qualified}")

    def temporary(self, base: str, place: Place, reserved: set) -> str:
        """A name the inserted code may bind at `place` without changing what the file's code reads."""
        candidates = [base, base + "_"] + [f"{base}{n}" for n in range(2, 50)]
        for name in candidates:
            if name not in reserved and self.scopes.free_to_bind(name, place):
                return name
        raise LookupError(f"no free name for a temporary {base!r}")

    # ---------------------------------------------------------------- imports

    def import_edit(self, statement: str) -> Edit:
        """Where the import goes, as an insertion."""
        newline = self.index.newline()
        header = self.header()
        imports = [h for h in header if h[0] in ("import", "from", "block")]
        if statement.startswith("import math"):
            plain = [h for h in imports if h[0] == "import" and h[3] in _STDLIB]
            later = [h for h in plain if h[3].lower() > "math"]
            if later:
                return self._before(later[0], statement + newline)
            if plain:
                return self._after(plain[-1], statement + newline)
            froms = [h for h in imports if h[0] == "from" and h[3] in _STDLIB]
            if froms:
                return self._before(froms[0], statement + newline)
            if imports:
                return self._before(imports[0], statement + newline + newline)
        elif imports:
            return self._after(imports[-1], statement + newline)
        settled = [h for h in header if h[0] in ("docstring", "future")]
        if settled:
            return self._after(settled[-1], newline + statement + newline)
        first = self._first_statement_line()
        if first is None:
            end = len(self.index.starts)
            last = self.index.line_text(end)
            if last and not self.index.ends_with_newline(end):
                return Edit(end, len(last), end, len(last), newline + statement + newline)
            line = end if not last else end + 1
            return Edit(line, 0, line, 0, statement + newline)
        return Edit(first, 0, first, 0, statement + newline + newline)

    def header(self) -> list:
        """(kind, first line, last line, module) of the docstring, `from __future__` and import statements
        that open the file."""
        if self._header is not None:
            return self._header
        entries: list = []
        nodes = []
        for position, statement in enumerate(self.module.body):
            kind, module = _header_kind(statement, position)
            if kind is None:
                break
            entries.append((kind, module))
            nodes.append(statement)
        ranges = locate(self.module, self.text, nodes) if nodes else {}
        self._header = []
        for (kind, module), node in zip(entries, nodes):
            where = ranges.get(id(node))
            if where is None:
                break
            self._header.append((kind, where.start.line, where.end.line, module))
        return self._header

    def _first_statement_line(self) -> Optional[int]:
        if not self.module.body:
            return None
        where = locate(self.module, self.text, [self.module.body[0]]).get(id(self.module.body[0]))
        if where is None:
            return None
        line = where.start.line
        decorators = getattr(self.module.body[0], "decorators", ())
        if decorators:
            first = locate(self.module, self.text, [decorators[0]]).get(id(decorators[0]))
            if first is not None:
                line = min(line, first.start.line)
        return line

    def _before(self, entry: tuple, content: str) -> Edit:
        return Edit(entry[1], 0, entry[1], 0, content)

    def _after(self, entry: tuple, content: str) -> Edit:
        return insertion_after(self.index, entry[2], content)


def insertion_after(index: LineIndex, line: int, content: str) -> Edit:
    """An insertion at the start of the line after `line` (a newline first when `line` is the file's
    last and has none)."""
    if line >= len(index.starts) or not index.ends_with_newline(line):
        last = index.line_text(line)
        return Edit(line, len(last), line, len(last), index.newline() + content)
    return Edit(line + 1, 0, line + 1, 0, content)


def _header_kind(statement: cst.CSTNode, position: int) -> tuple:
    if isinstance(statement, cst.SimpleStatementLine) and statement.body:
        small = statement.body[0]
        strings = (cst.SimpleString, cst.ConcatenatedString)
        if position == 0 and isinstance(small, cst.Expr) and isinstance(small.value, strings):
            return "docstring", None
        if isinstance(small, cst.ImportFrom):
            module = dotted_name(small.module) if small.module is not None else None
            if module == "__future__":
                return "future", module
            top = module.split(".")[0] if module and not small.relative else None
            return "from", top
        if isinstance(small, cst.Import):
            return "import", (dotted_name(small.names[0].name) or "").split(".")[0]
    if isinstance(statement, (cst.If, cst.Try)) and _only_imports(statement):
        return "block", None
    return None, None


def _only_imports(statement: cst.CSTNode) -> bool:
    body = getattr(statement, "body", None)
    lines = [n for n in getattr(body, "body", ()) if isinstance(n, cst.SimpleStatementLine)]
    return bool(lines) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for line in lines for s in line.body)

"""How a file spells what the fixes need: its alias for `torch.nn.init`, `math`, `skip_init`, free names.

Fixes read like code the file's author wrote: `T.nn.init` in a file that does `import torch as T`,
`init` where it does `from torch.nn import init`.  Imports are added only when nothing in the
file already binds what is needed, next to the file's other imports.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from init_lint.analysis import FileAnalysis
from init_lint.analysis.values import LayerSite
from init_lint.catalogue import lookup_torch_class
from init_lint.fixes.recipes import RecipeNames


class FileStyle:
    def __init__(self, analysis: FileAnalysis) -> None:
        self.analysis = analysis
        self.bindings = analysis.imports.bindings
        self.used_names = _all_names(analysis.module)
        self.imports: list[str] = []
        self._names: Optional[RecipeNames] = None
        self._constants: Optional[dict] = None

    def _bound_to(self, qualified: str) -> Optional[str]:
        matches = sorted((name for name, target in self.bindings.items() if target == qualified), key=len)
        return matches[0] if matches else None

    def _need_import(self, statement: str) -> None:
        if statement not in self.imports:
            self.imports.append(statement)

    def torch_name(self, dotted: str) -> str:
        """How the file spells `torch.<dotted>`: through its closest binding (`nn.init` with
        `from torch import nn`, `T.nn.init` with `import torch as T`), else through a new import."""
        parts = ["torch"] + dotted.split(".")
        for cut in range(len(parts), 0, -1):
            name = self._bound_to(".".join(parts[:cut]))
            if name is not None:
                return ".".join([name] + parts[cut:])
        last = parts[-1]
        if last not in self.bindings and last not in self.used_names:
            self._need_import(f"from {'.'.join(parts[:-1])} import {last}")
            return last
        self._need_import("import torch")
        return ".".join(parts)

    def init_module(self) -> str:
        return self.torch_name("nn.init")

    def math_module(self) -> str:
        name = self._bound_to("math")
        if name is not None:
            return name
        alias = "math" if "math" not in self.bindings and "math" not in self.used_names else self.free_name("math")
        self._need_import("import math" if alias == "math" else f"import math as {alias}")
        return alias

    def skip_init_name(self) -> str:
        return self.torch_name("nn.utils.skip_init")

    def names_layer_class(self, site: LayerSite) -> bool:
        qualified = self.analysis.imports.qualify(site.call.func)
        return qualified is not None and lookup_torch_class(qualified) == site.spec.name

    def recipe_names(self) -> RecipeNames:
        if self._names is None:
            bound = "bound" if "bound" not in self.used_names else self.free_name("bound")
            self.used_names.add(bound)
            fan_in = "fan_in" if "fan_in" not in self.used_names else self.free_name("fan_in")
            self.used_names.add(fan_in)
            self._names = RecipeNames(init=self.init_module(), math=self.math_module(), bound=bound, fan_in=fan_in)
        return self._names

    def require_recipe_imports(self) -> None:
        self.recipe_names()

    def free_name(self, base: str) -> str:
        candidate = base + "_"
        counter = 2
        while candidate in self.used_names or candidate in self.bindings:
            candidate = f"{base}{counter}"
            counter += 1
        self.used_names.add(candidate)
        return candidate

    def literal_args(self, site: LayerSite) -> dict:
        from init_lint.fixes.apply import literal_spec_args

        if self._constants is None:
            self._constants = _module_constants(self.analysis.module)
        return literal_spec_args(site.spec, site.call, self._constants)

    def add_imports(self, module: cst.Module) -> cst.Module:
        if not self.imports:
            return module
        body = list(module.body)
        # The standard library first, where isort puts it; torch's modules after the file's imports.
        stdlib = [line for line in self.imports if line.startswith("import math")]
        others = [line for line in self.imports if line not in stdlib]
        parse = lambda line: cst.parse_statement(line + "\n", config=module.config_for_parsing)  # noqa: E731
        end = _import_position(body)
        body[end:end] = [parse(line) for line in others]
        # Never before the file's first line: it may carry a BOM, which then belongs to that line.
        start = max(_first_import_position(body, end), 1) if body else 0
        body[start:start] = [parse(line) for line in stdlib]
        return module.with_changes(body=body)


def _import_position(body: list) -> int:
    """After the docstring, `from __future__` imports and the other top-level imports."""
    position = 0
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and statement.body:
            small = statement.body[0]
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                position = index + 1
                continue
            if index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                position = 1
                continue
        if position and isinstance(statement, (cst.If, cst.Try)) and _only_imports(statement):
            position = index + 1
            continue
        break
    return position


def _first_import_position(body: list, end: int) -> int:
    """The first top-level import that is not `from __future__` (or `end` when there is none)."""
    for index, statement in enumerate(body[:end]):
        if isinstance(statement, cst.SimpleStatementLine) and statement.body:
            small = statement.body[0]
            if isinstance(small, cst.Import) or (isinstance(small, cst.ImportFrom) and not (
                    isinstance(small.module, cst.Name) and small.module.value == "__future__")):
                return index
    return end


def _only_imports(statement: cst.CSTNode) -> bool:
    lines = [n for n in statement.body.body if isinstance(n, cst.SimpleStatementLine)] if hasattr(statement, "body") else []
    return bool(lines) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for line in lines for s in line.body)


def _all_names(module: cst.Module) -> set:
    names: set = set()

    class Collector(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    module.visit(Collector())
    return names


def _module_constants(module: cst.Module) -> dict:
    from init_lint.fixes.apply import _literal

    counts: dict = {}
    values: dict = {}
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    name = small.targets[0].target.value
                    counts[name] = counts.get(name, 0) + 1
                    values[name] = _literal(small.value, {})
    return {name: value for name, value in values.items() if counts[name] == 1 and value is not None}

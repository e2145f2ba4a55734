"""Files that cannot hold a layer or an init: their exports from Python's `ast`, no libcst parse.

Most of a large tree's torch-mentioning files are utilities, data pipelines, functional losses or
scripts: they build no layer and initialize nothing, so the analysis finds nothing in them and
project mode needs only what they import (a package can re-export a model class through them).
Parsing them with libcst and interpreting them is most of what a cold run would spend on them.

The scan is conservative: a file takes the fast path only when it

* parses with `ast` (a syntax error goes the full way, which reports it at Python's own position);
* defines no class (a class can build another file's classes: project mode needs those builds);
* mentions no word the analysis acts on anywhere in its text, comments and strings included:
  a layer or container the catalogue knows, an init function or overwriting tensor method,
  `Module`, `Parameter`, `apply`, `init`, a framework's hooks, a project's extra layers;
* imports nothing from a module whose functions initialize (`torch.nn.init`, the framework table's);
* calls no imported name that reads as a class (it may build another file's model and hand it on),
  and reads none outside annotations (the full analysis exports those it evaluates as `refs`);
* converts nothing at module level with a method the analysis reads as returning a module
  (`.cuda()`, `.to()`: a script's `x = load().cuda(); run(x)` hands a module on).

Such a file has no finding (every rule needs a layer or an init call) and exports only its import
bindings, exactly as the full analysis would export them (`ImportTable`'s order: source order, at
any depth of statements, one-line suites included), less the names the file binds itself at top
level (functions, plain assignments, also in the body of a top-level `if`).
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Optional

from init_lint.config import Settings

_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
#: words of nn.Module's own machinery that can initialize or build
_MODULE_WORDS = ("Module", "Parameter", "apply", "named_apply", "reset_parameters", "skip_init", "init",
                 "_reset_parameters", "init_weights", "_init_weights")


@lru_cache(maxsize=None)
def _trigger_words() -> frozenset:
    from init_lint import catalogue as c
    from init_lint.analysis import frameworks
    from init_lint.analysis.models import ITERATION_METHODS

    words = set(c.MODULES) | set(c.MODULE_BASES) | set(c.TORCH_BASES) | set(c.CONTAINERS) | set(c.DISPATCH_ALIASES)
    words |= {name for name in c.TORCH_INIT_FUNCTIONS if name.endswith("_")} | set(c.OVERWRITING_METHODS)
    words |= set(_MODULE_WORDS) | set(ITERATION_METHODS)  # a loop over `x.modules()` is a dispatch
    for framework in frameworks.FRAMEWORKS:
        words |= {base.rsplit(".", 1)[-1] for base in framework.bases}
        words |= {name.rsplit(".", 1)[-1] for name in framework.named_apply}
        words |= {name for name in (framework.init_hook, framework.dispatch_method) if name}
    return frozenset(w.encode() for w in words)


@lru_cache(maxsize=None)
def _self_returning() -> frozenset:
    """Methods the analysis reads as returning their module (`.cuda()`, `.to()`)."""
    from init_lint.analysis.calls import _SELF_RETURNING

    return frozenset(_SELF_RETURNING)


@lru_cache(maxsize=None)
def _init_modules() -> tuple:
    from init_lint.analysis import frameworks
    from init_lint.analysis.initops import INIT_MODULES

    return tuple(INIT_MODULES) + tuple(frameworks.INIT_FUNCTION_MODULES)


def _extra_words(settings: Settings) -> frozenset:
    return frozenset(part.encode() for name, like in settings.extra_layers
                     for part in (name.rsplit(".", 1)[-1], like.rsplit(".", 1)[-1]))


def quick_exports(data: bytes, settings: Settings) -> Optional[dict]:
    """The file's exports when it cannot hold a layer or an init (see the module's doc); None otherwise."""
    return quick_scan(data, settings)[0]


def quick_scan(data: bytes, settings: Settings) -> tuple[Optional[dict], Optional[ast.Module]]:
    """`quick_exports`, and Python's tree of the file when the scan parsed it (the check then builds
    its lean tree from it instead of parsing again)."""
    words = set(_WORD.findall(data))
    if not words.isdisjoint(_trigger_words()) or not words.isdisjoint(_extra_words(settings)):
        return None, None
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None, None
    return _exports_of(tree, words), tree


def _exports_of(tree: ast.Module, words: set) -> Optional[dict]:
    if b"class" in words and any(isinstance(node, ast.ClassDef) for node in ast.walk(tree)):
        return None
    bindings = import_bindings(tree.body)
    homes = _init_modules()
    for target in bindings.values():
        if not target.startswith(".") and any(target == home or target.startswith(home + ".") for home in homes):
            return None
    if _calls_an_imported_class(tree, bindings) or _refers_to_an_imported_class(tree, bindings) \
            or _converts_at_module_level(tree.body):
        return None
    local = _local_definitions(tree.body)
    bindings = {name: target for name, target in bindings.items() if name not in local}
    return {"classes": [], "bindings": bindings, "builds": [], "refs": [], "maybe_builds": [], "local_refs": [],
            "init_types": [], "opaque": [], "factories": {}}


def _calls_an_imported_class(tree: ast.AST, bindings: dict) -> bool:
    """Whether the file may build a module class of another file (`model = ResNet(...)`, by a name
    that reads as a class): the module it builds may be handed to code out of sight, which project
    mode records (`opaque`); the full analysis follows that."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, root = node.func, node.func
        while isinstance(root, ast.Attribute):
            root = root.value
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if isinstance(root, ast.Name) and root.id in bindings and name[:1].isupper():
            return True
    return False


def _refers_to_an_imported_class(tree: ast.AST, bindings: dict) -> bool:
    """Whether code may read an imported name that reads as a class and is not torch's (`isinstance(x,
    Bar)`, `foo.Bar`, `Optional[int]`): the full analysis exports what it evaluates of those (`refs`),
    so such a file goes the full way.  Annotations are never evaluated: they do not count."""
    stack: list = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Attribute):
            root, parts = node, []
            while isinstance(root, ast.Attribute):
                parts.append(root.attr)
                root = root.value
            if isinstance(root, ast.Name) and root.id in bindings and _a_class_elsewhere(
                    ".".join([bindings[root.id], *reversed(parts)])):
                return True
        elif isinstance(node, ast.Name) and node.id in bindings and _a_class_elsewhere(bindings[node.id]):
            return True
        for field, value in ast.iter_fields(node):
            if field in ("annotation", "returns"):
                continue
            if isinstance(value, ast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, ast.AST))
    return False


def _converts_at_module_level(body: list) -> bool:
    """Whether module-level code (a script's body, `if __name__ == "__main__":`) calls a method the
    analysis reads as returning a module (`.cuda()`, `.to(...)`): what it then hands on escapes."""
    converting = _self_returning()
    stack = [node for node in body if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in converting:
            return True
        stack.extend(child for child in ast.iter_child_nodes(node)
                     if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)))
    return False


def _a_class_elsewhere(qualified: str) -> bool:
    """As the full analysis records an imported name it evaluates among a file's `refs`."""
    return qualified.rsplit(".", 1)[-1][:1].isupper() and not qualified.startswith("torch.")


def import_bindings(body: list) -> dict:
    """The names the file's import statements bind, as `ImportTable` binds them (source order, at any
    depth of statements, star imports under a name no code can use)."""
    bindings: dict = {}
    for node in _imports(body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    bindings[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    bindings[head] = head
            continue
        module = node.module or ""
        level = node.level or 0
        for alias in node.names:
            if alias.name == "*":
                bindings[f"*{len(bindings)}"] = "." * level + module
                break
            local = alias.asname or alias.name
            if level:
                bindings[local] = f"{'.' * level}{module + '.' if module else ''}{alias.name}"
            else:
                bindings[local] = f"{module}.{alias.name}" if module else alias.name
    return bindings


def _local_definitions(body: list) -> set:
    """The names `ImportTable` binds to the file itself (dropped from the exports): top-level functions,
    classes and plain assignments to a name, also inside the body of a top-level `if` (not its `else`)."""
    found: set = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.Assign):
            found.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            found.add(node.target.id)
        elif isinstance(node, ast.If):
            found |= _local_definitions(node.body)
    return found


def _imports(body: list) -> list:
    """Import statements in source order inside statements (not inside `match` cases: as libcst's walk)."""
    found: list = []
    stack = [iter(body)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
            continue
        if isinstance(node, ast.Match):
            continue
        blocks = []
        for name in ("body", "handlers", "orelse", "finalbody"):
            value = getattr(node, name, None)
            if isinstance(value, list):
                blocks.extend(value)
        if blocks and isinstance(node, (ast.stmt, ast.excepthandler)):
            stack.append(iter(blocks))
    return found

"""Pointing run-time flags at source lines, with the static analysis (parent side: no torch, nothing runs).

A flagged layer is known at run time by its attribute path in the model (`layers.3`, `net.0`,
`blocks.2.attn.qkv`).  The analysis's map of what each class's `__init__` stores on `self`
(`FileFacts.attrs`: layers, containers, instances of the file's other classes) resolves that path
to the constructor call; a path it cannot follow to the end resolves to the deepest constructor it
reached, or to the `self.<attribute> = ...` statement.  For the weight's init it reports the
explicit init calls of the class that write `<path>.weight` (`nn.init.*_`, in-place
`normal_`/`copy_`/..., directly or through a `for layer in self.<container>` loop) and the `apply` /
`modules()` dispatches whose reach covers the layer; without those, PyTorch's default when the
analysis judges that the layer keeps it (INI001's verdict, citing the finding).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Optional

from init_lint.analysis import analyze
from init_lint.analysis.initops import init_function_name
from init_lint.catalogue import OVERWRITING_METHODS
from init_lint.analysis.values import ChoiceValue, ContainerValue, LayerValue, ModuleInstance, Tri
from init_lint.checker import check_source, parse
from init_lint.config import Settings
from init_lint.positions import locate


def attach_locations(report) -> None:
    """Fill `where`, `cause_where` and `init` of every flag of a FileHealth, as far as the analysis knows.

    A layer is looked up in the class that built it (the worker reports the nearest enclosing module
    whose class is not torch's, its file and the path inside it), else from the model's class down."""
    indexes: dict = {}

    def index_of(path: Optional[str]) -> Optional[SourceIndex]:
        if path not in indexes:
            try:
                indexes[path] = SourceIndex(Path(path)) if path and path.endswith((".py", ".ipynb")) else None
            except (OSError, ValueError, SyntaxError, RecursionError):
                indexes[path] = None  # the run-time report stands without lines
        return indexes[path]

    def place(model, layer: dict):
        owner = layer.get("owner") or next((other.get("owner") for other in model.layers
                                            if other["name"] == layer["name"] and other.get("owner")), None)
        if owner and owner.get("file") and "." not in owner["class"]:
            same = Path(owner["file"]).resolve() == Path(report.path).resolve()
            index = index_of(report.path if same else owner["file"])
            if index is not None:
                return index, owner["class"], owner["path"]
        return index_of(report.path), model.name, layer["name"]

    for model in report.models:
        for flag in model.flags:
            layer = model.layers[flag.at]
            index, owner, path = place(model, layer)
            if index is not None:
                flag.where = index.constructor(owner, path, layer["kind"])
            if flag.cause is not None:
                cause = model.layers[flag.cause]
                index, owner, path = place(model, cause)
                if index is not None:
                    flag.cause_where = index.constructor(owner, path, cause["kind"])
                    flag.init = index.weight_init(owner, path, cause["kind"])


class SourceIndex:
    def __init__(self, path: Path) -> None:
        self.path = str(path)
        data = path.read_bytes()
        self.notebook = None
        if path.suffix == ".ipynb":  # the code cells as one module, as `check` reads them; lines map back to cells
            from init_lint.notebooks.document import read_notebook
            from init_lint.notebooks.module import build_module

            self.notebook = build_module(read_notebook(data))
            data = self.notebook.source.encode("utf-8")
        settings = Settings()
        parsed = parse(data, self.path, settings)
        if parsed.module is None:
            raise ValueError("the file does not parse")
        self.text = parsed.text
        self.analysis = analyze(parsed.module, {}, parsed.text)
        self.findings = [f for f in check_source(data, self.path, Settings(strict=True)) if f.code == "INI001"]
        self.tree = ast.parse(self.text)
        self._lines: dict[int, int] = {}

    # ------------------------------------------------------------ constructors

    def constructor(self, class_name: str, layer_path: str, kind: Optional[str] = None) -> Optional[str]:
        line = self.constructor_line(class_name, layer_path, kind)
        return self.where(line) if line else None

    def where(self, line: int) -> str:
        """`file:line`, or `notebook.ipynb:cell N:line` for a notebook (as `check` prints it)."""
        place = self.notebook.locate(line) if self.notebook is not None else None
        return f"{self.path}:cell {place[0]}:{place[1]}" if place else f"{self.path}:{line}"

    def constructor_line(self, class_name: str, layer_path: str, kind: Optional[str] = None) -> Optional[int]:
        node, _ = self.constructor_node(class_name, layer_path, kind)
        if node is not None:
            return self._line(node)
        parts = layer_path.split(".") if layer_path else []
        return self._assignment_line(class_name, parts[0]) if parts else None

    def constructor_node(self, class_name: str, layer_path: str, kind: Optional[str] = None):
        """(the constructor call, whether it is the layer's own); a path the attribute map cannot follow
        (layers built by a helper and unpacked into a Sequential) falls back to the one constructor of
        that layer type the class builds, when there is one."""
        parts = layer_path.split(".") if layer_path else []
        node, whole = self._resolve(class_name, parts, set())
        if whole or kind is None:
            return node, whole
        calls = {id(site.call): site.call for site in self.analysis.facts.sites
                 if site.owner == class_name and site.spec.name == kind}
        if len(calls) == 1:
            return next(iter(calls.values())), True
        return node, False

    def _resolve(self, class_name: str, parts: list, visiting: set):
        """(the deepest constructor call found on the way, whether the whole path resolved)."""
        if class_name in visiting or not parts:
            return None, False
        attrs = self.analysis.facts.attrs.get(class_name, {})
        return self._walk(attrs.get(parts[0]), parts[1:], visiting | {class_name})

    def _walk(self, value, parts: list, visiting: set):
        if isinstance(value, ChoiceValue) and value.options:
            value = value.options[0]
        if isinstance(value, LayerValue) and value.sites:
            return value.sites[0].call, not parts
        if isinstance(value, ModuleInstance):
            if parts and value.build.child is not None:
                node, whole = self._resolve(value.build.child, parts, visiting)
                if node is not None:
                    return node, whole
            return value.build.call, not parts
        if isinstance(value, ContainerValue) and parts:
            key = parts[0]
            item = None
            if value.repeated:
                item = value.items[0] if value.items else None
            elif key in value.keys:
                item = value.keys[key]
            elif key.isdigit() and int(key) < len(value.items):
                item = value.items[int(key)]
            return self._walk(item, parts[1:], visiting)
        return None, False

    def _line(self, node) -> Optional[int]:
        if id(node) not in self._lines:
            where = locate(self.analysis.module, self.text, [node]).get(id(node))
            self._lines[id(node)] = where.start.line if where else None
        return self._lines[id(node)]

    def _class(self, class_name: str) -> Optional[ast.ClassDef]:
        return next((n for n in self.tree.body if isinstance(n, ast.ClassDef) and n.name == class_name), None)

    def _assignment_line(self, class_name: str, attribute: str) -> Optional[int]:
        for cls in self._with_bases(class_name):
            for node in ast.walk(cls):
                if isinstance(node, ast.Assign):
                    targets = node.targets
                else:
                    targets = [node.target] if isinstance(node, ast.AnnAssign) else []
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == attribute and _is_self(target.value):
                        return node.lineno
        return None

    def _with_bases(self, class_name: str) -> list:
        """The class and its base classes defined in the file, nearest first."""
        found, pending = [], [class_name]
        while pending:
            cls = self._class(pending.pop(0))
            if cls is None or cls in found:
                continue
            found.append(cls)
            pending += [b.id for b in cls.bases if isinstance(b, ast.Name)]
        return found

    # ------------------------------------------------------------ inits

    def weight_init(self, class_name: str, layer_path: str, kind: Optional[str] = None) -> Optional[str]:
        node, whole = self.constructor_node(class_name, layer_path, kind)
        line = self._line(node) if node is not None else None
        # an init call of the class that names this layer's weight runs after its constructor: it wins
        explicit = self._explicit_inits(class_name, layer_path)
        dispatched = self._dispatches(node) if whole and node is not None else []
        said = [f"{how} at {self.where(at)}" for at, how in sorted(explicit + dispatched)]
        if said:
            return "; ".join(said[-3:])
        level = self._default_level(class_name, node) if whole and line is not None else Tri.YES
        if level < Tri.YES:
            cited = next((f for f in self.findings if f.line <= line <= f.end_line), None)
            where = f"INI001 at {self.where(cited.line)}" if cited else f"the analysis's verdict on {self.where(line)}"
            if level == Tri.NO:
                return f"PyTorch's default init ({where})"
            return f"PyTorch's default init, unless code the analysis cannot see replaces it ({where}, strict mode)"
        if whole and line is not None:
            return "no init call the analysis can see for it"
        return None

    def _default_level(self, class_name: str, call_node) -> Tri:
        """INI001's judgement of the weight this call builds, as this class builds it: NO when it keeps
        PyTorch's default, MAYBE when code out of sight may initialize it, YES when it is initialized."""
        sites = [s for s in self.analysis.facts.sites if s.call is call_node]
        own = [s for s in sites if s.owner == class_name] or sites
        return min((self.analysis.tree.verdict(site, "weight").level for site in own), default=Tri.YES)

    def _explicit_inits(self, class_name: str, layer_path: str) -> list:
        """(line, text) of init calls in the class (and its bases in the file) that write `<path>.weight`."""
        found = []
        for cls in self._with_bases(class_name):
            loops = _loop_variables(cls)
            for node in ast.walk(cls):
                if not isinstance(node, ast.Call):
                    continue
                target = _init_target(node)
                if target is None:
                    continue
                pattern = _weight_path(target, loops)
                if pattern is not None and _matches(pattern, layer_path):
                    found.append((node.lineno, f"`{_short(ast.get_source_segment(self.text, node) or '')}`"))
        return found

    def _dispatches(self, call_node) -> list:
        found = []
        for event in self.analysis.facts.dispatches:
            for site in event.scope_sites:
                if site.call is call_node and event.coverage.get(site.spec.name, {}).get("weight", Tri.NO) > Tri.NO:
                    line = self._line(event.node)
                    if line is not None:
                        found.append((line, "a dispatch (apply / modules() loop)"))
                    break
        return found


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _init_target(call: ast.Call) -> Optional[ast.AST]:
    """The tensor an init call writes: the first argument of `nn.init.*`, the receiver of `w.normal_()`."""
    func = call.func
    dotted = _dotted(func)
    if dotted is not None and init_function_name(None, dotted) is not None and "." in dotted and call.args:
        head = dotted.rsplit(".", 1)[0]
        if head.endswith("init") or head.startswith(("nn.", "torch.")):
            return call.args[0]
    if isinstance(func, ast.Attribute) and func.attr in OVERWRITING_METHODS:
        return func.value
    return None


def _dotted(node: ast.AST) -> Optional[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *parts])
    return None


def _loop_variables(cls: ast.ClassDef) -> dict:
    """Loop variable -> the attribute path it runs over (`for layer in self.layers` -> "layers.*")."""
    loops = {}
    for node in ast.walk(cls):
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
            source = node.iter
            if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr in (
                    "modules", "children", "values"):
                source = source.func.value
                path = _self_path(source)
                if path is not None:
                    loops[node.target.id] = path + ".*" if path else "*"
                continue
            path = _self_path(source)
            if path:
                loops[node.target.id] = path + ".*"
    return loops


def _self_path(node: ast.AST) -> Optional[str]:
    """`self.a.b[3]` -> "a.b.3"; `self` -> ""; anything else -> None."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.insert(0, node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            parts.insert(0, str(node.slice.value))
            node = node.value
        else:
            break
    return ".".join(parts) if _is_self(node) else None


def _weight_path(target: ast.AST, loops: dict) -> Optional[str]:
    """The layer path whose weight `target` is (`self.fc.weight.data` -> "fc"), with `*` for loop variables."""
    if isinstance(target, ast.Attribute) and target.attr == "data":
        target = target.value
    if not (isinstance(target, ast.Attribute) and target.attr == "weight"):
        return None
    owner = target.value
    path = _self_path(owner)
    if path:
        return path
    if isinstance(owner, ast.Name) and owner.id in loops:
        return loops[owner.id]
    return None


def _matches(pattern: str, layer_path: str) -> bool:
    """`layers.*` matches `layers.3` (and deeper paths: modules() reaches them); `*` matches any layer."""
    regex = "^" + re.escape(pattern).replace(r"\*", ".+") + "$"
    return re.match(regex, layer_path) is not None


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."

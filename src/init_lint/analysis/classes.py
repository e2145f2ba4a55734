"""The classes of a file: which are `nn.Module`s, their bases and methods.

A class is a module when one of its bases is `nn.Module`, a torch layer, a known framework
base (`pl.LightningModule`, `PreTrainedModel`), or another module class of the file.  A class
whose bases come from elsewhere (a project's own `BaseModel`) may be a module: the analysis
looks at it, but anything those bases might do is out of sight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

import libcst as cst

from init_lint.analysis.frameworks import TORCH_CONTAINER_BASES, TORCH_MODULE_BASES, Framework, framework_of_base
from init_lint.analysis.names import LOCAL, ImportTable
from init_lint.analysis.values import Tri
from init_lint.analysis.walk import children
from init_lint.catalogue import lookup_torch_class


@dataclass(eq=False)
class ClassInfo:
    """One class of the file: its bases, methods, and what kind of module it is."""

    name: str
    node: cst.ClassDef
    #: bases as qualified names (`<local>.Base` for classes of the file), None where not a dotted name
    bases: list[Optional[str]]
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)
    is_module: Tri = Tri.NO
    #: bases that are neither torch, nor a known framework, nor a class of the file
    external_bases: list[str] = field(default_factory=list)
    framework: Optional[Framework] = None
    #: extends a torch layer class (`class MyLinear(nn.Linear)`): its own parameters are the layer's
    layer_base: Optional[str] = None
    #: extends nn.Sequential / ModuleList / ModuleDict (itself or through a base of the file)
    container_base: bool = False

    def local_bases(self) -> Iterator[str]:
        """The names of its bases that are classes of this file."""
        for base in self.bases:
            if base is not None and base.startswith(LOCAL + "."):
                yield base[len(LOCAL) + 1:]


class ClassTable:
    """Every class of a file, by name (the last definition of a name wins, as at run time)."""

    def __init__(self, classes: dict[str, ClassInfo]) -> None:
        self.classes = classes

    @classmethod
    def from_module(cls, module: cst.Module, imports: ImportTable) -> "ClassTable":
        """Every class of the file (nested in `if`/`try` and in classes too), classified."""
        classes: dict[str, ClassInfo] = {}
        for node in _class_defs(module):
            bases = [imports.qualify(arg.value) for arg in node.bases if arg.keyword is None]
            info = ClassInfo(node.name.value, node, bases)
            for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
                if isinstance(statement, cst.FunctionDef):
                    info.methods[statement.name.value] = statement
            classes[info.name] = info
        table = cls(classes)
        for info in classes.values():
            table._classify(info, set())
        return table

    def _classify(self, info: ClassInfo, seen: set) -> Tri:
        """Whether the class is a module (YES, MAYBE through bases from elsewhere, NO), and its kind."""
        if info.name in seen:
            return info.is_module
        seen.add(info.name)
        verdict = Tri.NO
        external: list[str] = []
        for base in info.bases:
            if base is None:
                external.append("<expression>")
                verdict = max(verdict, Tri.MAYBE)
                continue
            if base in TORCH_MODULE_BASES:
                verdict = Tri.YES
                continue
            if base in TORCH_CONTAINER_BASES:
                info.container_base = True
                verdict = Tri.YES
                continue
            torch_class = lookup_torch_class(base)
            if torch_class is not None:
                info.layer_base = torch_class
                verdict = Tri.YES
                continue
            framework = framework_of_base(base)
            if framework is not None:
                info.framework = framework
                verdict = Tri.YES
                continue
            if base.startswith(LOCAL + "."):
                parent = self.classes.get(base[len(LOCAL) + 1:])
                if parent is not None and parent is not info:
                    verdict = max(verdict, self._classify(parent, seen))
                    info.framework = info.framework or parent.framework
                    info.layer_base = info.layer_base or parent.layer_base
                    info.container_base = info.container_base or parent.container_base
                    continue
            if base in ("object", "typing.Generic", "abc.ABC", "enum.Enum") or base.startswith(("typing.", "enum.", "abc.")):
                continue
            external.append(base)
            verdict = max(verdict, Tri.MAYBE)
        info.external_bases = external
        info.is_module = verdict
        return verdict

    def get(self, name: str) -> Optional[ClassInfo]:
        """The class of that name, or None."""
        return self.classes.get(name)

    def mro(self, info: ClassInfo) -> list[ClassInfo]:
        """The class and its bases of this file, in Python's method resolution order (C3 simplified to depth-first)."""
        order: list[ClassInfo] = []
        stack = [info]
        while stack:
            current = stack.pop(0)
            if current in order:
                continue
            order.append(current)
            stack[:0] = [self.classes[b] for b in current.local_bases() if b in self.classes and self.classes[b] is not current]
        return order

    def find_method(self, info: ClassInfo, name: str, after: Optional[ClassInfo] = None) -> Optional[tuple[ClassInfo, cst.FunctionDef]]:
        """The method `name` as `self.name` (or `super().name` when `after` is given) finds it."""
        order = self.mro(info)
        if after is not None:
            order = order[order.index(after) + 1:] if after in order else []
        for owner in order:
            if name in owner.methods:
                return owner, owner.methods[name]
        return None

    def has_external_bases(self, info: ClassInfo) -> bool:
        """Whether the class or a base of the file has a base from elsewhere (whose code is out of sight)."""
        return any(c.external_bases for c in self.mro(info))

    def framework(self, info: ClassInfo) -> Optional[Framework]:
        """The framework (frameworks.py) the class's bases belong to, if any."""
        for c in self.mro(info):
            if c.framework is not None:
                return c.framework
        return None

    def modules(self) -> Iterator[ClassInfo]:
        """The module classes the analysis runs (subclasses of torch layers are layers, not models)."""
        for info in self.classes.values():
            if info.is_module != Tri.NO and info.layer_base is None:
                yield info


def _class_defs(module: cst.Module) -> Iterator[cst.ClassDef]:
    """Classes at module level, inside `if`/`try` blocks, and nested in classes (not in functions)."""
    stack: list[cst.CSTNode] = list(module.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, cst.ClassDef):
            yield node
            if isinstance(node.body, cst.IndentedBlock):
                stack.extend(s for s in node.body.body if isinstance(s, cst.ClassDef))
        elif isinstance(node, (cst.If, cst.Try)):
            for child in children(node):
                if isinstance(child, cst.IndentedBlock):
                    stack.extend(child.body)
                elif isinstance(child, (cst.Else, cst.If)):
                    stack.append(child)
        elif isinstance(node, cst.Else) and isinstance(node.body, cst.IndentedBlock):
            stack.extend(node.body.body)

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

from init_lint.analysis.frameworks import Framework, framework_of_base
from init_lint.analysis.names import LOCAL, ImportTable
from init_lint.analysis.values import Tri
from init_lint.analysis.walk import children
from init_lint.catalogue import TORCH_CONTAINER_BASES, TORCH_MODULE_BASES, lookup_torch_class


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
        #: classes whose classification is final (it met no loop of bases)
        self._final: set = set()
        self._mro: dict = {}

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

    def _classify(self, root: ClassInfo, seen: set) -> Tri:
        """Whether the class is a module (YES, MAYBE through bases from elsewhere, NO), and its kind.

        A class inherits its kind from its bases of the file, classified first.  The walk up the
        bases keeps its own stack (a chain of 1,000 classes is valid Python), and a class whose
        classification met no loop of bases is final: later walks reuse it.
        """
        # Each entry: [class, index of the next base, verdict so far, external bases, met a loop].
        stack: list = []

        def enter(info: ClassInfo) -> None:
            seen.add(info.name)
            stack.append([info, 0, Tri.NO, [], False])

        enter(root)
        returned: Optional[tuple[Tri, bool]] = None
        while stack:
            entry = stack[-1]
            info = entry[0]
            if returned is not None:
                # A local base has just been classified: fold it in, as for any other base.
                parent_verdict, parent_loop = returned
                returned = None
                parent = self.classes[info.bases[entry[1]][len(LOCAL) + 1:]]
                entry[2] = max(entry[2], parent_verdict)
                entry[4] = entry[4] or parent_loop
                info.framework = info.framework or parent.framework
                info.layer_base = info.layer_base or parent.layer_base
                info.container_base = info.container_base or parent.container_base
                entry[1] += 1
            if entry[1] < len(info.bases):
                base = info.bases[entry[1]]
                parent = self._local_parent(info, base)
                if parent is None:
                    entry[2] = self._classify_base(info, base, entry[2], entry[3])
                    entry[1] += 1
                elif parent.name in self._final:
                    returned = (parent.is_module, False)
                elif parent.name in seen:
                    returned = (parent.is_module, True)
                else:
                    enter(parent)
                continue
            stack.pop()
            info.external_bases = entry[3]
            info.is_module = entry[2]
            if not entry[4]:
                self._final.add(info.name)
            returned = (entry[2], entry[4])
        return root.is_module

    def _local_parent(self, info: ClassInfo, base: Optional[str]) -> Optional[ClassInfo]:
        """The class of the file a base names, unless the base is torch's, a framework's or the class itself."""
        if base is None or not base.startswith(LOCAL + ".") or base in TORCH_MODULE_BASES \
                or base in TORCH_CONTAINER_BASES or lookup_torch_class(base) is not None \
                or framework_of_base(base) is not None:
            return None
        parent = self.classes.get(base[len(LOCAL) + 1:])
        return parent if parent is not None and parent is not info else None

    def _classify_base(self, info: ClassInfo, base: Optional[str], verdict: Tri, external: list) -> Tri:
        """Fold one base that is not a class of the file into the verdict."""
        if base is None:
            external.append("<expression>")
            return max(verdict, Tri.MAYBE)
        if base in TORCH_MODULE_BASES:
            return Tri.YES
        if base in TORCH_CONTAINER_BASES:
            info.container_base = True
            return Tri.YES
        torch_class = lookup_torch_class(base)
        if torch_class is not None:
            info.layer_base = torch_class
            return Tri.YES
        framework = framework_of_base(base)
        if framework is not None:
            info.framework = framework
            return Tri.YES
        if base in ("object", "typing.Generic", "abc.ABC", "enum.Enum") or base.startswith(("typing.", "enum.", "abc.")):
            return verdict
        external.append(base)
        return max(verdict, Tri.MAYBE)

    def get(self, name: str) -> Optional[ClassInfo]:
        """The class of that name, or None."""
        return self.classes.get(name)

    def mro(self, info: ClassInfo) -> list[ClassInfo]:
        """The class and its bases of this file, in Python's method resolution order (C3 simplified to depth-first)."""
        order = self._mro.get(id(info))
        if order is not None:
            return order
        order = []
        placed: set = set()
        stack = [info]
        while stack:
            current = stack.pop()
            if id(current) in placed:
                continue
            placed.add(id(current))
            order.append(current)
            stack.extend(reversed([self.classes[b] for b in current.local_bases()
                                   if b in self.classes and self.classes[b] is not current]))
        self._mro[id(info)] = order
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

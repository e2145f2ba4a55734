"""Which classes of the file are handed on, and to whom: what project mode links to other files' builds.

`build_model_with_cfg(ResNet, block=Bottle2neck)` hands the file's `Bottle2neck` to another file's
`ResNet`, whose builds through variables (`block_fn(...)`) may build it; naming `Mlp(...)` hands the
file's classes to nothing.  `DyConv(lambda i, o, s: ConvNorm(i, o, s))` passes `ConvNorm` around with
the lambda.  Part of the `Interpreter` (see interpreter.py), through `CallEvaluator`.
"""

from __future__ import annotations

import libcst as cst

from init_lint.analysis.names import LOCAL
from init_lint.analysis.walk import children
from init_lint.analysis.values import ChoiceValue, ContainerValue, External, FunctionValue, OtherClass, Starred


class HandoffRecorder:
    """Records `facts.class_handoffs` and lambda-passed `facts.class_refs`; needs `entry`, `facts`, `classes`."""

    def _entry_refs(self, mine: bool) -> set:
        """The classes of the file (`mine`) or of other files that module-level code or a function of the
        module names as values: `def resnet50(): return build_model_with_cfg(ResNet, block=Bottle2neck)`
        hands them on together even through a `dict(...)` the analysis does not follow."""
        if not self.entry.startswith("<"):
            return set()  # a class's method: its own builds
        refs = self.__dict__.setdefault("_refs_by_entry", {}).setdefault(self.entry, (set(), set()))
        return refs[0 if mine else 1]

    def _pair_entry_refs(self) -> None:
        """After the run: classes named in one module-level entry are handed on together."""
        for mine, theirs in getattr(self, "_refs_by_entry", {}).values():
            for name in mine:
                if theirs:
                    self.facts.class_handoffs.setdefault(name, set()).update(theirs)

    def _note_handoffs(self, callee: object, args: list, kwargs: dict) -> None:
        """`build_model_with_cfg(ResNet, block=Bottle2neck)`, `ResNet(block=Bottle2neck)`: classes of the
        file handed in one call with, or to, classes of other files (`facts.class_handoffs`)."""
        for value in list(args) + list(kwargs.values()):
            if isinstance(value, FunctionValue) and isinstance(value.node, cst.Lambda):
                # `DyConv(lambda i, o, s: Conv3x3Norm(i, o, s), ...)`: the class the lambda builds is passed
                # around with it, so the receiver's builds through variables may build it.
                for call in _calls_of(value.node.body):
                    if isinstance(call.func, cst.Name) and call.func.value in self.classes.classes:
                        self.facts.class_refs.add(call.func.value)
        mine: set = set()
        theirs: set = set()
        if isinstance(callee, External):
            _classes_in(callee, mine, theirs, 0)
        for value in list(args) + list(kwargs.values()):
            _classes_in(value, mine, theirs, 0)
        if mine and theirs:
            for name in mine:
                self.facts.class_handoffs.setdefault(name, set()).update(theirs)


def _classes_in(value: object, mine: set, theirs: set, depth: int) -> None:
    """The classes of the file (`mine`) and of other files (`theirs`, qualified) a value holds."""
    if depth > 3:
        return
    if isinstance(value, OtherClass) and value.name.startswith(LOCAL + "."):
        mine.add(value.name[len(LOCAL) + 1:])
    elif isinstance(value, External) and value.qualified.rsplit(".", 1)[-1][:1].isupper() \
            and not value.qualified.startswith("torch."):
        theirs.add(value.qualified)
    elif isinstance(value, Starred):
        _classes_in(value.of, mine, theirs, depth + 1)
    elif isinstance(value, ContainerValue):
        for item in list(value.items) + list(value.keys.values()):
            _classes_in(item, mine, theirs, depth + 1)
    elif isinstance(value, ChoiceValue):
        for option in value.options:
            _classes_in(option, mine, theirs, depth + 1)


def _calls_of(node: cst.CSTNode) -> list:
    """The calls in an expression."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            found.append(current)
        stack.extend(children(current))  # code only: no call is punctuation or whitespace
    return found

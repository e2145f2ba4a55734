"""The state of one running function: its local names, the module being built, where it stands.

An `Instance` is the module under construction, shared by every method the walk enters for it;
a `Frame` is one call of one function (or the body of a comprehension) in that walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from init_lint.analysis.classes import ClassInfo
from init_lint.analysis.values import Tri
from init_lint.catalogue import LayerSpec

#: how deep calls of the file's functions are followed (deeper calls give UNKNOWN)
MAX_DEPTH = 12
#: how many calls of the file's functions one entry (a method, module-level code) and one file may
#: run inline.  Real code stays far below (timm and torchvision: at most 313 an entry, 743 a file);
#: a web of helpers that call each other would otherwise take time exponential in MAX_DEPTH.
ENTRY_CALL_BUDGET = 5_000
FILE_CALL_BUDGET = 50_000


class Budget:
    """The work left for the current entry and for the whole file, counted in inlined calls."""

    def __init__(self, entry: int = ENTRY_CALL_BUDGET, file: int = FILE_CALL_BUDGET) -> None:
        self.per_entry = entry
        self.entry_left = entry
        self.file_left = file

    def new_entry(self) -> None:
        self.entry_left = self.per_entry

    def spend(self) -> bool:
        """Count one call; True when the budget is spent (the call must not run)."""
        if self.entry_left <= 0 or self.file_left <= 0:
            return True
        self.entry_left -= 1
        self.file_left -= 1
        return False


@dataclass(eq=False)
class Instance:
    """The module being built: its attributes and everything constructed for it so far."""

    owner: Optional[ClassInfo]
    attrs: dict = field(default_factory=dict)
    sites: list = field(default_factory=list)
    builds: list = field(default_factory=list)


@dataclass(eq=False)
class Frame:
    """One activation of a function of the file, as the walk runs it."""

    env: dict
    instance: Instance
    #: the class whose method runs (for `super()`), None in module-level functions
    method_owner: Optional[ClassInfo]
    self_name: Optional[str]
    depth: int
    #: the statement of the body being walked: a fix for a layer built here goes after it
    statement: Optional[cst.SimpleStatementLine] = None
    returns: list = field(default_factory=list)
    #: MAYBE inside a branch whose condition is not known: events recorded there are not sure to happen
    level: Tri = Tri.YES
    #: MAYBE after a statement that may have returned: writes from here on are not sure to happen
    reach: Tri = Tri.YES
    #: the layer type a dispatch body is being read for
    dispatch_spec: Optional[LayerSpec] = None
    in_loop: bool = False
    in_comprehension: bool = False

    def nested(self, dispatch_spec: Optional[LayerSpec], level: Tri, in_comprehension: bool = False) -> "Frame":
        """A frame for a body that runs inside this one with its own names: a comprehension or a loop
        read as a dispatch.  It sees a copy of the names, shares the instance, and counts as a loop."""
        return Frame(dict(self.env), self.instance, self.method_owner, self.self_name, self.depth, self.statement,
                     level=level, dispatch_spec=dispatch_spec, in_loop=True, in_comprehension=in_comprehension)

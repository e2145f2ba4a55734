"""Static analysis of one file: imports, classes, layers, and what initializes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from init_lint.analysis.classes import ClassTable
from init_lint.analysis.facts import FileFacts
from init_lint.analysis.interpreter import Interpreter
from init_lint.analysis.names import ImportTable
from init_lint.analysis.tree import ModuleTree


@dataclass
class FileAnalysis:
    """One file analyzed: its tree, names, classes, the interpreter's facts, and the module tree."""

    module: cst.Module
    imports: ImportTable
    classes: ClassTable
    facts: FileFacts
    tree: ModuleTree


def analyze(module: cst.Module, extra_layers: Optional[dict] = None, text: Optional[str] = None) -> FileAnalysis:
    """`extra_layers` maps a project's own layer classes (qualified or bare class names) to the torch
    layer they behave like."""
    imports = ImportTable.from_module(module)
    classes = ClassTable.from_module(module, imports)
    facts = Interpreter(module, imports, classes, extra_layers or {}, text).run()
    return FileAnalysis(module, imports, classes, facts, ModuleTree(facts, classes))

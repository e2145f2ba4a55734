"""Static analysis of one file: imports, classes, layers, and what initializes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from init_lint.analysis.classes import ClassTable
from init_lint.analysis.facts import FileFacts
from init_lint.analysis.interpreter import Interpreter
from init_lint.analysis.names import ImportTable
from init_lint.analysis.scopes import FileScopes
from init_lint.analysis.tree import ModuleTree


@dataclass
class FileAnalysis:
    """One file analyzed: its tree, names, classes, the interpreter's facts, and the module tree."""

    module: cst.Module
    imports: ImportTable
    classes: ClassTable
    facts: FileFacts
    tree: ModuleTree
    #: Python's scopes of the file (scopes.py), once some question needed them
    _scopes: Optional[FileScopes] = field(default=None, repr=False)

    @property
    def scopes(self) -> FileScopes:
        """The scope model the analysis read module constants from; the fixer asks it too."""
        if self._scopes is None:
            self._scopes = FileScopes(self.module)
        return self._scopes


def analyze(module: cst.Module, extra_layers: Optional[dict] = None, text: Optional[str] = None) -> FileAnalysis:
    """`extra_layers` maps a project's own layer classes (qualified or bare class names) to the torch
    layer they behave like."""
    imports = ImportTable.from_module(module)
    classes = ClassTable.from_module(module, imports)
    interpreter = Interpreter(module, imports, classes, extra_layers or {}, text)
    facts = interpreter.run()
    return FileAnalysis(module, imports, classes, facts, ModuleTree(facts, classes),
                        interpreter.module_constants.built_scopes)

"""The Python that `init-lint verify` runs for a notebook: its code cells up to the model classes.

Verifying builds every `nn.Module` class the code defines, so the child runs the code cells in
order up to and including the last one that defines a class (or sets `INIT_LINT_ARGS`); what
follows (training loops, plots, `input()`) is never run.  A cell whose source contains the line
`# init-lint: skip-cell` is left out (downloads, I/O, anything slow before the classes).  IPython
syntax is masked as for checking: magics and shell lines do nothing here.  Cells keep their line
numbers inside the module, so a traceback's line can still be found in the notebook.
"""

from __future__ import annotations

import ast
import re

from init_lint.notebooks.document import read_notebook
from init_lint.notebooks.mask import mask_cell

SKIP_CELL = re.compile(r"^[ \t]*#[ \t]*init-lint:[ \t]*skip-cell[ \t]*$", re.MULTILINE)
ARGS_VARIABLE = "INIT_LINT_ARGS"


def runnable_source(data: bytes) -> str:
    """The module text to run; ValueError (with why) when the file is not a Python notebook."""
    notebook = read_notebook(data)  # NotebookError is a ValueError
    if not notebook.is_python:
        raise ValueError(f"a {notebook.language} notebook, not Python")
    cells = []
    last_needed = -1
    for cell in notebook.code_cells():
        if SKIP_CELL.search(cell.source):
            continue
        masked = mask_cell(cell.source, str(cell.index + 1))
        if not masked.python:
            continue
        cells.append((cell.index, masked.text))
        if _defines_classes(masked.text):
            last_needed = len(cells) - 1
    parts = []
    for index, text in cells[:last_needed + 1]:
        parts.append(f"# notebook cell {index + 1}\n{text}")
    return "".join(parts)


def _defines_classes(text: str) -> bool:
    """Whether the cell defines a class, or sets INIT_LINT_ARGS, at its top level."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True  # let the run report it rather than silently drop the cell
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            return True
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        if any(isinstance(t, ast.Name) and t.id == ARGS_VARIABLE for t in targets):
            return True
    return False

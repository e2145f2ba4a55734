"""A notebook's code cells as one Python module, and the way back from module lines to cells.

Cells run top to bottom in one namespace, so they are analyzed as one module: a class defined in
cell 3 and initialized in cell 5 is one program.  Each cell's masked text is preceded by a
boundary comment naming the cell; the fixer only ever inserts statements next to existing ones
(and imports after the module's leading imports), so an edit stays between the boundaries of
the cell it belongs to, and the fixed module splits back into cells at the same boundaries.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Optional

from init_lint.notebooks.document import Notebook
from init_lint.notebooks.mask import MaskedCell, mask_cell

_BOUNDARY = "# init-lint notebook cell {number}"
#: line 1 of every module: a coding cookie of a cell's own (`# -*- coding: latin-1 -*-`) must not count
PREAMBLE = "# -*- coding: utf-8 -*-\n"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_BOUNDARY_LINE = re.compile(r"^# init-lint notebook cell (\d+)\r?\n?$")


class SplitError(Exception):
    """The fixed module does not split back into the notebook's cells: nothing is written."""


@dataclass
class NotebookModule:
    source: str
    #: cell index (0-based, among all cells) of each code cell, in order
    cells: list = field(default_factory=list)
    masked: dict = field(default_factory=dict)
    #: the module line (1-based) of each code cell's first line, in the order of `cells`
    first_lines: list = field(default_factory=list)
    #: whether each code cell's source ended with a line end (nbformat's last line has none)
    ends_with_newline: dict = field(default_factory=dict)

    def locate(self, line: int) -> Optional[tuple]:
        """(cell number, 1-based, among all cells; line in that cell) of a module line."""
        if not self.cells:
            return None
        position = max(0, bisect.bisect_right(self.first_lines, line) - 1)
        return self.cells[position] + 1, max(1, line - self.first_lines[position] + 1)

    def module_line(self, cell_number: int, line: int) -> Optional[int]:
        """The module line of a line of a cell (the inverse of `locate`)."""
        try:
            position = self.cells.index(cell_number - 1)
        except ValueError:
            return None
        return self.first_lines[position] + line - 1

    def split(self, fixed: str) -> dict:
        """Cell index -> the cell's new source, for the cells the fix changed."""
        pieces: dict = {}
        current: Optional[int] = None
        order = []
        for line in _LINE.findall(fixed):
            boundary = _BOUNDARY_LINE.match(line)
            if boundary is not None:
                current = int(boundary.group(1)) - 1
                order.append(current)
                pieces[current] = []
            elif current is None:
                if line != PREAMBLE:
                    raise SplitError("the fix wrote code before the first cell")
            else:
                pieces[current].append(line)
        if order != self.cells:
            raise SplitError("the fix moved a cell boundary")
        changed = {}
        for index in self.cells:
            masked: MaskedCell = self.masked[index]
            text = "".join(pieces[index])
            if text == masked.text:
                continue
            if not masked.intact(text):
                raise SplitError(f"the fix changed IPython syntax of cell {index + 1}")
            source = _with_line_end(masked.unmask(text), masked.line_end)
            if not self.ends_with_newline[index] and source.endswith("\n"):
                source = source[:-2] if source.endswith("\r\n") else source[:-1]
            changed[index] = source
        return changed


def _with_line_end(text: str, line_end: str) -> str:
    """Inserted lines end as the cell's own lines do (the fixer writes the module's "\n")."""
    if line_end == "\n":
        return text
    return "".join(line[:-1] + line_end if line.endswith("\n") and not line.endswith("\r\n") else line
                   for line in _LINE.findall(text))


def build_module(notebook: Notebook) -> NotebookModule:
    """The code cells, masked and joined in order, each after its boundary line."""
    module = NotebookModule("")
    parts = [PREAMBLE]
    line = 2
    for cell in notebook.code_cells():
        masked = mask_cell(cell.source, str(cell.index + 1))
        module.cells.append(cell.index)
        module.masked[cell.index] = masked
        module.ends_with_newline[cell.index] = cell.source.endswith(("\n", "\r"))
        parts.append(_BOUNDARY.format(number=cell.index + 1) + "\n")
        module.first_lines.append(line + 1)
        parts.append(masked.text)
        line += 1 + len(_LINE.findall(masked.text))
    module.source = "".join(parts)
    return module


def cell_lines(source: str) -> NotebookModule:
    """The line map of a module text made by `build_module` (and maybe fixed since): enough to `locate`."""
    module = NotebookModule(source)
    for number, line in enumerate(_LINE.findall(source), start=1):
        boundary = _BOUNDARY_LINE.match(line)
        if boundary is not None:
            module.cells.append(int(boundary.group(1)) - 1)
            module.first_lines.append(number + 1)
    return module


def has_boundary_lookalike(notebook: Notebook) -> bool:
    """A cell that itself contains a boundary line: splitting its fix back would be ambiguous."""
    return any(_BOUNDARY_LINE.match(line) for cell in notebook.code_cells() for line in _LINE.findall(cell.source))

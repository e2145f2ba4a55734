"""Check and fix one notebook file: what `init_lint.engine.process` does for a `.ipynb` path.

Findings come back with `cell` set and their lines counted in that cell.  A fix rewrites only
the `source` of the cells it changed (see `document`), and is refused, with nothing written,
unless the rewritten file decodes to the same notebook apart from those sources.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import json
import re
from typing import Optional

from init_lint.checker import check_source_with_analysis, unparsable
from init_lint.config import Settings
from init_lint.diagnostics import Finding
from init_lint.fixes.apply import FixError
from init_lint.notebooks.document import Notebook, NotebookError, read_notebook
from init_lint.notebooks.module import NotebookModule, SplitError, build_module, cell_lines, has_boundary_lookalike


#: the parser's own "error at 6:4: " counts lines of the joined module, not of the cell: dropped
_MODULE_POSITION = re.compile(r"error at \d+:\d+: ")


@dataclasses.dataclass
class NotebookFix:
    data: bytes
    #: cell index -> (source before, source after), for the cells the fix changed
    changed: dict
    fixed: list
    remaining: list
    refused: list


class NotebookFixError(FixError):
    """The fix cannot be written back into the notebook: nothing is written."""


def check_notebook(data: bytes, path: str, settings: Settings) -> tuple[list[Finding], Optional[object]]:
    """(findings with their cells, the analysis of the cells' module or None)."""
    try:
        notebook = read_notebook(data)
    except NotebookError as error:
        return [unparsable(path, str(error))], None
    if not notebook.is_python:
        return [], None  # an R or Julia notebook: not ours to read
    module = build_module(notebook)
    findings, analysis = check_source_with_analysis(module.source.encode("utf-8"), path, settings)
    return [in_cells(f, module) for f in findings], analysis


def in_cells(finding: Finding, module: NotebookModule) -> Finding:
    """The finding with its lines counted in its cell."""
    where = module.locate(finding.line)
    if where is None:  # a notebook without code cells: only a file-level INI900 can come here
        return finding
    cell, line = where
    end = module.locate(finding.end_line)
    end_line = end[1] if end is not None and end[0] == cell else line
    message = _MODULE_POSITION.sub("", finding.message) if finding.code == "INI900" else finding.message
    return dataclasses.replace(finding, cell=cell, line=line, end_line=end_line, message=message)


def fix_notebook(data: bytes, path: str, settings: Settings, *, unsafe: bool = False, style: Optional[str] = None,
                 keep: Optional[frozenset] = None) -> NotebookFix:
    """The notebook's bytes with the safe (and, if asked, unsafe) fixes applied to the cells they concern."""
    from init_lint.fixes.apply import fix_source

    try:
        notebook = read_notebook(data)
    except NotebookError as error:
        raise NotebookFixError(f"{path}: {error}") from None
    if not notebook.is_python:
        return NotebookFix(data, {}, [], [], [])
    module = build_module(notebook)
    if has_boundary_lookalike(notebook):
        raise NotebookFixError(f"{path}: a cell contains init-lint's own cell boundary line; not fixed")
    broken = _first_broken_cell(module)
    if broken is not None:
        # A cell Python cannot parse on its own (an unclosed string) could swallow the cells after it
        # in the joined module, and a fix there could land in the wrong cell: nothing is fixed.
        raise NotebookFixError(f"{path}: cell {broken} is not valid Python on its own; not fixed")
    result = fix_source(module.source.encode("utf-8"), path, settings, unsafe=unsafe, style=style,
                        keep=_module_positions(keep, module))
    if not result.fixed:
        return NotebookFix(data, {}, [], [in_cells(f, module) for f in result.remaining],
                           [(in_cells(f, module), why) for f, why in result.refused])
    fixed_text = result.source.decode("utf-8")
    try:
        sources = module.split(fixed_text)
    except SplitError as error:
        raise NotebookFixError(f"{path}: {error}; nothing was changed") from None
    new = notebook.with_sources(sources)
    _check_only_sources_changed(notebook, new, sources, path)
    after = cell_lines(fixed_text)
    changed = {index: (notebook.cells[index].source, source) for index, source in sources.items()}
    return NotebookFix(new, changed, [in_cells(f, module) for f in result.fixed],
                       [in_cells(f, after) for f in result.remaining],
                       [(in_cells(f, module), why) for f, why in result.refused])


def _first_broken_cell(module: NotebookModule) -> Optional[int]:
    for index in module.cells:
        masked = module.masked[index]
        if not masked.python:
            continue
        try:
            ast.parse(masked.text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return index + 1
    return None


def _module_positions(keep: Optional[frozenset], module: NotebookModule) -> Optional[frozenset]:
    """Project mode names the findings to fix by (line in cell, column, code): the same in module lines.

    The cell is not part of the key, so a position kept in one cell is kept in every code cell
    that has a finding of that code there; only such a coincidence can add a fix, never lose one.
    """
    if keep is None:
        return None
    positions = set()
    for line, column, code in keep:
        for position, first in enumerate(module.first_lines):
            last = module.first_lines[position + 1] - 2 if position + 1 < len(module.first_lines) else None
            candidate = first + line - 1
            if last is None or candidate <= last:
                positions.add((candidate, column, code))
    return frozenset(positions)


def _check_only_sources_changed(before: Notebook, after: bytes, sources: dict, path: str) -> None:
    """The written notebook must be the read one with only those sources replaced, decoded and compared."""
    old = json.loads(before.text)
    new = json.loads(after.decode("utf-8-sig"))
    for index, source in sources.items():
        cell = old["cells"][index]
        if not isinstance(cell.get("source"), (str, list)):
            raise NotebookFixError(f"{path}: cell {index + 1} has no source to fix; nothing was changed")
        old["cells"][index] = dict(cell, source=source if isinstance(cell["source"], str) else _lines(source))
    read_notebook(after)  # still a notebook init-lint reads
    if old != new:
        raise NotebookFixError(f"{path}: writing the fix back would change more than the fixed cells; "
                               f"nothing was changed (please report it)")


def _lines(source: str) -> list:
    return source.splitlines(keepends=True)


def cell_diff(path: str, changed: dict) -> str:
    """A unified diff per changed cell, each headed by the cell it concerns."""
    out = []
    for index in sorted(changed):
        before, after = changed[index]
        name = f"{path}:cell {index + 1}"
        old = (before if before.endswith("\n") or not before else before + "\n").splitlines(keepends=True)
        new = (after if after.endswith("\n") or not after else after + "\n").splitlines(keepends=True)
        out.append("".join(difflib.unified_diff(old, new, fromfile=name, tofile=name)))
    return "".join(out)


def process_notebook(path: str, data: bytes, settings: Settings, mode, cache=None):
    """init_lint.engine.process for checking a notebook: a FileOutcome.  (A fix goes through the
    checker's one fix path, `checker.fix_and_recheck`, as a .py file's does.)"""
    from init_lint.engine import FileOutcome

    key = cache.key(path, data) if cache is not None else None
    if key is not None:
        cached = cache.get(key, path)
        if cached is not None and (cached[1] is not None or not mode.exports):
            return FileOutcome(path, cached[0], exports=cached[1])
    found, analysis = check_notebook(data, path, settings)
    findings = [_plain(f) for f in found]
    exports = None
    if mode.exports and analysis is not None:
        from init_lint.project import file_exports

        exports = file_exports(analysis)
    if key is not None:
        cache.put(key, findings, exports)
    return FileOutcome(path, findings, exports=exports)


def _plain(finding: Finding) -> Finding:
    return dataclasses.replace(finding, plan=None)

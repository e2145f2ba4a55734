"""Line and column of the few nodes a check reports, without position metadata for the whole file.

libcst's PositionProvider generates code for every node of a module, which costs more than
parsing it.  Findings are few, so: Python's own parser gives the first line of each top-level
statement (cheaply), and positions are computed only inside the top-level statements that hold a
reported node, by generating the code of that statement alone.
"""

from __future__ import annotations

import ast
from typing import Iterable, Optional

import libcst as cst

from init_lint.analysis.walk import walk as _walk
from libcst.metadata import CodeRange, CodePosition, MetadataWrapper, PositionProvider


def locate(module: cst.Module, text: str, nodes: Iterable[cst.CSTNode]) -> dict[int, CodeRange]:
    """CodeRange (1-based lines, 0-based columns, as PositionProvider gives them) by node id."""
    wanted = {id(node): node for node in nodes}
    starts = _statement_lines(module, text)
    if starts is None:
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        return {key: positions[node] for key, node in wanted.items() if node in positions}
    found: dict[int, CodeRange] = {}
    for statement, first_line in zip(module.body, starts):
        if not wanted:
            break
        inside = [node for node in _walk(statement) if id(node) in wanted]
        if not inside:
            continue
        alone = cst.Module(body=[statement], header=[], footer=[], encoding=module.encoding,
                           default_indent=module.default_indent, default_newline=module.default_newline)
        positions = _positions(alone)
        shift = first_line - positions[statement].start.line
        for node in inside:
            where = positions[node]
            found[id(node)] = CodeRange(CodePosition(where.start.line + shift, where.start.column),
                                        CodePosition(where.end.line + shift, where.end.column))
            del wanted[id(node)]
    return found


def _positions(module: cst.Module) -> dict:
    """PositionProvider's code generation alone: MetadataWrapper would also walk the whole tree
    with a visitor first, which costs as much again and gives nothing here."""
    provider = PositionProvider()
    try:
        provider._gen_impl(module)
        return provider._computed
    except AttributeError:  # a libcst without these internals: the public way
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def _statement_lines(module: cst.Module, text: str) -> Optional[list[int]]:
    """The line on which each top-level libcst statement starts (its keyword, not its decorators)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines: list[int] = []
    index = 0
    body = tree.body
    for statement in module.body:
        count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        if index + count > len(body):
            return None
        lines.append(body[index].lineno)
        index += count
    return lines if index == len(body) else None



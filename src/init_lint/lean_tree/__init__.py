"""A libcst-shaped tree of a file's code built from Python's own parser: the check's fast parse.

The analysis reads libcst's node classes and fields.  libcst's parser also builds every space,
comma and parenthesis of the file as nodes, which costs about seven times Python's `ast.parse`
(9.5 CPU s against 1.3 on timm), more than the analysis itself.  A check only reads the code: this
package builds the same classes, with the same code-bearing fields, from the `ast` tree, and leaves
the trivia out (a node is made with `object.__new__`; its whitespace fields are never set).

Only a check reads such a tree.  Fixes, `explain` and the language server parse with libcst,
because they generate code.  What a check needs from the trivia comes from the text instead:
`LeanModule.code_for_node` slices the node's code out of the source (its own parentheses
included, as libcst's code generation gives them), the positions of reported nodes are `ast`'s
own, and the comments on a statement's lines are read from its lines.

The package: `builder.py` makes one node for each `ast` node (`fstrings.py` the f-strings,
`nodes.py` the making itself), `source.py` reads the text (slices, parentheses, string literals),
and this module holds the tree's module node, which answers code, positions and comments.

Syntax this package does not build (`match`, type parameters, anything newer) raises `NotLean`:
the caller parses that file with libcst.  `tests/test_lean_tree.py` proves, on every file of the
tests and the corpus it is given, that the tree equals libcst's in every field the analysis reads.
"""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst
from libcst.metadata import CodePosition, CodeRange

from init_lint.lean_tree.builder import Builder, ends_in_indented_block
from init_lint.lean_tree.source import (NO_COMMENT, OTHER_BREAKS, EmptyLineWithComment, NotLean, Span,
                                        TrailingComment, parenthesized, slice_text)

__all__ = ["LeanModule", "NotLean", "changed", "lean_module"]

_new = object.__new__
_set = object.__setattr__


class LeanModule(cst.Module):
    """A `cst.Module` built from `ast`: it slices code out of its text instead of generating it."""

    __slots__ = ("text", "_lines", "_utf8_lines", "_origin")

    def code_for_node(self, node: cst.CSTNode) -> str:
        origin = self._origin.get(id(node))
        if origin is None:  # a node libcst built (an f-string's parts) has all its fields
            try:
                return cst.Module([]).code_for_node(node)
            except AttributeError:
                raise NotLean(f"no code for a {node.__class__.__name__}") from None
        start, end = parenthesized(self._lines, *self.span(origin))
        return slice_text(self._lines, start, end)

    def span(self, origin: ast.AST) -> tuple:
        """((line, column), (line, column)) of an `ast` node, columns in characters (`ast` counts bytes)."""
        if origin.__class__ is tuple:  # the name of an attribute or of a keyword argument
            node, part = origin
            if part == "attr":
                origin = Span.ending(node, len(node.attr.encode("utf-8")))
            else:
                origin = Span.starting(node, len(node.arg.encode("utf-8")))
        return ((origin.lineno, self._column(origin.lineno, origin.col_offset)),
                (origin.end_lineno, self._column(origin.end_lineno, origin.end_col_offset)))

    def _column(self, line: int, offset: int) -> int:
        raw = self._utf8_lines[line - 1]
        if raw is None:  # the line is ASCII: bytes are characters
            return offset
        return len(raw[:offset].decode("utf-8", "replace"))

    def position(self, node: cst.CSTNode) -> Optional[CodeRange]:
        """Where libcst's PositionProvider places the node (its code, parentheses excluded)."""
        origin = self._origin.get(id(node))
        if origin is None or (origin.__class__ is not tuple and not hasattr(origin, "lineno")):
            return None
        span = self.span(origin)
        if isinstance(node, cst.Arg) and isinstance(origin, ast.expr) and not isinstance(origin, ast.Starred):
            span = parenthesized(self._lines, *span)  # a positional argument's code holds its parentheses
        (line, column), (end_line, end_column) = span
        return CodeRange(CodePosition(line, column), CodePosition(end_line, end_column))

    def leading_comments(self, first: int, column: int, after: object) -> tuple:
        """What libcst keeps in the `leading_lines` of a simple statement starting on line `first`:
        the comment lines right above it (the lines between two statements hold no code, so a line
        whose text starts with `#` is a comment).

        `column`: the statement's indentation; `after`: "start" for the module's first statement
        (libcst gives the comments above it to the module's header), "line" after a simple statement,
        else the compound statement before it: when its last block is indented, that block's footer
        takes every comment line up to the last one indented deeper than the statement."""
        if after == "start":
            return ()
        lines = self._lines
        line = first - 1
        if line < 1:
            return ()
        above_text = lines[line - 1].lstrip()
        if above_text and above_text[0] not in "#\r\n":
            return ()  # code right above: the common case, decided without looking further
        if not isinstance(after, str):
            after = "block" if ends_in_indented_block(after) else "line"
        above: list = []
        while line >= 1:
            text = lines[line - 1]
            stripped = text.strip()
            if stripped and not stripped.startswith("#"):
                break
            if stripped:
                if after == "block" and len(text) - len(text.lstrip()) > column:
                    break
                above.append(EmptyLineWithComment(text.lstrip(" \t").rstrip("\r\n")))
            line -= 1
        above.reverse()
        return tuple(above)

    def trailing_comment(self, line: int, offset: int) -> object:
        """libcst's `trailing_whitespace` of a simple statement line whose code ends at byte `offset`
        of `line`: the comment after it, if any."""
        raw = self._utf8_lines[line - 1]
        rest = raw[offset:].decode("utf-8", "replace") if raw is not None else self._lines[line - 1][offset:]
        rest = rest.lstrip(" \t")
        if rest.startswith(";"):
            rest = rest[1:].lstrip(" \t")
        if rest.startswith("#"):
            return TrailingComment(rest.rstrip("\r\n"))
        return NO_COMMENT


def lean_module(text: str, tree: Optional[ast.Module] = None) -> LeanModule:
    """The file's tree (raises SyntaxError as `ast.parse` does, `NotLean` for syntax not built here).
    `tree`: Python's own tree of the text, when the caller has parsed it already."""
    if tree is None:
        tree = ast.parse(text)
    if OTHER_BREAKS.search(text):
        raise NotLean("a character str.splitlines breaks lines at and Python does not")
    lines = text.splitlines(keepends=True) or [""]
    module = _new(LeanModule)
    _set(module, "text", text)
    _set(module, "_lines", lines)
    _set(module, "_utf8_lines", [None if line.isascii() else line.encode("utf-8") for line in lines])
    _set(module, "_origin", {})
    builder = Builder(module)
    _set(module, "body", builder.block_body(tree.body, at_start=True))
    return module


def changed(node: cst.CSTNode, **fields) -> cst.CSTNode:
    """`node.with_changes(**fields)`, for a node of either tree: one built here lacks the trivia
    `with_changes` copies, and gets a copy of the fields it has."""
    try:
        return node.with_changes(**fields)
    except AttributeError:
        copy = _new(node.__class__)
        for cls in node.__class__.__mro__:
            for name in getattr(cls, "__slots__", ()):
                if hasattr(node, name) and name != "__weakref__":
                    _set(copy, name, getattr(node, name))
        for name, value in fields.items():
            _set(copy, name, value)
        return copy

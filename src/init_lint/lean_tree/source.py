"""The text side of the lean tree: slicing code out of the source, the parentheses libcst gives a
node, the string literals of one constant, and the comment holders a statement's line reads."""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
from typing import Optional


class NotLean(Exception):
    """The file holds syntax this module does not build: parse it with libcst."""


class _Comment:
    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value


class EmptyLineWithComment:
    __slots__ = ("comment",)

    def __init__(self, text: str) -> None:
        self.comment = _Comment(text)


class TrailingComment:
    __slots__ = ("comment",)

    def __init__(self, text: Optional[str]) -> None:
        self.comment = _Comment(text) if text is not None else None


NO_COMMENT = TrailingComment(None)


OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
STRING_START = re.compile(r"[rRbBuUfF]{0,2}('''|\"\"\"|'|\")")


def slice_text(lines: list, start: tuple, end: tuple) -> str:
    (line, column), (end_line, end_column) = start, end
    if line == end_line:
        return lines[line - 1][column:end_column]
    return lines[line - 1][column:] + "".join(lines[line:end_line - 1]) + lines[end_line - 1][:end_column]


def _char_before(lines: list, line: int, column: int) -> tuple:
    """(the first non-blank character before the position, its position), skipping line ends and
    backslash continuations; ("", position) at the file's start."""
    while True:
        before = lines[line - 1][:column].rstrip()
        if before.endswith("\\"):
            before = before[:-1].rstrip()
        if before:
            return before[-1], (line, len(before) - 1)
        if line == 1:
            return "", (1, 0)
        line -= 1
        column = len(lines[line - 1].rstrip("\r\n"))
        if "#" in lines[line - 1]:
            return "#", (line, column)  # a comment between: never a parenthesis libcst moves


def _char_after(lines: list, line: int, column: int) -> tuple:
    while True:
        text = lines[line - 1]
        rest = text[column:]
        stripped = rest.lstrip(" \t\x0c")
        if stripped[:1] == "\\" and stripped[1:].strip() == "":
            stripped = ""
        if stripped and stripped[0] not in "\r\n":
            return stripped[0], (line, column + len(rest) - len(stripped))
        if line == len(lines):
            return "", (line, len(text))
        line, column = line + 1, 0


def parenthesized(lines: list, start: tuple, end: tuple) -> tuple:
    """The span grown over the parentheses libcst gives the node itself (`lpar`/`rpar`): a `(`
    right before it and a `)` right after it, unless that `(` opens a call, a `def` or a class
    (it follows a name that is not a keyword, a `)` or a `]`)."""
    while True:
        opening, open_at = _char_before(lines, *start)
        closing, close_at = _char_after(lines, *end)
        if opening != "(" or closing != ")":
            return start, end
        owner, owner_at = _char_before(lines, *open_at)
        if owner in ")]" or (owner.isidentifier() or owner.isdigit()) and not _keyword_ends_at(lines, owner_at):
            return start, end
        start, end = open_at, (close_at[0], close_at[1] + 1)


def _keyword_ends_at(lines: list, at: tuple) -> bool:
    text = lines[at[0] - 1][:at[1] + 1]
    match = re.search(r"[A-Za-z_0-9]+$", text)
    return bool(match) and keyword.iskeyword(match.group())


class Span:
    """The `ast` span of a libcst node `ast` has no node for (`a and b` inside `a and b and c`)."""

    def __init__(self, first: ast.AST, last: ast.AST) -> None:
        self.lineno, self.col_offset = first.lineno, first.col_offset
        self.end_lineno, self.end_col_offset = last.end_lineno, last.end_col_offset

    @classmethod
    def ending(cls, node: ast.AST, length: int) -> "Span":
        """The last `length` bytes of the node (an attribute's name: `a.b` ends with it)."""
        span = cls(node, node)
        span.lineno, span.col_offset = node.end_lineno, node.end_col_offset - length
        return span

    @classmethod
    def starting(cls, node: ast.AST, length: int) -> "Span":
        """The first `length` bytes of the node (a keyword argument's name)."""
        span = cls(node, node)
        span.end_lineno, span.end_col_offset = node.lineno, node.col_offset + length
        return span


def string_pieces(code: str) -> list:
    """The string literals one `ast` constant was written as (`"a" "b"` is two)."""
    match = STRING_START.match(code)
    if match is not None:
        quote = match.group(1)
        if code.endswith(quote) and len(code) >= match.end() + len(quote) and \
                quote not in code[match.end():len(code) - len(quote)] and "\\" not in code:
            return [code]
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == tokenize.STRING]
    except (tokenize.TokenError, SyntaxError) as error:
        raise NotLean(f"string: {error}") from None

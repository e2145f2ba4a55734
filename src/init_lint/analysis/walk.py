"""Fast traversal of libcst trees.

`CSTNode.children` runs a visitor to collect the children and costs tens of microseconds per
node; on real files that is more than the parse.  These helpers read the node's dataclass fields
directly, skipping whitespace, commas and other trivia that never hold code.
"""

from __future__ import annotations

import dataclasses
from typing import Iterator

import libcst as cst

_TRIVIA = (
    cst.BaseParenthesizableWhitespace, cst.Comma, cst.Dot, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket,
    cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Colon, cst.Semicolon, cst.AssignEqual,
    cst.Newline, cst.Comment, cst.EmptyLine, cst.TrailingWhitespace, cst.ImportStar, cst.Asynchronous,
)
_SKIPPED_FIELDS = frozenset(
    {"lpar", "rpar", "comma", "semicolon", "dot", "equal", "colon", "header", "footer", "leading_lines",
     "trailing_whitespace", "lines_after_decorators", "indent", "newline", "lbracket", "rbracket", "lbrace",
     "rbrace", "whitespace_after_star", "whitespace_after_arg", "operator", "star", "encoding",
     "default_indent", "default_newline", "has_trailing_newline", "value_quote"}
)
_FIELDS: dict = {}
_IS_TRIVIA: dict = {}


def _fields(cls: type) -> tuple:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls)
                      if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace"))
        _FIELDS[cls] = names
    return names


def _trivia(cls: type) -> bool:
    verdict = _IS_TRIVIA.get(cls)
    if verdict is None:
        verdict = _IS_TRIVIA[cls] = not issubclass(cls, cst.CSTNode) or issubclass(cls, _TRIVIA)
    return verdict


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node's code-bearing children (no punctuation, whitespace or operators), in the order of
    its fields: source order, except that a `def` or `class` gives its name, parameters and body
    before its decorators, bases and annotation, an `except` its body before its type, `a if c
    else b` its condition first, and a keyword argument its value before its keyword."""
    for name in _fields(type(node)):
        value = getattr(node, name)
        if type(value) in (list, tuple):
            for item in value:
                if not _trivia(type(item)):
                    yield item
        elif not _trivia(type(value)):
            yield value


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node and all its code-bearing descendants, preorder, each node's children as `children` orders them."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))

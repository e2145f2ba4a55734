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


class ByClass(dict):
    """class -> what `compute(class)` says, computed on first use (a dict lookup afterwards)."""

    def __init__(self, compute) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, cls: type):
        value = self[cls] = self.compute(cls)
        return value


def _field_names(cls: type) -> tuple:
    return tuple(f.name for f in dataclasses.fields(cls)
                 if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace"))


def _is_code(cls: type) -> bool:
    return issubclass(cls, cst.CSTNode) and not issubclass(cls, _TRIVIA)


_FIELDS = ByClass(_field_names)
#: class -> whether its instances are code (a node that is not punctuation or whitespace)
_CODE = ByClass(_is_code)


def kinds(*order: type) -> ByClass:
    """class -> the first of `order` it is a subclass of (None: none of them).

    A chain of `isinstance` tests over libcst's node classes (abstract base classes, whose failing
    `isinstance` runs Python code) becomes one dict lookup and `is` tests on what it returns, which
    take the branch the chain would have taken for every class, subclasses included."""
    return ByClass(lambda cls: next((kind for kind in order if issubclass(cls, kind)), None))


def children(node: cst.CSTNode) -> list:
    """The node's code-bearing children (no punctuation, whitespace or operators), in the order of
    its fields: source order, except that a `def` or `class` gives its name, parameters and body
    before its decorators, bases and annotation, an `except` its body before its type, `a if c
    else b` its condition first, and a keyword argument its value before its keyword."""
    found: list = []
    for name in _FIELDS[node.__class__]:
        value = getattr(node, name)
        kind = value.__class__
        if kind is tuple or kind is list:
            found += [item for item in value if _CODE[item.__class__]]
        elif _CODE[kind]:
            found.append(value)
    return found


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node and all its code-bearing descendants, preorder, each node's children as `children` orders them."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        below = children(current)
        below.reverse()
        stack += below

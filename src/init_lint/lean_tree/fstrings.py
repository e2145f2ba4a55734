"""f-strings of the lean tree: their text parts sliced from the code, their expressions from `ast`."""

from __future__ import annotations

import ast

import libcst as cst

from init_lint.lean_tree.nodes import make, make_one
from init_lint.lean_tree.source import STRING_START, NotLean, string_pieces


class FStrings:
    """The f-string part of `builder.Builder` (which gives `origin`, `_code` and `expr`)."""

    def e_JoinedStr(self, node):
        """An f-string (with the plain strings written beside it): its text parts sliced from the
        code, its expressions from `ast`.  Expressions inside get no position (`ast` may misplace
        them in Python 3.11): asking for one sends the file to libcst.  Shapes the scan below does
        not take apart (`{x=}`, braces in a format spec) are parsed by libcst."""
        code = self._code(node)
        saved = self.origin
        self.origin = {}
        try:
            values = iter([v for v in node.values if v.__class__ is ast.FormattedValue])
            pieces = [self._fstring(piece, values) if _is_fstring(piece) else make_one(cst.SimpleString, "value", piece)
                      for piece in string_pieces(code)]
            if next(values, None) is not None:
                raise _NotScanned
        except _NotScanned:
            try:
                return cst.parse_expression("(" + code + ")")
            except Exception as error:
                raise NotLean(f"f-string: {error}") from None
        finally:
            self.origin = saved
        made = pieces[-1]
        for piece in reversed(pieces[:-1]):
            made = make(cst.ConcatenatedString, left=piece, right=made)
        return made

    def _fstring(self, piece: str, values) -> cst.FormattedString:
        match = STRING_START.match(piece)
        start = match.group(0)
        quote = match.group(1)
        body = piece[len(start):len(piece) - len(quote)]
        parts, at = self._fstring_parts(body, 0, values, in_spec=False)
        if at != len(body):
            raise _NotScanned
        return make(cst.FormattedString, parts=parts, start=start, end=quote)

    def _fstring_parts(self, body: str, at: int, values, in_spec: bool) -> tuple:
        """The parts of an f-string's body from `at` to its end (or, in a format spec, to the `}`
        closing it), and where they end."""
        parts: list = []
        text_from = at
        size = len(body)
        while at < size:
            char = body[at]
            if char == "{":
                if body.startswith("{{", at):
                    if in_spec:
                        raise _NotScanned
                    at += 2
                    continue
                if at > text_from:
                    parts.append(make_one(cst.FormattedStringText, "value", body[text_from:at]))
                field, at = self._field(body, at + 1, values)
                parts.append(field)
                text_from = at
            elif char == "}":
                if in_spec:
                    break
                if not body.startswith("}}", at):
                    raise _NotScanned
                at += 2
            else:
                at += 1
        if at > text_from:
            parts.append(make_one(cst.FormattedStringText, "value", body[text_from:at]))
        return parts, at

    def _field(self, body: str, at: int, values) -> tuple:
        """`{expression!c:spec}` from just after its `{`: the part and where it ends (after its `}`)."""
        end = _expression_end(body, at)
        value = next(values, None)
        if value is None:
            raise _NotScanned
        conversion = None
        format_spec = None
        if body.startswith("!", end):
            conversion = body[end + 1:end + 2]
            if conversion not in ("r", "s", "a") or chr(value.conversion) != conversion:
                raise _NotScanned
            end += 2
        elif value.conversion != -1:
            raise _NotScanned  # `{x=}` (Python converts it with repr)
        if body.startswith(":", end):
            spec = value.format_spec
            inner = iter([v for v in spec.values if v.__class__ is ast.FormattedValue] if spec is not None else ())
            format_spec, end = self._fstring_parts(body, end + 1, inner, in_spec=True)
            if next(inner, None) is not None:
                raise _NotScanned
        if not body.startswith("}", end):
            raise _NotScanned
        made = make(cst.FormattedStringExpression, expression=self.expr(value.value), conversion=conversion,
                    format_spec=format_spec, equal=None)
        return made, end + 1


class _NotScanned(Exception):
    """An f-string the scan does not take apart: libcst parses it."""


def _is_fstring(piece: str) -> bool:
    prefix = STRING_START.match(piece).group(0)
    return "f" in prefix or "F" in prefix


def _expression_end(body: str, at: int) -> int:
    """Where the expression of a replacement field starting at `at` ends: at a `}`, `:` or `!` (not
    `!=`) outside brackets and strings.  A `=` that ends it (`{x=}`) or a backslash: _NotScanned."""
    depth = 0
    size = len(body)
    while at < size:
        char = body[at]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return at
            depth -= 1
        elif char in "'\"":
            close = body.find(char, at + 1)
            if close < 0:
                raise _NotScanned
            at = close
        elif char == "\\":
            raise _NotScanned
        elif depth == 0:
            if char == ":":
                return at
            if char == "!" and not body.startswith("!=", at):
                return at
            if char == "=" and body[at + 1:at + 2] != "=" and body[at - 1:at] not in ("=", "!", "<", ">"):
                raise _NotScanned  # `{x=}` (a debugging field), or a keyword argument inside brackets
        at += 1
    raise _NotScanned

"""INI900 unparsable-file: a file that cannot be read or parsed."""

from __future__ import annotations

import ast
import re
from typing import Iterator, Optional

from init_lint.rules.base import CheckContext, RawFinding, Rule


class UnparsableFile(Rule):
    """INI900: files the checker could not read or parse (the checker itself reports them)."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        # Reported by the checker itself, before any analysis can run.
        """Nothing: INI900 findings come from the checker, never from an analysis."""
        return iter(())


def python_syntax_error(text: str, path: str) -> Optional[tuple[str, int, int]]:
    """Python's own verdict on a file libcst rejected: (message, 1-based line, 0-based column), or None.

    Reported instead of libcst's, whose position is often a line later (where its parser gave up)
    and whose message lists tokens; Python's is the one users see when they run the file.
    """
    try:
        ast.parse(text, filename=path)
    except SyntaxError as error:
        return error.msg, error.lineno or 1, max((error.offset or 1) - 1, 0)
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.MULTILINE)


def decode_error_reason(data: bytes, encoding: str, error: Exception) -> str:
    """Why the bytes do not decode, where, and how to say which encoding the file is in."""
    declared = data.startswith(b"\xef\xbb\xbf") or _COOKIE.search(b"\n".join(data.split(b"\n", 2)[:2])) is not None
    if isinstance(error, LookupError):
        return f"unknown encoding {encoding!r} in the coding cookie; name one Python knows (e.g. utf-8, latin-1)"
    where = ""
    if isinstance(error, UnicodeDecodeError):
        line = data[:error.start].count(b"\n") + 1
        where = f" (byte {data[error.start]:#04x} on line {line})"
    if declared:
        return (f"cannot decode as {encoding}, the encoding its coding cookie declares{where}; "
                f"correct the cookie or save the file in {encoding}")
    return (f"cannot decode as {encoding}{where}; save the file as UTF-8, or declare its encoding on the first "
            f"or second line with a coding cookie such as `# -*- coding: latin-1 -*-`")


RULE = UnparsableFile(
    code="INI900",
    name="unparsable-file",
    summary="A file that cannot be read, decoded or parsed.",
    what="""
        Reports a file init-lint cannot check: a syntax error, bytes that do not decode in the file's
        declared encoding, a file over the size limit, a path that is not a regular file. The run goes
        on with the other files and exits with code 2.
    """,
    why="""
        A file that is not checked can hide every other finding. The error says why, so you can fix the
        file or exclude it.
    """,
    example="""
        class Net(nn.Module:
            ...
    """,
    use_instead="""
        class Net(nn.Module):
            ...
    """,
    fix_safety="""
        No fix.
    """,
)

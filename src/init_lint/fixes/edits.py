"""Applying fixes to a text: positions to offsets, and merging the edits of many fixes, as ruff does.

Fixes are taken in rank order; a fix whose edits overlap an edit already taken is left for the
next round (the caller re-checks the new text and builds that fix again).  An edit identical to
one already taken (the same `import math` wanted by two fixes) is applied once.  Insertions at the
same point keep the order in which their fixes were taken.
"""

from __future__ import annotations

import bisect
import re

from init_lint.diagnostics import Edit, Fix

_LINE_END = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Offsets of line starts, with Python's line ends (not str.splitlines's)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_END.finditer(text)]

    def offset(self, line: int, column: int) -> int:
        if line - 1 >= len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + column, len(self.text))

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end]

    def ends_with_newline(self, line: int) -> bool:
        return bool(_LINE_END.search(self.line_text(line)))

    def newline(self) -> str:
        match = _LINE_END.search(self.text)
        return match.group() if match else "\n"


def merge(text: str, fixes: list) -> tuple:
    """(new text, indices of the fixes applied): every fix that conflicts with none taken before it."""
    index = LineIndex(text)
    order = sorted(range(len(fixes)), key=lambda i: (fixes[i].rank, i))
    taken = _Taken()
    applied: list = []
    for number in order:
        spans = [(index.offset(e.line, e.column), index.offset(e.end_line, e.end_column), e.content)
                 for e in fixes[number].edits]
        new = list(dict.fromkeys(span for span in spans if span not in taken.seen))
        if _self_conflict(new) or any(taken.conflicts(start, end) for start, end, _ in new):
            continue
        for span in new:
            taken.add(span)
        applied.append(number)
    out, position = [], 0
    for start, end, content in sorted(taken.spans, key=lambda s: (s[0], s[1] != s[0], taken.order[s])):
        out.append(text[position:start])
        out.append(content)
        position = max(position, end)
    out.append(text[position:])
    return "".join(out), sorted(applied)


class _Taken:
    """The edits taken so far: disjoint replacements (sorted) and insertion points, for quick overlap tests."""

    def __init__(self) -> None:
        self.seen: set = set()
        self.spans: list = []
        self.order: dict = {}
        self.starts: list = []
        self.ends: list = []
        self.points: list = []

    def conflicts(self, start: int, end: int) -> bool:
        at = bisect.bisect_left(self.starts, end if end > start else start) - 1
        if at >= 0 and self.ends[at] > start and (end > start or self.starts[at] < start):
            return True  # overlaps a replacement (or, as an insertion, falls strictly inside one)
        if end > start:
            inside = bisect.bisect_right(self.points, start)
            return inside < len(self.points) and self.points[inside] < end
        return False

    def add(self, span: tuple) -> None:
        start, end, _ = span
        self.seen.add(span)
        self.order[span] = len(self.spans)
        self.spans.append(span)
        if end > start:
            at = bisect.bisect_left(self.starts, start)
            self.starts.insert(at, start)
            self.ends.insert(at, end)
        else:
            bisect.insort(self.points, start)


def _conflict(one: tuple, other: tuple) -> bool:
    a, b = one[0], one[1]
    c, d = other[0], other[1]
    if a == b and c == d:
        return False  # insertions at one point: both, in order
    if a == b:
        return c < a < d
    if c == d:
        return a < c < b
    return a < d and c < b


def _self_conflict(spans: list) -> bool:
    return len(spans) > 1 and any(_conflict(one, two) for i, one in enumerate(spans) for two in spans[i + 1:])


def apply_edits(text: str, edits: list) -> str:
    """One fix's edits alone (for a quick fix's preview and tests)."""
    return merge(text, [Fix("safe", tuple(edits))])[0]


__all__ = ["Edit", "Fix", "LineIndex", "apply_edits", "merge"]

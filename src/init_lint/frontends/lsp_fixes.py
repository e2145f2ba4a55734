"""init-lint's fixes as the language server's edits (no pygls in here).

- A finding's quick fix is that finding's own `Fix` (`fixes.apply.fixes_of`): its edits, as they
  are, with the imports it needs.  Applying it changes nothing that belongs to another finding.
- "Fix all" is the line diff between the text and `fix_source(text).source`: applying it gives
  exactly that source, the same as `init-lint check --fix`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from init_lint.diagnostics import Fix
from init_lint.frontends._source import split_lines


@dataclass(frozen=True)
class Hunk:
    """Replace the original lines [start, stop) (0-based) with `lines`."""

    start: int
    stop: int
    lines: tuple

    @property
    def text(self) -> str:
        return "".join(self.lines)


def line_hunks(before: str, after: str) -> list:
    old, new = split_lines(before), split_lines(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [Hunk(i1, i2, tuple(new[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def apply_hunks(text: str, hunks: list) -> str:
    lines = split_lines(text)
    out, position = [], 0
    for hunk in sorted(hunks, key=lambda h: (h.start, h.stop)):
        out.extend(lines[position:hunk.start])
        out.extend(hunk.lines)
        position = hunk.stop
    out.extend(lines[position:])
    return "".join(out)


def fix_ranges(fix: Fix) -> list:
    """The fix's edits as (line, column, end line, end column, new text): 0-based lines, code-point
    columns; identical edits once (two imports of one module)."""
    seen = []
    for edit in fix.edits:
        item = (edit.line - 1, edit.column, edit.end_line - 1, edit.end_column, edit.content)
        if item not in seen:
            seen.append(item)
    return seen

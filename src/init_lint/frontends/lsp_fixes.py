"""Turn init-lint's fixes into line edits for the language server (no pygls in here).

The server asks through two functions only, each called once per document version (in a worker
thread; the server caches what they return):

- `edits_for(finding, state)`: the quick fix of one finding, as line hunks, or None: the
  finding's own `Fix` (the fixer builds one per finding, `fixes.apply.fixes_of`), applied alone
  to the text; applying it changes nothing that belongs to another finding;
- `fix_all_edits(state)`: the hunks of "fix all": the line diff between the text and
  `fix_source(text).source`, so applying it gives exactly what `init-lint check --fix` writes.

`state` is the server's analysis of one document version (`DocumentState`): `.text`,
`.own_fixes()` (each finding's Fix, built once) and `.fix_all()` (the whole-file fix, computed once).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Optional

from init_lint.diagnostics import Finding
from init_lint.fixes.edits import apply_edits
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


def edits_for(finding: Finding, state) -> Optional[list]:
    """The hunks that fix `finding` alone in `state.text`, or None when it has no fix of its own."""
    fix = state.own_fixes().get(identity(finding))
    if fix is None:
        return None
    return line_hunks(state.text, apply_edits(state.text, list(fix.edits)))


def identity(finding: Finding) -> tuple:
    """What names a finding across two checks of one text (the fixer's and the server's)."""
    return finding.code, finding.line, finding.column, finding.message


def fix_all_edits(state) -> list:
    """The hunks that turn `state.text` into what `init-lint check --fix` writes; [] when nothing is fixed."""
    fixed_all, applied = state.fix_all()
    return line_hunks(state.text, fixed_all) if applied else []


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

"""Turn init-lint's fixes into line edits for the language server (no pygls in here).

The server asks through two functions only, each called once per document version (in a worker
thread; the server caches what they return):

- `edits_for(finding, state)`: the quick fix of one finding, as line hunks, or None;
- `fix_all_edits(state)`: the hunks of "fix all".

`state` is the server's analysis of one document version (`DocumentState`): `.text`, `.findings`
(the file's own findings, before any project judgement), `.fix_all()` (the whole-file fix,
computed once) and `.recheck(text)` (the findings of another text, same path and settings).

The fixer works on a whole file: `fix_source` applies every safe fix at once, and its API has no
way to fix one finding alone.  So:

- "fix all" is the line diff between the text and `fix_source(text).source`: applying it gives
  exactly that source, the same as `init-lint check --fix`;
- a single finding's quick fix is carved out of that diff: the hunks that rewrite the
  finding's own lines, or that are inserted below it before the next finding, plus the hunks
  that belong to no finding (the imports a fix adds).  The carved text is then checked: it must
  leave every other finding exactly as it was and remove this one; when it does not (two
  findings in one statement share the init lines written after it), no single fix is offered
  for that finding and the editor still has "fix all".
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Optional

from init_lint.diagnostics import Finding
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
    """The hunks that fix `finding` alone in `state.text`, or None when it has no separable fix."""
    fixed_all, applied = state.fix_all()
    return single_fix(state.text, finding, fixed_all, applied, state.findings, state.recheck)


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


def owner(hunk: Hunk, fixed: list) -> Optional[Finding]:
    """The fixed finding a hunk belongs to, or None for a hunk of the whole file (imports).

    A hunk that changes a finding's own lines belongs to it (skip-init rewrites the call); an
    inserted hunk belongs to the nearest finding above it (explicit init lines follow the
    statement that builds the layer).
    """
    last = max(hunk.stop - 1, hunk.start)
    touching = [f for f in fixed if hunk.stop > hunk.start and f.line - 1 <= last and hunk.start <= f.end_line - 1]
    if touching:
        return touching[0] if len(touching) == 1 else _SHARED
    above = [f for f in fixed if f.end_line - 1 < hunk.start]
    return max(above, key=lambda f: (f.end_line, f.end_column)) if above else None


#: the owner of a hunk that rewrites lines of several findings: no single finding's fix
_SHARED = Finding("", "", "", 0, 0, 0, 0)


def single_fix(text: str, finding: Finding, fixed_all: str, fixed: list, findings: list,
               recheck: Callable[[str], list]) -> Optional[list]:
    """The hunks that fix `finding` alone, or None when its fix cannot be separated from the others'.

    `fixed_all` and `fixed` are `fix_source(text)`'s source and applied findings; `findings`
    are the text's findings; `recheck` gives the findings of another text (same path, settings).
    """
    if finding not in fixed:
        return None
    hunks = line_hunks(text, fixed_all)
    owners = [owner(h, fixed) for h in hunks]
    mine = [h for h, o in zip(hunks, owners) if o is None or o == finding]
    if not any(o == finding for o in owners):
        return None
    candidate = recheck(apply_hunks(text, mine))
    expected = Counter(_identity(f) for f in findings if f != finding)
    if any(f.code == "INI900" for f in candidate) or Counter(_identity(f) for f in candidate) != expected:
        return None
    return mine


def _identity(finding: Finding) -> tuple:
    # Positions move when lines are inserted above; the code and message name the layer and class.
    return finding.code, finding.message, finding.fix

"""Turn init-lint's fixes into line edits for the language server (no pygls in here).

Everything is built from the analysis the server already made of the version (the incremental
check's, `lsp_incremental.Checked`): no second check of the text, for a quick fix or for "fix all".

- `own_fix(finding, context)`: the finding's own `Fix`, as `fixes.apply.fixes_of` builds it (the
  edits an editor's quick fix applies alone); about a millisecond on a version already checked;
- `fix_all(text, wanted, own, context)`: "fix all", the first round of `init-lint check --fix`
  (`fixes.apply.fix_source`): the fixes of every safe finding, merged where their edits do not
  overlap.  In the explicit style they are the findings' own fixes; in the skip-init style they are
  built together, as the command line builds them (a layer's draws may move only if the later
  layers of its statement move too).  When some edits overlap, the command line checks the
  result and builds the rest again: the caller then falls back to `fix_source` itself;
- `parses(text)`: the guard on its result (Python's own parser);
- `hunks(text, edits, fixed)`: the lines edits change, without a diff of the two texts.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable, Optional

from init_lint.diagnostics import Finding
from init_lint.frontends._source import split_lines

BOM = "\ufeff"


@dataclass(frozen=True)
class Hunk:
    """Replace the original lines [start, stop) (0-based) with `lines`."""

    start: int
    stop: int
    lines: tuple

    @property
    def text(self) -> str:
        return "".join(self.lines)


def identity(finding: Finding) -> tuple:
    """What names a finding across two checks of one text."""
    return finding.code, finding.line, finding.column, finding.message


def fix_context(analysis, text: str, skip_init: bool, locate: Optional[Callable]):
    """The fixer's view of one checked version (`text` as the analysis read it: without a BOM)."""
    from init_lint.fixes.build import FixContext

    if locate is None:
        return FixContext(analysis, text, skip_init)
    return FixContext(analysis, text, skip_init, locate)


def own_fix(finding: Finding, context):
    """The finding's own Fix, or None (no plan, or the fixer refuses it).

    Built alone, as `fixes_of` keeps it: in the skip-init style, applied alone it must keep the draw
    order with every other layer of its statement unfixed, which is exactly the check `build_fixes`
    makes for the one fix it is given."""
    from init_lint.fixes.build import build_fixes

    built, _ = build_fixes([finding], context)
    return built[0][1] if built else None


def fix_all(text: str, wanted: list, own: Callable, context) -> Optional[tuple]:
    """The first round of `fix_source`: None when no fix applies, else (fixed text, the fixes
    applied, whether that is all: False when some overlap, where the command line re-checks and goes on).

    `wanted`: the findings to fix, in the check's order; `own(finding)`: its own Fix (the caller caches them)."""
    from init_lint.fixes.build import build_fixes
    from init_lint.fixes.edits import merge

    if context.wrap:
        fixes = [fix for _, fix in build_fixes(wanted, context)[0]]
    else:
        fixes = [fix for fix in map(own, wanted) if fix is not None]
    fixed, taken = merge(text, fixes) if fixes else (text, [])
    if not taken:
        return None
    return fixed, [fixes[i] for i in taken], len(taken) == len(fixes)


def parses(text: str) -> bool:
    """Whether the fixed text is Python, by Python's own parser: `fix_source` parses its result with
    libcst, which on a 2,000-line file costs a second of the server's time (and holds the
    interpreter); CPython's parser takes a twentieth of that.  The text before the fix parsed with
    both, and a fix adds plain statements (assignments, calls, `for`, `if`) and expressions."""
    import ast

    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def hunks(text: str, edits: list, fixed: str) -> list:
    """The Hunks that turn `text` into `fixed`, which `edits` (of `text`) gave; a diff when the two
    disagree (they never should: `hunks_are_exact` in the tests)."""
    from init_lint.reports import edit_hunks

    found = [Hunk(start, stop, tuple(split_lines(new))) for start, stop, new in edit_hunks(text, edits, fixed)]
    if apply_hunks(text, found) != fixed:
        return line_hunks(text, fixed)
    return found


def with_bom(text: str, analyzed: str, fixed: str, edits: list) -> list:
    """`hunks` for the document's text, which may start with a BOM the analysis did not see."""
    if text == analyzed:
        return hunks(text, edits, fixed)
    return line_hunks(text, BOM + fixed)


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

"""The language server's fixes, built from its incremental analysis, are the command line's fixes.

A quick fix is the finding's own Fix as `fixes_of` builds it after a full check of the text, and
"fix all" gives exactly what `init-lint check --fix` (`fix_source`) writes, in both fix styles, on
the fixtures, on text the incremental check cuts in awkward places, and after edits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from init_lint.config import Settings
from init_lint.diagnostics import SAFE
from init_lint.fixes.apply import fix_source, fixes_of
from init_lint.fixes.edits import apply_edits
from init_lint.frontends._source import encode_as_declared
from init_lint.frontends.lsp_fixes import apply_hunks, identity
from init_lint.frontends.lsp_incremental import IncrementalChecker
from init_lint.frontends.lsp_state import RUNS, VersionFixes
from init_lint.reports import edit_hunks
from test_lsp_incremental import TRICKY

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STYLES = ("explicit", "skip-init")

#: a class indented by two spaces among classes indented by four: the assembled module's blocks
#: record their indentation against their own chunk, not the file
MIXED = '''\
import torch
from torch import nn


class Two(nn.Module):
  def __init__(self):
    super().__init__()
    self.fc = nn.Linear(3, 4)
    if True:
      self.gate = nn.Sequential(nn.Linear(4, 4),
                                nn.Linear(4, 1))


class Four(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        bound = 1 / 3
        nn.init.uniform_(self.fc.bias, -bound, bound)
        nn.init.constant_(self.fc.weight, 0.5)
'''


def server_fixes(text: str, style: str, checker: IncrementalChecker = None) -> tuple:
    settings = Settings(fix_style=style)
    checker = checker or IncrementalChecker()
    checked = checker.checked(text, "m.py", settings)
    return VersionFixes("file:///m.py", text, "m.py", settings, checked, checker), checked.findings


def assert_same_as_cli(text: str, style: str, checker: IncrementalChecker = None) -> int:
    """The server's own fixes and "fix all" against the command line's; how many fixes were compared."""
    settings = Settings(fix_style=style)
    fixes, findings = server_fixes(text, style, checker)
    data, encoding = encode_as_declared(text)
    cli_fixes = {identity(f): f.fix_edits for f in fixes_of(data, "m.py", settings) if f.fix_edits is not None}
    server = {identity(f): fixes.own(f) for f in findings if f.fix == SAFE}
    assert {k: v for k, v in server.items() if v is not None} == cli_fixes
    for finding in findings:
        hunks = fixes.quick_fix(finding)
        fix = cli_fixes.get(identity(finding))
        assert (hunks is None) == (fix is None)
        if fix is not None:  # the quick fix's lines are the fix's edits applied alone (after a BOM)
            bom = "\ufeff" if text.startswith("\ufeff") else ""
            assert apply_hunks(text, hunks) == bom + apply_edits(text[len(bom):], list(fix.edits))
    expected = fix_source(data, "m.py", settings)
    wanted = expected.source.decode(encoding) if expected.fixed else text
    assert apply_hunks(text, fixes.fix_all(findings, findings, lambda: False)) == wanted
    return len(cli_fixes)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.py")))
def test_fixtures(fixture, style):
    assert_same_as_cli((FIXTURES / fixture).read_text(encoding="utf-8"), style)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("text", [TRICKY, MIXED, MIXED.replace("\n", "\r\n"), "\ufeff" + MIXED],
                         ids=["tricky-cuts", "mixed-indentation", "crlf", "bom"])
def test_awkward_texts(text, style):
    assert assert_same_as_cli(text, style) >= 2


def test_edit_after_edit_the_fixes_follow_the_version():
    """The checker keeps the chunks of the previous version: the fixes come from the new analysis."""
    checker = IncrementalChecker()
    text = MIXED
    assert_same_as_cli(text, "explicit", checker)
    for old, new in [("nn.Linear(3, 4)", "nn.Linear(3, 5)"), ("class Four", "# a comment\n\n\nclass Four"),
                     ("        nn.init.constant_(self.fc.weight, 0.5)\n", ""),
                     ("import torch\n", "import math\nimport torch\n")]:
        text = text.replace(old, new, 1)
        assert_same_as_cli(text, "explicit", checker)
    assert checker.fast_runs == checker.runs


def test_fix_all_needs_no_whole_file_fix_and_builds_each_fix_once():
    text = (FIXTURES / "tanh_3_4_5_2_default.py").read_text(encoding="utf-8")
    fixes, findings = server_fixes(text, "explicit")
    uri = "file:///m.py"
    before = {step: RUNS[step, uri] for step in ("own-fix", "fix-all", "fix")}
    for finding in findings:
        fixes.quick_fix(finding)
    fixes.fix_all(findings, findings, lambda: False)
    fixes.fix_all(findings, findings, lambda: False)
    fixable = sum(1 for f in findings if f.fix == SAFE)
    assert fixable >= 3
    assert RUNS["own-fix", uri] - before["own-fix"] == fixable  # once each, shared by quick fixes and fix all
    assert RUNS["fix-all", uri] - before["fix-all"] == 1
    assert RUNS["fix", uri] == before["fix"]  # no whole-file fix_source


def test_fix_all_of_the_findings_shown_only():
    """Project mode may judge a finding covered by another file: "fix all" leaves it, as `--fix` does."""
    text = MIXED
    fixes, findings = server_fixes(text, "explicit")
    shown = [f for f in findings if not f.message.startswith("self.fc = nn.Linear(3, 4)")]
    assert 0 < len(shown) < len(findings)
    data, encoding = encode_as_declared(text)
    keep = frozenset((f.line, f.column, f.code) for f in shown)
    expected = fix_source(data, "m.py", Settings(), keep=keep).source.decode(encoding)
    assert apply_hunks(text, fixes.fix_all(findings, shown, lambda: False)) == expected != text


@pytest.mark.parametrize("whole_lines", [False, True])
def test_edit_hunks_are_exact(whole_lines):
    from init_lint.diagnostics import Edit

    text = "a\nbb\nccc\n"
    cases = [
        [Edit(2, 0, 2, 0, "x\n")],  # an insertion at a line start
        [Edit(1, 0, 1, 0, "top\n")],  # at the top
        [Edit(4, 0, 4, 0, "end\n")],  # after the last line
        [Edit(2, 1, 2, 2, "B")],  # inside a line
        [Edit(2, 0, 3, 1, "")],  # across lines, ending inside one
        [Edit(2, 0, 2, 0, "x\n"), Edit(2, 0, 2, 1, "B"), Edit(1, 1, 1, 1, "!")],  # touching: one hunk
        [Edit(1, 0, 1, 0, "i\n"), Edit(3, 0, 3, 0, "j\n")],  # apart: two hunks
    ]
    for edits in cases:
        fixed = apply_edits(text, edits)
        hunks = edit_hunks(text, edits, fixed, whole_lines)
        lines = text.splitlines(keepends=True)
        for start, stop, new in reversed(hunks):
            assert not whole_lines or start < stop  # reviewdog's suggestions replace whole lines
            lines[start:stop] = [new]
        assert "".join(lines) == fixed
    assert edit_hunks("a\nb", [Edit(2, 1, 2, 1, "\nc")], "a\nb\nc") == [(1, 2, "b\nc")]


def test_overlapping_fixes_fall_back_to_the_command_lines_rounds(monkeypatch):
    """Where fixes overlap, `check --fix` re-checks and builds the rest again: the server runs it."""
    from init_lint.frontends import lsp_fixes

    first_round = lsp_fixes.fix_all
    monkeypatch.setattr(lsp_fixes, "fix_all", lambda *args: first_round(*args)[:2] + (False,))
    text = (FIXTURES / "tanh_3_4_5_2_default.py").read_text(encoding="utf-8")
    fixes, findings = server_fixes(text, "explicit")
    before = RUNS["fix", "file:///m.py"]
    expected = fix_source(text.encode("utf-8"), "m.py", Settings()).source.decode("utf-8")
    assert apply_hunks(text, fixes.fix_all(findings, findings, lambda: False)) == expected != text
    assert RUNS["fix", "file:///m.py"] == before + 1

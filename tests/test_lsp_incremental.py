"""The language server's incremental check gives exactly what `init-lint check` gives, edit after edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from init_lint.checker import check_source
from init_lint.config import Settings
from init_lint.frontends.lsp_incremental import IncrementalChecker, _assemble, cut

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

#: top-level statements the cut must not split, and comments that libcst attaches to the next statement
TRICKY = '''\
# a header comment
"""Module docstring
with lines at column 0
class NotAClass:
"""
import math
import torch
from torch import nn

WIDTHS = [
    4,
8,
]


def factory(
width):
    return nn.Linear(width, width)
# trailing comment of factory, indented at column 0


@torch.no_grad()
# a comment between decorator and def
def init_all(model):
    for module in model.modules():
        pass


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 4)
        self.b = nn.Linear(4, 2)
        self.c = factory(2)
        nn.init.constant_(self.a.weight, 0.5)
        # an indented comment at the end of the class


# comments before a statement at column 0

if torch.cuda.is_available():
    net = Net()
else:
    net = nn.Linear(1, 1)
x = 1 + \\
2
try:
    other = nn.Conv2d(1, 1, 3)
except ImportError:
    pass
finally:
    pass
# the end
'''


def key(finding) -> tuple:
    return (finding.code, finding.message, finding.line, finding.column, finding.end_line, finding.end_column,
            finding.fix, finding.strict, finding.depends, finding.help)


def same_as_cli(checker: IncrementalChecker, text: str, path: str = "m.py") -> list:
    settings = Settings()
    found, _ = checker.check(text, path, settings)
    assert [key(f) for f in found] == [key(f) for f in check_source(text.encode("utf-8"), path, settings)]
    return found


def test_the_cut_gives_the_text_back_and_keeps_decorators_with_their_def():
    pieces = cut(TRICKY)
    assert "".join(text for _, text in pieces) == TRICKY
    starts = [text.splitlines()[0] for _, text in pieces]
    assert "@torch.no_grad()" in starts and "def init_all(model):" not in starts
    assert "else:" not in starts and "except ImportError:" not in starts and "]" not in starts


def test_tricky_statements_are_checked_as_the_cli_checks_them():
    checker = IncrementalChecker()
    found = same_as_cli(checker, TRICKY)
    assert {f.code for f in found} >= {"INI001", "INI002"}
    assert checker.fast_runs == 1  # cut, parsed piece by piece, no fallback to the whole-file parse
    import libcst as cst

    # The module put together from the pieces is the tree libcst makes of the whole file.
    module, _ = _assemble(checker._parse(TRICKY, lambda: False, True))
    assert module.deep_equals(cst.parse_module(TRICKY))


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.py")))
def test_fixtures(fixture):
    same_as_cli(IncrementalChecker(), (FIXTURES / fixture).read_text(encoding="utf-8"), f"fixtures/{fixture}")


def test_a_sequence_of_edits_reuses_what_did_not_change():
    checker = IncrementalChecker()
    text = TRICKY
    same_as_cli(checker, text)
    edits = [
        ("self.b = nn.Linear(4, 2)", "self.b = nn.Linear(4, 3)"),  # inside one class
        ("\n8,\n", "\n8, 16,\n"),  # inside a bracket whose lines stand at column 0
        ("class Net(nn.Module):", "class Net(torch.nn.Module):"),
        ("nn.init.constant_(self.a.weight, 0.5)", "nn.init.zeros_(self.a.weight)"),
        ("# the end\n", "# the end\nclass Late(nn.Module):\n    def __init__(self):\n"
                        "        self.z = nn.Linear(1, 1)\n"),
        ("def factory(\n", "def factory(\n    "),
    ]
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
        same_as_cli(checker, text)
    assert checker.fast_runs == checker.runs


def test_a_syntax_error_is_reported_as_the_cli_reports_it():
    checker = IncrementalChecker()
    broken = TRICKY.replace("self.b = nn.Linear(4, 2)", "self.b = nn.Linear(4, 2")
    found = same_as_cli(checker, broken)
    assert [f.code for f in found] == ["INI900"]
    assert checker.fast_runs == 0
    same_as_cli(checker, TRICKY)  # and fixed again

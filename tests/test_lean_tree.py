"""The check's tree built from Python's parser (`lean_tree`) is libcst's tree for the analysis.

Three proofs: the two trees are equal in every field the analysis reads (classes, code-bearing
fields, operators, stars, relative-import dots, the comments of a statement's lines) on every Python
file of the tests; the findings and project exports of the two are equal on every such file, with no
fall-back to libcst; and the few things the lean tree takes from the text (code for messages,
positions, comments) are right on the shapes where `ast` and libcst disagree.
`benchmarks/lean_differential.py` runs the first two over a whole corpus.
"""

from __future__ import annotations

import json
import pathlib
import sys

import libcst as cst
import pytest

from init_lint import checker
from init_lint.analysis.walk import _CODE, _FIELDS
from init_lint.checker import check_source_with_analysis, parse_unvalidated
from init_lint.config import Settings
from init_lint.lean_tree import LeanModule, NotLean, lean_module
from init_lint.positions import locate
from init_lint.project import file_exports

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEST_FILES = sorted(p for folder in ("tests", "fixtures") for p in (ROOT / folder).rglob("*.py")
                    if "__pycache__" not in p.parts)


def projection(node: cst.CSTNode) -> list:
    """What the analysis can read of a tree: each node's class, code fields, operators and stars."""
    out: list = []
    stack = [("", node)]
    while stack:
        path, current = stack.pop()
        cls = cst.Module if current.__class__ is LeanModule else current.__class__
        out.append((path, cls.__name__))
        if cls is cst.SimpleStatementLine:
            leading = tuple(e.comment.value for e in current.leading_lines if e.comment is not None)
            trailing = current.trailing_whitespace.comment
            out.append((path, "comments", leading, trailing.value if trailing is not None else None))
        for name in ("operator", "star"):
            if name in getattr(cls, "__dataclass_fields__", {}):
                value = getattr(current, name)
                out.append((path, name, value if isinstance(value, str) else type(value).__name__))
        if cls is cst.ImportFrom:
            out.append((path, "relative", len(current.relative)))
        for name in _FIELDS[cls]:
            value = getattr(current, name)
            if isinstance(value, (list, tuple)):
                items = [item for item in value if _CODE[item.__class__]]
                stack += [(f"{path}.{name}[{i}]", item) for i, item in enumerate(items)]
            elif _CODE[value.__class__]:
                stack.append((f"{path}.{name}", value))
            elif isinstance(value, str):
                out.append((path, name, value))
    return out


def _text(path: pathlib.Path) -> str:
    text = path.read_bytes().decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def _lean_or_skip(text: str):
    try:
        return lean_module(text)
    except (NotLean, SyntaxError, ValueError):
        return None


def test_the_tests_hold_many_files():
    assert len(TEST_FILES) > 250


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_lean_tree_equals_libcst_s_in_what_the_analysis_reads(path):
    data = path.read_bytes()
    try:
        real = parse_unvalidated(data)
    except Exception:
        pytest.skip("libcst does not parse it")
    lean = _lean_or_skip(_text(path))
    if lean is None:
        pytest.skip("not built lean: libcst parses it")
    assert projection(lean) == projection(real)


def _key(finding) -> tuple:
    return (finding.code, finding.message, finding.line, finding.column, finding.end_line, finding.end_column,
            finding.fix, finding.strict, finding.help, finding.depends)


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_findings_and_exports_of_the_lean_tree_are_libcst_s_on_every_test_file(strict):
    settings = Settings(strict=strict)
    fell_back = len(checker.LEAN_FALLBACKS)
    compared = 0
    for path in TEST_FILES:
        data = path.read_bytes()
        if b"torch" not in data:
            continue
        lean, lean_analysis = check_source_with_analysis(data, str(path), settings, lean=True)
        full, full_analysis = check_source_with_analysis(data, str(path), settings)
        assert [_key(f) for f in lean] == [_key(f) for f in full], path
        if full_analysis is not None:
            assert isinstance(lean_analysis.module, LeanModule) or _lean_or_skip(_text(path)) is None, path
            assert json.dumps(file_exports(lean_analysis), sort_keys=True, default=repr) == \
                json.dumps(file_exports(full_analysis), sort_keys=True, default=repr), path
            compared += 1
    assert compared > 150
    assert checker.LEAN_FALLBACKS[fell_back:] == []


# ---------------------------------------------------------------- shapes where ast and libcst differ


SHAPES = '''\
# header comment: the module's, not the first statement's
import torch.nn as nn; from . import sibling
from ..pkg.sub import (a as b, c)


class Net(nn.Module):
    def __init__(self, n, *args, k=(1), **kw):
        super().__init__(); self.x = 1  # trailing
        self.fc = (nn.Linear((n), n * (2 + 1), bias=(False)))
        if n: self.a = 1
        elif k:
            pass
        else:
            if kw:
                pass
                    # deeper: the block's footer
        # the statement's own
        self.s = "a" 'b' f"{n!r:>3}"
        self.t = x[(1, 2)], x[1, 2], x[1:2, ::3], x[...]
        self.u = n and k and kw or not n
        self.v = -n ** 2 if n < k <= 3 is not None else [i for i in range(3) if i for j in ()]
        del self.a, self.x
        self.w = f(*args, k=1, *kw, **kw)
        self.é = "é"; self.fc2 = nn.Linear(3, 4)
        self.f = f"{{a}}{n:{k}.{kw}}" rf"""x{n}
y{args[0]!s}""" f"{n=}" "plain" f'{kw["k"]}' f"{n if n else k}" f"{(lambda: 1)()}"
'''


def test_the_shapes_where_ast_and_libcst_differ():
    assert projection(lean_module(SHAPES)) == projection(cst.parse_module(SHAPES))


def test_code_is_sliced_with_the_node_s_own_parentheses_as_libcst_generates_it():
    lean, real = lean_module(SHAPES), cst.parse_module(SHAPES)
    pairs = [(mine, theirs) for mine, theirs in zip(_walk(lean), _walk(real)) if lean.position(mine) is not None
             and isinstance(theirs, (cst.BaseExpression, cst.Arg)) and not isinstance(theirs, cst.FormattedString)]
    assert len(pairs) > 100
    in_fstrings = {id(n) for f in _walk(lean) if isinstance(f, cst.FormattedString) for n in _walk(f)}
    assert in_fstrings  # code inside f-strings has no position (Python 3.11 may misplace it): libcst places it
    assert all(lean.position(m) is not None for m in _walk(lean)
               if isinstance(m, (cst.Call, cst.Arg, cst.BinaryOperation, cst.Subscript)) and id(m) not in in_fstrings)
    for mine, theirs in pairs:
        if isinstance(theirs, cst.Arg):  # the rules render an argument without its comma
            theirs = theirs.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        assert lean.code_for_node(mine).strip() == cst.Module([]).code_for_node(theirs).strip()


def test_positions_are_libcst_s_in_characters():
    lean, real = lean_module(SHAPES), cst.parse_module(SHAPES)
    calls = [(m, t) for m, t in zip(_walk(lean), _walk(real))
             if isinstance(t, (cst.Call, cst.Attribute, cst.Name, cst.Arg)) and lean.position(m) is not None]
    assert len(calls) > 80
    mine = locate(lean, SHAPES, [m for m, _ in calls])
    theirs = locate(real, SHAPES, [t for _, t in calls])
    assert [mine[id(m)] for m, _ in calls] == [theirs[id(t)] for _, t in calls]
    last = [t for _, t in calls if isinstance(t, cst.Call)][-1]
    assert theirs[id(last)].start.column == len("        self.é = \"é\"; self.fc2 = ")


def _walk(node):
    from init_lint.analysis.walk import walk

    return [n for n in walk(node) if not isinstance(n, (cst.SimpleStatementLine, cst.BaseSuite))]


@pytest.mark.parametrize("text", [
    "import torch\nmatch x:\n    case 1:\n        pass\n",   # match: not built lean
    "import torch\nx = 1\x0c\ny = 2\n",                       # a form feed: str.splitlines and Python disagree
    "import torch\ndef f[T](x: T) -> T:\n    return x\n",     # type parameters
], ids=["match", "form-feed", "type-parameters"])
def test_syntax_not_built_lean_is_parsed_by_libcst(text):
    if "def f[T]" in text and sys.version_info < (3, 12):
        with pytest.raises(SyntaxError):
            lean_module(text)
    else:
        with pytest.raises(NotLean):
            lean_module(text)
    parsed = checker.parse(text.encode(), "m.py", Settings(), lean=True)
    assert parsed.module is None or not isinstance(parsed.module, LeanModule)


def test_a_syntax_error_reads_as_libcst_s_path_reports_it():
    text = b"import torch\ndef f(:\n"
    assert check_source_with_analysis(text, "e.py", lean=True)[0] == check_source_with_analysis(text, "e.py")[0]


def test_a_lean_analysis_that_fails_is_done_again_from_libcst_s_tree(monkeypatch):
    """A field the lean tree lacks is an AttributeError in the analysis: libcst's tree decides the file."""
    text = (b"import torch.nn as nn\n\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            b"        self.fc = nn.Linear(3, 4)\n")
    import init_lint.analysis as analysis_package

    real_analyze = analysis_package.analyze

    def fails_on_lean(module, *args):
        if isinstance(module, LeanModule):
            raise AttributeError("'Name' object has no attribute 'lpar'")
        return real_analyze(module, *args)

    monkeypatch.setattr(analysis_package, "analyze", fails_on_lean)
    before = len(checker.LEAN_FALLBACKS)
    findings, analysis = check_source_with_analysis(text, "fallback.py", lean=True)
    assert findings and not isinstance(analysis.module, LeanModule)
    assert [_key(f) for f in findings] == [_key(f) for f in check_source_with_analysis(text, "fallback.py")[0]]
    assert checker.LEAN_FALLBACKS[before:] == ["fallback.py"]

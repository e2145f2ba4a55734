"""Every fixture and real-world case, fixed in every way: the result parses, is a fixed point, has no
fixable finding left, and (explicit style, safe fixes) only adds lines.  With torch installed, the
skip-init result also builds models whose parameters are bitwise those of the original.
"""

from __future__ import annotations

import ast
import difflib
import sys
import types
from collections import Counter
from pathlib import Path

import pytest

from init_lint.api import check_source, fix_source
from init_lint.diagnostics import SAFE

REPO = Path(__file__).resolve().parent.parent
FILES = sorted((REPO / "fixtures").glob("*.py")) + sorted((REPO / "tests" / "realworld").glob("*.py"))
MODES = [("explicit", False), ("skip-init", False), ("explicit", True), ("skip-init", True)]

#: (file name, test, style or None for all) -> why it fails; each is a bug in src/ (strict xfail: fixing the bug
#: flips it to a failure, and the entry should then go)
KNOWN_BUGS: dict = {}


def cases(test: str, modes=MODES):
    for path in FILES:
        for style, unsafe in modes:
            marks = []
            reason = KNOWN_BUGS.get((path.name, test, style)) or KNOWN_BUGS.get((path.name, test, None))
            if reason:
                marks = [pytest.mark.xfail(strict=True, reason=reason)]
            ident = f"{path.parent.name}/{path.name}-{style}{'-unsafe' if unsafe else ''}"
            yield pytest.param(path, style, unsafe, marks=marks, id=ident)


_results: dict = {}


def fix_result(path: Path, style: str, unsafe: bool):
    """Each file is fixed once per mode (the tests below share the result)."""
    key = (path, style, unsafe)
    if key not in _results:
        _results[key] = fix_source(path.read_bytes(), str(path), style=style, unsafe=unsafe)
    return _results[key]


def fixed(path: Path, style: str, unsafe: bool) -> bytes:
    return fix_result(path, style, unsafe).source


@pytest.mark.parametrize("path, style, unsafe", list(cases("parses")))
def test_fixed_file_parses(path, style, unsafe):
    source = fixed(path, style, unsafe)
    ast.parse(source, filename=str(path))
    if style == "skip-init" and b"skip_init(" in source and source != path.read_bytes():
        assert b"skip_init" in source


@pytest.mark.parametrize("path, style, unsafe", list(cases("idempotent")))
def test_fixing_again_changes_nothing(path, style, unsafe):
    once = fixed(path, style, unsafe)
    again = fix_source(once, str(path), style=style, unsafe=unsafe)
    assert again.source == once, "".join(difflib.unified_diff(
        once.decode().splitlines(True), again.source.decode().splitlines(True)))
    assert again.fixed == []


@pytest.mark.parametrize("path, style, unsafe", list(cases("no_fixable_left")))
def test_no_fixable_finding_left(path, style, unsafe):
    result = fix_result(path, style, unsafe)
    left = [f for f in check_source(result.source, str(path))
            if (f.fix == SAFE or (unsafe and f.fix is not None))]
    # a refused fix may stay (it is reported with its reason); anything else that has a fix must be gone
    refused = Counter(f.code for f, _ in result.refused)
    assert not (Counter(f.code for f in left) - refused), [(f.code, f.line, f.message) for f in left]


@pytest.mark.parametrize("path, style, unsafe", list(cases("only_additions", [("explicit", False)])))
def test_explicit_safe_fix_only_adds_lines(path, style, unsafe):
    before = path.read_bytes().splitlines(keepends=True)
    after = fixed(path, style, unsafe).splitlines(keepends=True)
    removed = [line for line in difflib.ndiff(before, after) if line.startswith("- ")]
    assert removed == []


@pytest.mark.parametrize("path, style, unsafe", list(cases("replacements", [("skip-init", False), ("explicit", True)])))
def test_other_fixes_only_replace_what_they_fix(path, style, unsafe):
    before = path.read_bytes()
    result = fix_result(path, style, unsafe)
    old, new = before.splitlines(keepends=True), result.source.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    fixed_lines = {line for f in result.fixed for line in range(f.line, f.end_line + 1)}
    # and the lines the fixes' own edits replace (INI004 rewrites the bound computed just before)
    fixed_lines |= {line for f in result.fixed for e in f.fix_edits.edits if not e.is_insertion
                    for line in range(e.line, e.end_line + 1)}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "insert"):
            continue
        assert tag == "replace", (tag, old[i1:i2])
        # a replaced line is within a statement whose finding was fixed (skip-init wraps a
        # constructor; unsafe fixes replace the init call), or one its fix's edits replace
        touched = set(range(i1 + 1, i2 + 1))
        statement_lines = _statement_lines(before, touched)
        assert statement_lines & fixed_lines, (old[i1:i2], sorted(fixed_lines))


def _statement_lines(source: bytes, lines: set) -> set:
    """All lines of the simple statements that contain any of `lines`."""
    tree = ast.parse(source)
    covered = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.For, ast.If,
                                                                ast.With, ast.While, ast.Try)):
            span = set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            if span & lines:
                covered |= span
    return covered or lines


def test_every_fixture_fixed_somewhere():
    """The sweep is not vacuous: most files with a safe finding get an edit."""
    changed = sum(fixed(p, "explicit", False) != p.read_bytes() for p in FILES)
    assert changed >= 35, changed


# ------------------------------------------------------------------ values (needs torch)


def _load(source: bytes, name: str):
    module = types.ModuleType(name)
    module.__file__ = name
    code = compile(source, name, "exec")
    exec(code, module.__dict__)
    return module


def _models(module) -> list:
    import torch.nn as nn

    found = []
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, nn.Module) and value.__module__ == module.__name__:
            found.append(value)
    return found


def _build(cls, seed: int = 0):
    import torch

    torch.manual_seed(seed)
    try:
        return cls()
    except Exception:  # needs arguments, or an unavailable library: not comparable here
        return None


@pytest.mark.parametrize("path, style, unsafe", list(cases("same_values", [("skip-init", False)])))
def test_skip_init_fix_keeps_values_bitwise(path, style, unsafe):
    torch = pytest.importorskip("torch")
    original_source = path.read_bytes()
    fixed_source = fixed(path, style, unsafe)
    if fixed_source == original_source:
        pytest.skip("nothing to fix")
    name = f"_init_lint_case_{path.stem}"
    try:
        original = _load(original_source, name)
    except Exception as error:  # an import of a library that is not installed
        pytest.skip(f"cannot import the original: {type(error).__name__}: {error}")
    fixed_module = _load(fixed_source, name)  # the fixed file must import wherever the original does
    compared = 0
    for cls in _models(original):
        before = _build(cls)
        if before is None:
            continue
        after_cls = getattr(fixed_module, cls.__name__)
        torch.manual_seed(0)
        after = after_cls()  # the fixed code must construct whatever the original could
        one, two = dict(before.named_parameters()), dict(after.named_parameters())
        assert one.keys() == two.keys(), cls.__name__
        for key in one:
            assert one[key].shape == two[key].shape and one[key].dtype == two[key].dtype, (cls.__name__, key)
            assert torch.equal(one[key], two[key]), (cls.__name__, key)
        for (k1, b1), (k2, b2) in zip(before.named_buffers(), after.named_buffers()):
            assert k1 == k2 and torch.equal(b1, b2), (cls.__name__, k1)
        compared += 1
    if not compared:
        pytest.skip("no class constructible without arguments")
    sys.modules.pop(name, None)

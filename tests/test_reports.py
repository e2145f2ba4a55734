"""rdjson's suggestions are the findings' own fixes: applied to the file, each writes exactly what
`init-lint check --fix --unsafe-fixes` writes when that finding alone is fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from init_lint.checker import check_source
from init_lint.config import Settings
from init_lint.fixes.apply import fix_source
from init_lint.reports import fix_suggestions

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = ["tanh_3_4_5_2_default.py", "ini004_bias_bound_wrong.py", "ini002_constant_weight_fill.py",
         "ini009_randn_linear_stack.py", "containers_default.py", "import_from_torch_nn_init.py"]


def apply_suggestions(text: str, suggestions: list) -> str:
    lines = text.splitlines(keepends=True)
    for start, end, new in sorted(suggestions, reverse=True):  # bottom up: line numbers stay valid
        assert start < end  # reviewdog posts whole replaced lines: never an empty range
        lines[start - 1:end - 1] = [new]
    return "".join(lines)


@pytest.mark.parametrize("style", ["explicit", "skip-init"])
@pytest.mark.parametrize("fixture", CASES)
def test_each_suggestion_is_what_the_fix_writes(tmp_path, fixture, style):
    path = tmp_path / fixture
    path.write_bytes((FIXTURES / fixture).read_bytes())
    data, settings = path.read_bytes(), Settings(fix_style=style)
    findings = check_source(data, str(path), settings)
    suggestions = fix_suggestions(findings, settings, style)
    assert suggestions
    for finding in findings:
        alone = fix_source(data, str(path), settings, unsafe=True,
                           keep=frozenset({(finding.line, finding.column, finding.code)}))
        if finding not in suggestions:
            assert not alone.fixed, finding
            continue
        assert apply_suggestions(data.decode("utf-8"), suggestions[finding]) == alone.source.decode("utf-8")


def test_rdjson_output_carries_them(run, tmp_path):
    (tmp_path / "m.py").write_bytes((FIXTURES / "ini004_bias_bound_wrong.py").read_bytes())
    code, out, _ = run("check", "--no-cache", "--output-format", "rdjson", "m.py")
    text = (tmp_path / "m.py").read_text(encoding="utf-8")
    report = json.loads(out)
    fixed = [item for item in report["diagnostics"] if item.get("suggestions")]
    assert code == 1 and fixed
    for item in fixed:
        suggestions = [(s["range"]["start"]["line"], s["range"]["end"]["line"], s["text"]) for s in item["suggestions"]]
        assert all(s["range"]["start"]["column"] == s["range"]["end"]["column"] == 1 for s in item["suggestions"])
        compile(apply_suggestions(text, suggestions), "m.py", "exec")


def test_suggestions_come_from_one_build_of_the_fixes_not_a_fix_per_finding(tmp_path, monkeypatch):
    from init_lint.fixes import apply

    path = tmp_path / "m.py"
    path.write_bytes((FIXTURES / "tanh_3_4_5_2_default.py").read_bytes())
    findings = check_source(path.read_bytes(), str(path), Settings())
    built = []
    fixes_of = apply.fixes_of
    monkeypatch.setattr(apply, "fixes_of", lambda *args, **kw: built.append(args[1]) or fixes_of(*args, **kw))
    monkeypatch.setattr(apply, "fix_source", lambda *args, **kw: pytest.fail("a whole-file fix per finding"))
    suggestions = fix_suggestions(findings, Settings())
    assert len(suggestions) == len([f for f in findings if f.fix is not None]) >= 3
    assert built == [str(path)]

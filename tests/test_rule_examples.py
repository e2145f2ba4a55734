"""Fixit-style: every rule's own `valid` and `invalid` examples, and its documentation page."""

from __future__ import annotations

import ast
import textwrap

import pytest

from init_lint.api import check_source, fix_source
from init_lint.config import Settings
from init_lint.diagnostics import SAFE
from init_lint.rules import ALL_RULES, find_rule
from init_lint.rules._examples import Invalid

RULES = list(ALL_RULES.values())


def examples(kind: str):
    for rule in RULES:
        for index, example in enumerate(getattr(rule, kind)):
            code = example.code if isinstance(example, Invalid) else example
            yield pytest.param(rule, textwrap.dedent(code), id=f"{rule.code}-{kind}-{index}")


def expected_fixes():
    for rule in RULES:
        for index, example in enumerate(rule.invalid):
            yield pytest.param(rule, example, id=f"{rule.code}-invalid-{index}")


def only(code: str) -> Settings:
    return Settings(select=(code,))


def test_rule_catalogue():
    assert set(ALL_RULES) >= {"INI001", "INI002", "INI003", "INI004", "INI005", "INI900"}
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    for code, rule in ALL_RULES.items():
        assert rule.code == code
        assert find_rule(code) is rule and find_rule(rule.name) is rule


@pytest.mark.parametrize("rule", [r for r in RULES if r.code != "INI900"], ids=lambda r: r.code)
def test_every_rule_has_examples(rule):
    assert len(rule.valid) >= 1 and len(rule.invalid) >= 1


@pytest.mark.parametrize("rule, source", list(examples("valid")))
def test_valid_example_not_reported(rule, source):
    ast.parse(source)
    for settings in (Settings(), only(rule.code)):
        codes = [f.code for f in check_source(source, "example.py", settings)]
        assert rule.code not in codes and "INI900" not in codes, codes


@pytest.mark.parametrize("rule, source", list(examples("invalid")))
def test_invalid_example_reported(rule, source):
    ast.parse(source)
    findings = [f for f in check_source(source, "example.py", only(rule.code)) if f.code == rule.code]
    assert findings, rule.code
    for finding in findings:
        assert finding.line >= 1 and finding.message
    # the same with every rule on (no other rule hides it)
    assert rule.code in [f.code for f in check_source(source, "example.py")]


@pytest.mark.parametrize("rule, source", list(examples("invalid")))
def test_invalid_example_fixed(rule, source):
    """Where the rule offers a fix, applying it (unsafe included) clears the finding and parses."""
    findings = [f for f in check_source(source, "example.py", only(rule.code)) if f.code == rule.code]
    if all(f.fix is None for f in findings):
        pytest.skip("no fix offered")
    for style in ("explicit", "skip-init"):
        result = fix_source(source, "example.py", only(rule.code), unsafe=True, style=style)
        ast.parse(result.source)
        refused = len(result.refused)
        left = [f for f in check_source(result.source, "example.py", only(rule.code)) if f.fix is not None]
        assert len(left) <= refused, (style, [(f.line, f.message) for f in left], result.source)
        again = fix_source(result.source, "example.py", only(rule.code), unsafe=True, style=style)
        assert again.source == result.source


@pytest.mark.parametrize("rule, example", list(expected_fixes()))
def test_invalid_example_gives_the_expected_fixed_code(rule, example):
    """Fixit's `Invalid(code, expected_replacement)`: the fix, exactly (only this rule, unsafe fixes on,
    explicit style); an example without `expected` gets no fix."""
    assert isinstance(example, Invalid), f"{rule.code}: state the expected fixed code of every invalid example"
    source = textwrap.dedent(example.code)
    result = fix_source(source, "example.py", only(rule.code), unsafe=True, style="explicit")
    if example.expected is None:
        assert result.source == source
    else:
        assert result.source == textwrap.dedent(example.expected), result.source


def test_ini900_examples():
    rule = ALL_RULES["INI900"]
    bad = textwrap.dedent(rule.example)
    good = textwrap.dedent(rule.use_instead)
    assert [f.code for f in check_source("import torch.nn as nn\n" + bad, "x.py")] == ["INI900"]
    assert check_source("import torch.nn as nn\n" + good, "x.py") == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_page(rule):
    page = rule.page()
    assert page.startswith(f"# {rule.name} ({rule.code})")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "Use instead:", "## Fix safety"):
        assert heading in page
    for part in (rule.summary, rule.what, rule.why, rule.example, rule.use_instead, rule.fix_safety):
        assert part.strip(), rule.code
    assert textwrap.dedent(rule.example).strip() in page
    assert textwrap.dedent(rule.use_instead).strip() in page
    assert rule.example.strip() != rule.use_instead.strip()


@pytest.mark.parametrize("rule", [r for r in RULES if r.code != "INI900"], ids=lambda r: r.code)
def test_documented_snippets_parse(rule):
    """The page's `Example` and `Use instead` are Python (fragments of a class body or whole classes)."""
    for snippet in (rule.example, rule.use_instead):
        ast.parse(textwrap.dedent(snippet))


@pytest.mark.parametrize("rule", [r for r in RULES if r.code != "INI900"], ids=lambda r: r.code)
def test_documented_example_is_reported_and_use_instead_is_not(rule):
    """The page's snippets, put in a module class, behave as the page says."""
    def as_module(snippet: str) -> str:
        body = textwrap.dedent(snippet).strip("\n")
        if body.lstrip().startswith("class "):
            return "import math\nimport torch\nimport torch.nn as nn\n\n\n" + body + "\n"
        if "nn.Linear(" not in body and "nn.Conv" not in body:
            body = "self.fc = nn.Linear(3, 4)\n" + body  # a fragment about "the layers": give it one
        return ("import math\nimport torch\nimport torch.nn as nn\n\n\nclass Doc(nn.Module):\n"
                "    def __init__(self):\n        super().__init__()\n" + textwrap.indent(body, " " * 8) + "\n"
                "\n    def forward(self, x):\n" + _forward(body) + "\n")

    example = as_module(rule.example)
    use_instead = as_module(rule.use_instead)
    assert rule.code in [f.code for f in check_source(example, "doc.py", only(rule.code))], example
    assert rule.code not in [f.code for f in check_source(use_instead, "doc.py", only(rule.code))], use_instead


def _forward(body: str) -> str:
    """A forward that chains the snippet's Sequential (so that INI003's hidden layer feeds another)."""
    if "self.net = nn.Sequential" in body:
        return "        return self.net(x)"
    return "        return x"


def test_rule_text_mentions_its_fix_safety():
    for rule in RULES:
        text = rule.fix_safety.lower()
        if rule.code in ("INI001", "INI006", "INI007", "INI008"):
            assert "safe" in text
        elif rule.code == "INI900":
            assert text
        else:
            assert "unsafe" in text


def test_findings_use_only_catalogued_codes():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "fixtures"
    for path in sorted(root.glob("*.py")):
        for finding in check_source(path.read_bytes(), str(path)):
            assert finding.code in ALL_RULES
            assert finding.fix in (None, SAFE, "unsafe")

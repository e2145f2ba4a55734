"""docs/rules.md is the rules' own documentation, regenerated: it never drifts from `init-lint rule`."""

from pathlib import Path

from init_lint.rules import ALL_RULES, rules_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_rules_doc_is_up_to_date() -> None:
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: python -c \"from init_lint.rules import rules_markdown; "
        "open('docs/rules.md','w').write(rules_markdown())\"")


def test_every_rule_page_has_the_ruff_sections() -> None:
    for rule in ALL_RULES.values():
        page = rule.page()
        for section in ("## What it does", "## Why is this bad?", "## Example", "Use instead:", "## Fix safety"):
            assert section in page, (rule.code, section)

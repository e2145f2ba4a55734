"""The rule catalogue: one rule per module, each with its documentation and examples."""

from __future__ import annotations

from init_lint.rules import (
    bias_fan_in_mismatch, constant_weight_fill, fan_init_on_1d, implicit_default_attention,
    implicit_default_embedding, implicit_default_init, implicit_default_recurrent, unparsable_file,
    unscaled_random_weight, zero_weight_fill,
)
from init_lint.rules.base import Rule

ALL_RULES: dict[str, Rule] = {
    module.RULE.code: module.RULE
    for module in (implicit_default_init, constant_weight_fill, zero_weight_fill, bias_fan_in_mismatch,
                   fan_init_on_1d, implicit_default_embedding, implicit_default_recurrent,
                   implicit_default_attention, unscaled_random_weight, unparsable_file)
}


def find_rule(code_or_name: str) -> Rule | None:
    """The rule with that code (`INI001`) or name (`implicit-default-init`), or None."""
    wanted = code_or_name.strip()
    for rule in ALL_RULES.values():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            return rule
    return None


def rules_markdown() -> str:
    """docs/rules.md: every rule's page, with an anchor per code (the links in diagnostics point there)."""
    index = "\n".join(f"| [{rule.code}](#{rule.code.lower()}) | {rule.name} | {rule.summary} |"
                       for rule in ALL_RULES.values())
    pages = "\n".join(f'<a id="{rule.code.lower()}"></a>\n\n{rule.page()}' for rule in ALL_RULES.values())
    return (
        "# init-lint rules\n\n"
        "Generated from the rules' own documentation (`init-lint rule --all`); "
        "`tests/test_rule_docs.py` keeps this file in sync.\n\n"
        "| code | name | what it finds |\n|---|---|---|\n" + index + "\n\n" + pages
    )

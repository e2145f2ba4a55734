"""Render findings: text (flake8/ruff style), JSON, GitHub annotations, SARIF 2.1.0."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Iterable

from init_lint import __version__
from init_lint.diagnostics import SAFE, Finding
from init_lint.rules import ALL_RULES

FORMATS = ("text", "json", "github", "sarif")
RULE_DOCS = "https://github.com/init-lint/init-lint/blob/main/docs/rules.md#{code}"


def render(findings: list[Finding], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([_json(f) for f in findings], indent=2) + "\n"
    if fmt == "github":
        return "".join(_github(f) + "\n" for f in findings)
    if fmt == "sarif":
        return json.dumps(sarif(findings), indent=2) + "\n"
    return "".join(text_line(f) + "\n" for f in findings)


def text_line(finding: Finding) -> str:
    marker = " [*]" if finding.fix == SAFE else ""
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.line}:{finding.column + 1}: {finding.code}{marker} {finding.message}"


def _json(finding: Finding) -> dict:
    data = finding.to_dict()
    data["fixable"] = finding.fix is not None
    data["fix_safe"] = finding.fix == SAFE if finding.fix is not None else None
    data["url"] = RULE_DOCS.format(code=finding.code.lower())
    return data


def _escape_github(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github(finding: Finding) -> str:
    level = "error" if finding.code == "INI900" else "warning"
    props = (f"file={_escape_github(finding.path, True)},line={finding.line},col={finding.column + 1},"
             f"endLine={finding.end_line},endColumn={finding.end_column + 1},title={finding.code}")
    cell = f"cell {finding.cell}: " if finding.cell is not None else ""
    return f"::{level} {props}::{_escape_github(cell + finding.code + ' ' + finding.message)}"


def sarif(findings: Iterable[Finding]) -> dict:
    findings = list(findings)
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": " ".join(rule.what.split())},
            "help": {"text": rule.page(), "markdown": rule.page()},
            "helpUri": RULE_DOCS.format(code=rule.code.lower()),
            "defaultConfiguration": {"level": "error" if rule.code == "INI900" else "warning"},
        }
        for rule in ALL_RULES.values()
    ]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in findings:
        uri = f.path if not os.path.isabs(f.path) else os.path.relpath(f.path)
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error" if f.code == "INI900" else "warning",
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri.replace(os.sep, "/")},
                    "region": {"startLine": f.line, "startColumn": f.column + 1, "endLine": f.end_line,
                               "endColumn": f.end_column + 1},
                }
            }],
        }
        if f.cell is not None:  # the notebook is the artifact; lines count in the cell
            result["locations"][0]["logicalLocations"] = [{"name": f"cell {f.cell}", "kind": "module"}]
            result["properties"] = {"cell": f.cell}
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "init-lint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://github.com/init-lint/init-lint", "rules": rules}},
            "results": results,
        }],
    }


def summary(findings: list[Finding], fixed: int = 0, unsafe_hidden: bool = True) -> str:
    remaining = len(findings)
    if not remaining and not fixed:
        return "All checks passed!"
    parts = []
    if fixed:
        parts.append(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}")
    if remaining:
        parts.append(f"{'found' if fixed else 'Found'} {remaining} {'more ' if fixed else ''}"
                     f"finding{'s' if remaining != 1 else ''}")
    line = ", ".join(parts) + "."
    safe = sum(1 for f in findings if f.fix == SAFE)
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix != SAFE)
    if safe:
        line += f"\n[*] {safe} fixable with `--fix`."
    if unsafe and unsafe_hidden:
        line += f"\n{unsafe} more fixable with `--fix --unsafe-fixes`."
    return line


def statistics(findings: list[Finding]) -> str:
    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fix == SAFE)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = ALL_RULES.get(code)
        marker = "[*]" if fixable[code] else "   "
        lines.append(f"{count:5d}\t{code}\t{marker} {rule.name if rule else ''}")
    return "\n".join(lines) + ("\n" if lines else "")

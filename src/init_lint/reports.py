"""Findings for machines: JSON, JSON lines, GitHub annotations, GitLab Code Quality, reviewdog's
rdjson (with fixes as suggestions), SARIF 2.1.0 and JUnit XML."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from typing import Iterable, Optional
from xml.sax.saxutils import quoteattr

from init_lint import __version__
from init_lint.diagnostics import SAFE, Finding
from init_lint.output import relative, rule_url
from init_lint.rule_pages import RULES


def render(findings: list[Finding], fmt: str, suggestions: Optional[dict] = None) -> str:
    """`suggestions` (rdjson): finding -> [(start line, end line, replacement text)], see `fix_suggestions`."""
    if fmt == "json":
        return json.dumps([_json(f) for f in findings], indent=2) + "\n"
    if fmt == "json-lines":
        return "".join(json.dumps(_json(f)) + "\n" for f in findings)
    if fmt == "github":
        return "".join(_github(f) + "\n" for f in findings)
    if fmt == "gitlab":
        return json.dumps(gitlab(findings), indent=2) + "\n"
    if fmt == "rdjson":
        return json.dumps(rdjson(findings, suggestions or {}), indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(sarif(findings), indent=2) + "\n"
    if fmt == "junit":
        return junit(findings)
    raise ValueError(f"unknown output format {fmt!r}")


def _severity(finding: Finding) -> str:
    return "error" if finding.code == "INI900" else "warning"


def _json(finding: Finding) -> dict:
    data = finding.to_dict()
    data["fixable"] = finding.fix is not None
    data["fix_safe"] = finding.fix == SAFE if finding.fix is not None else None
    data["url"] = rule_url(finding.code)
    return data


def _escape_github(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github(finding: Finding) -> str:
    props = (f"file={_escape_github(finding.path, True)},line={finding.line},col={finding.column + 1},"
             f"endLine={finding.end_line},endColumn={finding.end_column + 1},title={finding.code}")
    cell = f"cell {finding.cell}: " if finding.cell is not None else ""
    text = cell + finding.code + " " + finding.message + (f"\nhelp: {finding.help}" if finding.help else "")
    return f"::{_severity(finding)} {props}::{_escape_github(text)}"


def gitlab(findings: Iterable[Finding]) -> list:
    """GitLab Code Quality: the fingerprint is stable while the finding's code, file and message are
    (line numbers are left out so that an edit above a finding does not make it "new")."""
    seen: Counter = Counter()
    report = []
    for f in findings:
        path = relative(f.path)
        key = f"{f.code}\0{path}\0{f.message}"
        seen[key] += 1
        fingerprint = hashlib.sha256(f"{key}\0{seen[key]}".encode("utf-8", "surrogateescape")).hexdigest()[:32]
        report.append({
            "description": f"{f.code} {f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": "critical" if f.code == "INI900" else "major",
            "location": {"path": path, "lines": {"begin": f.line, "end": f.end_line}},
        })
    return report


def rdjson(findings: Iterable[Finding], suggestions: dict) -> dict:
    """reviewdog's diagnostic format; a fix becomes `suggestions` reviewdog posts as suggested changes."""
    diagnostics = []
    for f in findings:
        item = {
            "message": f.message + (f"\nhelp: {f.help}" if f.help else ""),
            "location": {"path": relative(f.path), "range": {
                "start": {"line": f.line, "column": f.column + 1},
                "end": {"line": f.end_line, "column": f.end_column + 1}}},
            "severity": _severity(f).upper(),
            "code": {"value": f.code},
        }
        url = rule_url(f.code)
        if url:
            item["code"]["url"] = url
        edits = suggestions.get(f)
        if edits:
            item["suggestions"] = [{
                "range": {"start": {"line": start, "column": 1}, "end": {"line": end, "column": 1}},
                "text": text,
            } for start, end, text in edits]
        diagnostics.append(item)
    return {"source": {"name": "init-lint"}, "severity": "WARNING", "diagnostics": diagnostics}


def fix_suggestions(findings: list[Finding], settings, style: Optional[str] = None) -> dict:
    """finding -> [(first line, line after the last, new text)], 1-based: the lines the finding's own
    `Fix` changes (the edits `init-lint check --fix` applies for it: the inserted recipe and, where it
    needs one, the `import math`), whole lines, as reviewdog posts them.  One check and one build of
    every fix per file; unsafe fixes too (a reviewer decides)."""
    from init_lint.checker import decode
    from init_lint.fixes.apply import fixes_of
    from init_lint.fixes.edits import apply_edits

    by_path: dict = {}
    for f in findings:
        if f.fix is not None and f.cell is None:  # a notebook is fixed by `check --fix`, not line by line
            by_path.setdefault(f.path, []).append(f)
    result = {}
    for path, fixable in by_path.items():
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        text, _ = decode(data, path)
        if text is None:
            continue
        built = {(f.code, f.line, f.column, f.message): f.fix_edits
                 for f in fixes_of(data, path, settings, unsafe=True, style=style) if f.fix_edits is not None}
        for f in fixable:
            fix = built.get((f.code, f.line, f.column, f.message))
            if fix is not None:
                fixed = apply_edits(text, list(fix.edits))
                result[f] = [(start + 1, stop + 1, new) for start, stop, new in
                             edit_hunks(text, fix.edits, fixed, whole_lines=True)]
    return result


def edit_hunks(text: str, edits: Iterable, fixed: str, whole_lines: bool = False) -> list:
    """What `edits` (`diagnostics.Edit`s of `text`; `fixed` is the text they give, as `fixes.edits.merge`
    applies them) change, as line hunks (first line, line after the last, new text), 0-based: the lines
    the edits touch, one hunk where they touch or adjoin.  An insertion at the start of a line is a
    hunk of no line; with `whole_lines` (reviewdog's suggestions replace lines) it takes the line above
    along (the first line, at the top).  No diff of the two texts: this is linear in the edits."""
    import bisect

    from init_lint.fixes.edits import LineIndex

    index = LineIndex(text)
    starts = index.starts

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    groups: list = []  # [first line, last line, spans], a group of no line when last < first
    spans = {(index.offset(e.line, e.column), index.offset(e.end_line, e.end_column), e.content) for e in edits}
    for start, end, content in sorted(spans, key=lambda span: (line_of(span[0]), span[0], span[1])):
        first = line_of(start)
        last = first - 1 if start == end and starts[first] == start else line_of(max(start, end - 1))
        if groups and first <= groups[-1][1] + 1:
            groups[-1][1] = max(groups[-1][1], last)
            groups[-1][2].append((start, end, content))
        else:
            groups.append([first, last, [(start, end, content)]])
    hunks, shift = [], 0
    lines = len(starts) - (1 if starts[-1] == len(text) else 0)
    for first, last, group in groups:
        if whole_lines and last < first and lines:
            first = last = max(first - 1, 0)
        begin = starts[first] if first < len(starts) else len(text)
        stop = starts[last + 1] if last + 1 < len(starts) else len(text)
        grown = sum(len(content) - (end - start) for start, end, content in group)
        hunks.append((first, last + 1, fixed[begin + shift:stop + shift + grown]))
        shift += grown
    return hunks


def line_hunks(before: list, after: list) -> list:
    """The changes from `before` to `after` (lists of lines) as (first line, line after the last, text),
    1-based, each replacing at least one line."""
    hunks = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:  # a pure insertion: take the line above along (or the line below, at the top)
            if i1 > 0:
                i1, j1 = i1 - 1, j1 - 1
            else:
                i2, j2 = i2 + 1, j2 + 1
        hunks.append((i1 + 1, i2 + 1, "".join(after[j1:j2])))
    return hunks


def sarif(findings: Iterable[Finding]) -> dict:
    findings = list(findings)
    rules = []
    for code, page in RULES.items():
        rule = {
            "id": code,
            "name": page["name"],
            "shortDescription": {"text": page["summary"]},
            "fullDescription": {"text": " ".join(page["what"].split())},
            "help": {"text": page["page"], "markdown": page["page"]},
            "defaultConfiguration": {"level": "error" if code == "INI900" else "warning"},
        }
        if rule_url(code):
            rule["helpUri"] = rule_url(code)
        rules.append(rule)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in findings:
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _severity(f),
            "message": {"text": f.message + (f" (help: {f.help})" if f.help else "")},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": relative(f.path)},
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
                                "rules": rules}},
            "results": results,
        }],
    }


def junit(findings: Iterable[Finding]) -> str:
    """One test suite per file, one failed test case per finding (CI dashboards show them as tests)."""
    by_path: dict = {}
    for f in findings:
        by_path.setdefault(relative(f.path), []).append(f)
    total = sum(len(found) for found in by_path.values())
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="init-lint" tests="{total}" failures="{total}" errors="0">']
    for path, found in by_path.items():
        out.append(f'  <testsuite name={quoteattr(path)} tests="{len(found)}" failures="{len(found)}" errors="0">')
        for f in found:
            text = f"line {f.line}, column {f.column + 1}: {f.message}" + (f"\nhelp: {f.help}" if f.help else "")
            out.append(f'    <testcase name={quoteattr(f"{f.code} at {f.line}:{f.column + 1}")} '
                       f'classname={quoteattr(path)} file={quoteattr(path)} line="{f.line}">')
            out.append(f'      <failure message={quoteattr(f.message)} type={quoteattr(f.code)}>'
                       f'{_xml_text(text)}</failure>')
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def _xml_text(text: str) -> str:
    text = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)  # XML 1.0 forbids other controls
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

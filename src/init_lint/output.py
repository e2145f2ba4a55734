"""What a person reads: findings as one line (`concise`) or with a code frame and help (`full`),
the summary, `--statistics` and `--show-fixes`.  Machine formats live in `reports`.

Light on purpose: no libcst, no rules (their names come from the generated `rule_pages`), so a run
over files that never mention torch never loads them.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Optional

from init_lint.diagnostics import SAFE, UNSAFE, Finding
from init_lint.rule_pages import RULES

#: "text" is the historical name of `concise`; the machine formats are rendered by `reports`
HUMAN_FORMATS = ("full", "concise", "text")
FORMATS = HUMAN_FORMATS + ("json", "json-lines", "github", "gitlab", "rdjson", "sarif", "junit")

#: the rule pages of this checkout (docs/rules.md); the project is published nowhere else yet
_RULES_MD = Path(__file__).resolve().parent.parent.parent / "docs" / "rules.md"
RULE_DOCS = _RULES_MD.as_uri() + "#{code}"


def rule_url(code: str) -> Optional[str]:
    """Where the rule's page is, when this installation has it (a source checkout); else None."""
    return RULE_DOCS.format(code=code.lower()) if _RULES_MD.is_file() else None


def default_format(stream) -> str:
    """`full` for a person at a terminal, `concise` for pipes, files and scripts (as ruff does)."""
    try:
        return "full" if stream.isatty() else "concise"
    except (AttributeError, ValueError):
        return "concise"


def marker(finding: Finding) -> str:
    """`[*]`: `--fix` fixes it; `[-]`: `--fix --unsafe-fixes` does (the fix changes values)."""
    if finding.fix == SAFE:
        return " [*]"
    if finding.fix == UNSAFE:
        return " [-]"
    return ""


def text_line(finding: Finding) -> str:
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.line}:{finding.column + 1}: {finding.code}{marker(finding)} {finding.message}"


def render(findings: list[Finding], fmt: str, source: Optional[Callable[[str], Optional[str]]] = None) -> str:
    """Every finding in one of FORMATS; `source(path)` gives a file's text for `full` (default: read it)."""
    if fmt == "full":
        return "".join(full(f, source) for f in findings)
    if fmt in HUMAN_FORMATS:
        return "".join(text_line(f) + "\n" for f in findings)
    from init_lint import reports

    return reports.render(findings, fmt)


def read_source(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


def full(finding: Finding, source: Optional[Callable[[str], Optional[str]]] = None) -> str:
    """The concise line, the reported line with a caret under the finding, and the help line."""
    text = (source or read_source)(finding.path)
    lines = text.splitlines() if text else []
    out = [text_line(finding)]
    if 0 < finding.line <= len(lines):
        line = lines[finding.line - 1]
        number = str(finding.line)
        gutter = " " * len(number)
        start = min(finding.column, len(line))
        end = finding.end_column if finding.end_line == finding.line else len(line.rstrip())
        end = max(start + 1, min(end, len(line)))
        # keep the line's tabs under the caret so it lines up however the terminal expands them
        pad = "".join(c if c == "\t" else " " * _cells(c) for c in line[:start])
        carets = "^" * max(1, sum(_cells(c) for c in line[start:end]))
        out += [f"{gutter} |", f"{number} | {line}", f"{gutter} | {pad}{carets} {finding.code}",
                f"{gutter} |"]
        if finding.help:
            out.append(f"{gutter} = help: {finding.help}")
    elif finding.help:
        out.append(f"  = help: {finding.help}")
    return "\n".join(out) + "\n\n"


def _cells(char: str) -> int:
    """Terminal cells a character takes: two for wide East Asian characters and most emoji."""
    return 2 if unicodedata.east_asian_width(char) in "WF" else 0 if unicodedata.combining(char) else 1


def _plural(count: int, word: str = "finding") -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary(findings: list[Finding], fixed: int = 0, unsafe_enabled: bool = False, fixing: bool = False) -> str:
    """What ruff prints after the findings: counts, and what `--fix` (and `--unsafe-fixes`) would do.

    `fixing`: fixes were applied in this run (then "N fixed, M remaining"); `unsafe_enabled`:
    unsafe fixes were applied too, so an unsafe fix still listed could not be applied.
    """
    remaining = len(findings)
    safe = sum(1 for f in findings if f.fix == SAFE)
    unsafe = sum(1 for f in findings if f.fix == UNSAFE)
    if fixing and fixed:
        line = f"{fixed} fixed, {remaining} remaining"
        if unsafe and not unsafe_enabled:
            line += f" ({unsafe} fixable with --unsafe-fixes)"
        return line + "."
    if not remaining:
        return "All checks passed!"
    lines = [f"Found {_plural(remaining)}."]
    if safe:
        lines.append(f"[*] {safe} fixable with `--fix`.")
    if unsafe:
        lines.append(f"[-] {unsafe} fixable with `--fix --unsafe-fixes` (the fix changes initial values).")
    return "\n".join(lines)


def statistics(findings: list[Finding]) -> str:
    """Counts per code, with `[*]` (safe fix), `[-]` (unsafe fix) or `[ ]` (no fix) and how many are fixable."""
    counts = Counter(f.code for f in findings)
    safe = Counter(f.code for f in findings if f.fix == SAFE)
    unsafe = Counter(f.code for f in findings if f.fix == UNSAFE)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        name = RULES[code]["name"] if code in RULES else ""
        mark = "[*]" if safe[code] else "[-]" if unsafe[code] else "[ ]"
        fixable = safe[code] + unsafe[code]
        note = "" if fixable in (0, count) else f" ({fixable} fixable)"
        lines.append(f"{count:5d}\t{code}\t{mark} {name}{note}")
    return "\n".join(lines) + ("\n" if lines else "")


def show_fixes(fixed: Iterable[tuple[str, list[Finding]]], verb: str = "Fixed") -> str:
    """`--show-fixes`: per file, how many findings of each code were fixed (`verb` "Would fix" for --diff)."""
    fixed = [(path, found) for path, found in fixed if found]
    if not fixed:
        return "No findings were fixed.\n" if verb == "Fixed" else "No fixes available.\n"
    total = sum(len(found) for _, found in fixed)
    lines = [f"{verb} {_plural(total)}:"]
    for path, found in fixed:
        lines.append(f"- {path}:")
        for code, count in sorted(Counter(f.code for f in found).items()):
            name = RULES[code]["name"] if code in RULES else ""
            lines.append(f"    {count} × {code} ({name})")
    return "\n".join(lines) + "\n"


def relative(path: str) -> str:
    """A path for reports read elsewhere (CI): relative to the working folder when inside it, with
    forward slashes."""
    if os.path.isabs(path):
        try:
            inside = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            inside = os.pardir
        if not inside.startswith(os.pardir):
            path = inside
    return path.replace(os.sep, "/")

"""Fix a file: check, build each finding's own fix, merge the edits that do not conflict, re-check.

As ruff does, fixes whose edits overlap are not merged: one is applied, the file is checked again
and the others are built anew against the new text (at most `MAX_ROUNDS` rounds).  A result that
does not parse is never returned.  The text keeps its encoding, BOM and line ends.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst

from init_lint.checker import check_source_with_analysis, decode
from init_lint.config import Settings
from init_lint.diagnostics import SAFE, UNSAFE, Finding
from init_lint.fixes.build import FixContext, build_fixes
from init_lint.fixes.edits import merge
from init_lint.fixes.feasibility import insert_problem
from init_lint.fixes.plans import InsertRecipe

MAX_ROUNDS = 8


class FixError(Exception):
    """The fix would not give a valid file: nothing is written."""


@dataclass
class FixResult:
    source: bytes
    fixed: list = field(default_factory=list)
    remaining: list = field(default_factory=list)
    #: findings whose fix could not be applied, with why
    refused: list = field(default_factory=list)


def fix_source(data: Union[bytes, str], path: str = "<stdin>", settings: Optional[Settings] = None, *,
               unsafe: bool = False, style: Optional[str] = None, skip_constructor_draws: bool = False,
               keep: Optional[frozenset] = None) -> FixResult:
    """Apply the fixes of one file's findings.

    `style` is "explicit" or "skip-init" (default: the settings').  `skip_constructor_draws`
    (for the verifier) builds the fixed layers with `skip_init` in either style, and writes every
    parameter's draw, so that the explicit style's recipe can be compared bit for bit.
    `keep` (project mode): the (line, column, code) of the findings other files' models do not cover.
    """
    settings = settings or Settings()
    style = style or settings.fix_style
    raw = data.encode("utf-8") if isinstance(data, str) else data
    findings, analysis = check_source_with_analysis(raw, path, settings)
    original = findings
    if keep is not None:
        findings = [f for f in findings if (f.line, f.column, f.code) in keep]
    wanted = [f for f in findings if f.fix == SAFE or (f.fix == UNSAFE and unsafe)]
    if not wanted or analysis is None:
        return FixResult(raw, [], original if keep is None else findings)
    text, _ = decode(raw, path)
    if text is None:  # pragma: no cover - the check decoded it
        return FixResult(raw, [], findings)
    encoding = _encoding(raw)
    wrap = style == "skip-init" or skip_constructor_draws
    pending = Counter(_identity(f) for f in wanted)
    applied_all: list = []
    refused_all: dict = {}
    current = raw
    for _ in range(MAX_ROUNDS):
        fixes, refused = build_fixes(wanted, FixContext(analysis, text, wrap))
        for finding, why in refused:
            refused_all.setdefault(_identity(finding), (finding, why))
        if not fixes:
            break
        new_text, taken = merge(text, [fix for _, fix in fixes])
        if not taken:
            break
        candidate = _encode(new_text, encoding)
        try:
            cst.parse_module(candidate)
        except Exception as problem:  # pragma: no cover - a bug in the fixer, never a user's problem
            message = getattr(problem, "message", str(problem))
            raise FixError(f"{path}: the fixed code does not parse ({message}); nothing was changed") from None
        for number in taken:
            finding, fix = fixes[number]
            applied_all.append(dataclasses.replace(finding, fix_edits=fix))
            pending[_identity(finding)] -= 1
        text, current = new_text, candidate
        findings, analysis = check_source_with_analysis(current, path, settings)
        if analysis is None or len(taken) == len(fixes):
            break
        # conflicting fixes: build them again against the new text
        wanted = [f for f in findings if pending[_identity(f)] > 0 and f.fix is not None
                  and (f.fix == SAFE or unsafe)]
        if not wanted:
            break
    if not applied_all:
        return FixResult(raw, [], original if keep is None else findings, list(refused_all.values()))
    remaining = findings
    if keep is not None:
        still = {(f.code, f.message) for f in original if (f.line, f.column, f.code) in keep} - {
            (f.code, f.message) for f in applied_all}
        remaining = [f for f in remaining if (f.code, f.message) in still]
    fixed_ids = Counter(_identity(f) for f in applied_all)
    refused = [(f, why) for key, (f, why) in refused_all.items() if fixed_ids[key] == 0]
    return FixResult(current, applied_all, remaining, refused)


def fixes_of(data: Union[bytes, str], path: str = "<stdin>", settings: Optional[Settings] = None, *,
             unsafe: bool = False, style: Optional[str] = None) -> list:
    """Every finding of the file, each with its own fix's edits (`Finding.fix_edits`) where it has one
    that can be built: what an editor's quick fix applies, one finding at a time."""
    settings = settings or Settings()
    style = style or settings.fix_style
    raw = data.encode("utf-8") if isinstance(data, str) else data
    findings, analysis = check_source_with_analysis(raw, path, settings)
    wanted = [f for f in findings if f.fix == SAFE or (f.fix == UNSAFE and unsafe)]
    if not wanted or analysis is None:
        return findings
    text, _ = decode(raw, path)
    wrap = style == "skip-init"
    fixes, _ = build_fixes(wanted, FixContext(analysis, text, wrap))
    if wrap:
        # applied alone, a fix must keep the draw order with every other layer of its statement unfixed
        cache: dict = {}
        fixes = [(f, fix) for f, fix in fixes if not isinstance(f.plan, InsertRecipe) or
                 insert_problem(f.plan.site, analysis, {id(f.plan.site.call)}, cache) is None]
    built = {id(finding): fix for finding, fix in fixes}
    return [dataclasses.replace(f, fix_edits=built[id(f)]) if id(f) in built else f for f in findings]


def _identity(finding: Finding) -> tuple:
    # positions move as lines are inserted above; the code and message name the layer and its class
    return finding.code, finding.message


def _encoding(raw: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError:  # pragma: no cover - the check decoded it
        return "utf-8"
    if encoding == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return encoding


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


__all__ = ["FixError", "FixResult", "fix_source", "fixes_of"]

"""`--add-noqa`: silence every reported finding with `# noqa: CODE` on its line, to adopt init-lint on
a large codebase and fix the findings later.

The comment goes on the finding's first line, or its last when the first ends inside a multi-line
string (a `#` there would be text, not a comment); an existing `# noqa: X` on that line gets the code
added.  The file is rewritten atomically, in its own encoding and line endings.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Optional

from init_lint.diagnostics import Finding

_NOQA_CODES = re.compile(r"(#\s*noqa:\s?)([A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa(?!:)", re.IGNORECASE)


def lines_inside_strings(text: str) -> set:
    """Numbers of the lines whose end lies inside a string literal (a multi-line string's first lines)."""
    inside = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return set()
    return inside


def add_noqa_to_text(text: str, findings: list[Finding]) -> tuple[str, int, list]:
    """The text with `# noqa: CODE` added for each finding, how many lines changed, and the findings
    that no comment can reach (every line of them ends inside a string)."""
    lines = text.splitlines(keepends=True)
    inside = lines_inside_strings(text)
    wanted: dict = {}
    unreachable = []
    for finding in findings:
        line = _target_line(finding, inside, len(lines))
        if line is None:
            unreachable.append(finding)
        else:
            wanted.setdefault(line, [])
            if finding.code not in wanted[line]:
                wanted[line].append(finding.code)
    changed = 0
    for number, codes in wanted.items():
        old = lines[number - 1]
        body = old.rstrip("\r\n")
        new = _with_codes(body, codes) + old[len(body):]
        if new != old:
            lines[number - 1] = new
            changed += 1
    return "".join(lines), changed, unreachable


def _target_line(finding: Finding, inside: set, count: int) -> Optional[int]:
    for line in (finding.line, finding.end_line):
        if 0 < line <= count and line not in inside:
            return line
    return None


def _with_codes(line: str, codes: list) -> str:
    if _BARE_NOQA.search(line):
        return line  # a bare noqa already silences every code
    match = _NOQA_CODES.search(line)
    if match is not None:
        present = [c for c in re.split(r"[,\s]+", match.group(2)) if c]
        missing = [c for c in codes if c.upper() not in {p.upper() for p in present}]
        if not missing:
            return line
        return line[:match.start(2)] + ", ".join(present + missing) + line[match.end(2):]
    return f"{line.rstrip()}  # noqa: {', '.join(codes)}"


def add_noqa(path: str, findings: list[Finding]) -> tuple[int, list]:
    """Rewrite `path` with the noqa comments: the number of lines changed, and the findings no comment can
    reach.  Raises WriteError, OSError."""
    from init_lint.checker import decode
    from init_lint.files import read, write_atomically

    data = read(path)
    text, error = decode(data, path)
    if text is None:
        return 0, []
    new, changed, unreachable = add_noqa_to_text(text, findings)
    if not changed:
        return 0, unreachable
    encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    out = new.encode("utf-8" if encoding == "utf-8-sig" else encoding)
    write_atomically(path, bom + out if not out.startswith(bom) else out)
    return changed, unreachable

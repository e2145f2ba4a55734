"""Reads the `# expect: INI001` comments of fixture files: what the checker must report, line by line."""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from pathlib import Path

_EXPECT = re.compile(r"#\s*expect(?P<strict>-strict)?:\s*(?P<codes>INI\d{3}(?:[\s,]+INI\d{3})*)")


def expected_findings(path: Path, strict: bool) -> Counter:
    """(line, code) -> count; strict mode expects both `expect` and `expect-strict` comments."""
    expected: Counter = Counter()
    source = path.read_bytes()
    for token in tokenize.tokenize(io.BytesIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        for match in _EXPECT.finditer(token.string):
            if match.group("strict") and not strict:
                continue
            for code in re.split(r"[\s,]+", match.group("codes").strip()):
                expected[(token.start[0], code)] += 1
    return expected


def reported_findings(findings) -> Counter:
    return Counter((f.line, f.code) for f in findings)

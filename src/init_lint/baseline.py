"""`--baseline FILE`: record today's findings, then report only new ones.

A finding is known by its code, its file (relative to the baseline's folder) and its message, which
names the class and the layer as written (`self.hid = nn.Linear(3, 4) in Net: ...`), never by its line
number: lines added above a known finding do not make it new.  Identical findings are counted, so a
second copy of a known layer is reported.
"""

from __future__ import annotations

import json
import os
from collections import Counter

from init_lint.diagnostics import Finding

VERSION = 1


def _key(finding: Finding, base: str) -> tuple:
    path = os.path.relpath(os.path.abspath(finding.path), base).replace(os.sep, "/")
    return finding.code, path, finding.message


def _base(baseline: str) -> str:
    return os.path.dirname(os.path.abspath(baseline))


def write(baseline: str, findings: list[Finding]) -> None:
    from init_lint.files import write_atomically

    base = _base(baseline)
    counts = Counter(_key(f, base) for f in findings if f.code != "INI900")  # a broken file is never "known"
    entries = [{"code": c, "path": p, "message": m, "count": n} for (c, p, m), n in sorted(counts.items())]
    data = json.dumps({"init-lint-baseline": VERSION, "findings": entries}, indent=1) + "\n"
    if os.path.exists(baseline):
        write_atomically(baseline, data.encode("utf-8"))
    else:
        with open(baseline, "x", encoding="utf-8") as handle:
            handle.write(data)


def load(baseline: str) -> Counter:
    """The recorded findings; raises ValueError on a file that is not a baseline."""
    with open(baseline, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{baseline} is not a baseline file ({error})") from None
    if not isinstance(data, dict) or data.get("init-lint-baseline") != VERSION:
        raise ValueError(f"{baseline} is not an init-lint baseline (version {VERSION})")
    return Counter({(e["code"], e["path"], e["message"]): int(e.get("count", 1)) for e in data["findings"]})


def new_findings(baseline: str, known: Counter, findings: list[Finding]) -> list[Finding]:
    base = _base(baseline)
    left = Counter(known)
    new = []
    for finding in findings:
        key = _key(finding, base)
        if left[key] > 0:
            left[key] -= 1
        else:
            new.append(finding)
    return new

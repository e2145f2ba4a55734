"""Every fixture and every labeled real-world case: the checker reports exactly what the file's comments expect."""

from __future__ import annotations

from pathlib import Path

import pytest

from expectations import expected_findings, reported_findings
from init_lint.checker import check_source
from init_lint.config import Settings

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "fixtures").glob("*.py")) + sorted((ROOT / "tests" / "realworld").glob("*.py"))


def _describe(counter) -> str:
    return "\n".join(f"  line {line}: {code} x{n}" for (line, code), n in sorted(counter.items())) or "  (none)"


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_expected_findings(path: Path, strict: bool) -> None:
    findings = check_source(path.read_bytes(), str(path), Settings(strict=strict))
    assert not [f for f in findings if f.code == "INI900"], findings
    expected = expected_findings(path, strict)
    reported = reported_findings(findings)
    missing = expected - reported
    unexpected = reported - expected
    details = {(f.line, f.code): f.message for f in findings}
    assert not missing and not unexpected, (
        f"missing:\n{_describe(missing)}\nunexpected:\n{_describe(unexpected)}\n"
        + "\n".join(f"  {line}:{code} {details[(line, code)]}" for (line, code) in unexpected)
    )

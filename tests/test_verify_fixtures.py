"""CI's end-to-end proof: every fixture model, fixed in each style, keeps every initial value bitwise.

Runs the real `init-lint verify` command (child processes, the installed torch) on fixtures/, and
the recipe self-test.  A class that differs fails the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parent.parent


def _verify(*args: str) -> tuple[int, object]:
    result = subprocess.run([sys.executable, "-m", "init_lint", "verify", *args, "--output-format", "json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("style", ["skip-init", "explicit"])
def test_every_fixture_model_is_bitwise_identical_after_the_fix(style: str) -> None:
    code, report = _verify("fixtures", "--fix-style", style)
    classes = [c for f in report["files"] for c in f["classes"]]
    differs = [(f["path"], c["name"], c.get("detail")) for f in report["files"] for c in f["classes"]
               if c["status"] == "differs"]
    assert not differs, differs
    fixed = [c for c in classes if c["status"] == "identical" and c["detail"] != "no fix to apply"]
    assert len(fixed) >= 30, classes  # the fixtures' fixed models really ran and were compared
    assert code == 0, report


def test_recipes_match_the_installed_torch() -> None:
    code, report = _verify("--recipes")
    assert code == 0, report

"""Every command output shown in README.md and docs/ is what the tool prints today (docs/generate.py
writes them), and the pre-commit snippet in README.md uses the hooks this repository defines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_generated_outputs_are_up_to_date():
    result = subprocess.run([sys.executable, str(REPO / "docs" / "generate.py"), "--check"], capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"stale (run python docs/generate.py):\n{result.stdout}{result.stderr}"


def test_the_generated_blocks_are_there():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "<!-- generated: init-lint check --output-format full fixtures/tanh_3_4_5_2_default.py -->" in readme
    assert "--show-fixes" in readme and "= help: " in readme and "Fixed 3 findings:" in readme
    assert "github.com/init-lint" not in readme + (REPO / "docs" / "integrations.md").read_text(encoding="utf-8")


def test_the_local_hooks_match_the_repository_hooks():
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entries = dict(re.findall(r"- id: (\S+)\n(?:  .*\n)*?  entry: (.+)\n", hooks))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = dict(re.findall(r"- id: (\S+).*\n\s+name: .*\n\s+entry: (.+)\n", readme))
    assert shown == entries, (shown, entries)

"""Every command output shown in README.md and docs/ is what the tool prints today (docs/generate.py
writes them), and the pre-commit snippet in README.md uses the hooks this repository defines."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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


def test_the_readme_local_hooks_work(tmp_path):
    """The README's `repo: local` snippet, run by the real pre-commit on a project with a finding."""
    pytest.importorskip("pre_commit")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```yaml\n(  repos:\n    - repo: local\n.*?)  ```", readme, re.DOTALL)
    assert snippet is not None
    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(textwrap.dedent(snippet.group(1)))
    (project / "model.py").write_text("import torch\n\n\nclass Net(torch.nn.Module):\n    def __init__(self):\n"
                                      "        super().__init__()\n        self.fc = torch.nn.Linear(3, 4)\n")
    shims = tmp_path / "bin"
    shims.mkdir()
    shim = shims / "init-lint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m init_lint "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{shims}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(REPO / "src"),
               PRE_COMMIT_HOME=str(tmp_path / "home"))
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=project, env=env,
                              capture_output=True, text=True, timeout=300)

    first = run()
    assert first.returncode == 1, first.stdout + first.stderr
    assert "init-lint (fix)" in first.stdout and "files were modified by this hook" in first.stdout
    assert "kaiming_uniform_(self.fc.weight" in (project / "model.py").read_text()
    second = run()
    assert second.returncode == 0, second.stdout + second.stderr

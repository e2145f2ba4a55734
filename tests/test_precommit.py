"""The hooks in .pre-commit-hooks.yaml, installed and run by the real `pre-commit try-repo`.

One test only: pre-commit builds a virtualenv and pip-installs init-lint into it (libcst comes
from PyPI), which takes most of a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("pre_commit", reason="the pre-commit hook test needs pre-commit (pip install 'init-lint[test]')")

ROOT = Path(__file__).resolve().parent.parent

BAD_MODEL = textwrap.dedent("""\
    import torch
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)

        def forward(self, x):
            return self.fc(x)
""")


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def snapshot_of_this_checkout(folder: Path) -> Path:
    """A one-commit repository with this checkout's working tree (tracked and new files, as they are now).

    try-repo on the checkout itself would only see committed and tracked-modified files, so new
    files would be missing; a snapshot also leaves the checkout's own index untouched.
    """
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git("init", "-q", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", "snapshot", cwd=folder)
    return folder


def test_try_repo_check_and_fix_hooks(tmp_path):
    hooks_repo = snapshot_of_this_checkout(tmp_path / "init-lint")
    project = tmp_path / "project"
    project.mkdir()
    (project / "model.py").write_text(BAD_MODEL)
    git("init", "-q", cwd=project)
    git("add", "model.py", cwd=project)

    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    env.pop("VIRTUAL_ENV", None)  # pre-commit builds its own environment; do not point pip at ours

    def try_repo(hook: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), hook, "--all-files"],
                              cwd=project, env=env, capture_output=True, text=True, timeout=300)

    check = try_repo("init-lint")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "model.py:8:19: INI001 [*] self.fc = " in check.stdout
    assert (project / "model.py").read_text() == BAD_MODEL

    fix = try_repo("init-lint-fix")
    assert fix.returncode == 1, fix.stdout + fix.stderr
    assert "files were modified by this hook" in fix.stdout
    expected = subprocess.run([sys.executable, "-m", "init_lint", "check", "--fix", "--stdin-filename", "model.py",
                               "-"], input=BAD_MODEL, capture_output=True, text=True, cwd=project).stdout
    assert (project / "model.py").read_text() == expected != BAD_MODEL

    again = try_repo("init-lint-fix")  # exit 0: nothing changed and no finding left
    assert again.returncode == 0, again.stdout + again.stderr

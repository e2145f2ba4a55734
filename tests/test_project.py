"""Project mode: a block in one file, initialized by the model in another file that builds it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent / "projects" / "vit_blocks"


def _check(*args: str, cwd: Path) -> tuple[int, set]:
    result = subprocess.run([sys.executable, "-m", "init_lint", "check", "--no-cache", "--isolated",
                             "--output-format", "json", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    found = {(Path(f["filename"]).as_posix(), f["location"]["row"], f["code"]) for f in json.loads(result.stdout)}
    return result.returncode, found


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT, tmp_path / "vit_blocks")
    return tmp_path / "vit_blocks"


def test_per_file_mode_reports_the_block_that_another_file_initializes(project: Path) -> None:
    code, found = _check("--per-file", "pkg", cwd=project)
    assert code == 1
    assert ("pkg/layers/mlp.py", 7, "INI001") in found
    assert ("pkg/layers/mlp.py", 8, "INI001") in found


def test_project_mode_sees_the_model_in_the_other_file(project: Path) -> None:
    code, found = _check("pkg", cwd=project)
    # The model's apply covers Linear, through a relative import and through a package re-export.
    assert not any(path == "pkg/layers/mlp.py" for path, _, _ in found)
    # It does not cover Conv2d: the conv block keeps the default in the only way it is built.
    assert found == {("pkg/layers/conv.py", 9, "INI001")}
    assert code == 1


def test_project_flag_judges_named_files_with_the_project_around_them(project: Path) -> None:
    code, found = _check("--project", "pkg/layers/mlp.py", cwd=project)
    assert (code, found) == (0, set())
    code, found = _check("pkg/layers/mlp.py", cwd=project)
    assert code == 1 and len(found) == 2


def test_project_mode_fixes_only_what_remains(project: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "init_lint", "check", "--no-cache", "--isolated", "--fix", "pkg"],
                            cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kaiming_uniform_(self.conv.weight" in (project / "pkg/layers/conv.py").read_text()
    assert (project / "pkg/layers/mlp.py").read_text() == (PROJECT / "pkg/layers/mlp.py").read_text()

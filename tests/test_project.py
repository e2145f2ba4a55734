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


BLOCK = """\
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
"""

MODEL_WITHOUT_INIT = """\
import torch.nn as nn
from blocks import Block


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
"""

MODEL_WITH_INIT = MODEL_WITHOUT_INIT + """\
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
"""


@pytest.mark.parametrize("order", ["exp1-first", "exp2-first"])
def test_same_named_files_in_folders_without_init_are_different_modules(tmp_path: Path, order: str) -> None:
    """exp1/ keeps the default (a true finding); exp2/, with the same file names, initializes its block."""
    without, with_init = ("exp1", "exp2") if order == "exp1-first" else ("exp2", "exp1")
    for folder, model in ((without, MODEL_WITHOUT_INIT), (with_init, MODEL_WITH_INIT)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "blocks.py").write_text(BLOCK)
        (tmp_path / folder / "model.py").write_text(model)
    code, alone = _check(without, cwd=tmp_path)
    assert alone == {(f"{without}/blocks.py", 7, "INI001")}
    code, together = _check(without, with_init, cwd=tmp_path)
    assert together == alone, "the other folder's model.py/blocks.py must not stand in for this one's"
    code, found = _check(".", cwd=tmp_path)
    assert found == alone
    code, found = _check(with_init, cwd=tmp_path)
    assert (code, found) == (0, set())


IMPORTED = Path(__file__).resolve().parent / "projects" / "imported_models"


def test_an_imported_class_is_silenced_only_where_some_importer_could_initialize_it(tmp_path: Path) -> None:
    """Issue 11: a class another file imports counts as initialized there only when that file has code that
    could initialize its layer type: a dispatch covering it, or a module handed to code out of sight that is
    not the project's own helper without init (nor torch's quantization)."""
    shutil.copytree(IMPORTED, tmp_path / "imported_models")
    code, found = _check("pkg", cwd=tmp_path / "imported_models")
    # ResNet's Linear head: its importers subclass it, hand it to a project helper that initializes nothing
    # and to torch.ao.quantization; none could initialize a Linear.
    assert ("pkg/models/resnet.py", 11, "INI001") in found
    # Backbone: the detector importing it applies an init covering Linear and Conv2d.
    assert not any(path == "pkg/models/backbone.py" for path, _, _ in found)
    # Head: a module-level helper of its importer loops over the modules of the model it is given.
    assert not any(path == "pkg/models/head.py" for path, _, _ in found)
    # Gate: imported only by a factory, whose callers initialize every Conv2d.
    assert not any(path == "pkg/models/gate.py" for path, _, _ in found)
    assert code == 1


def _stdin(*args: str, cwd: Path, text: str) -> tuple[int, set]:
    result = subprocess.run([sys.executable, "-m", "init_lint", "check", "--isolated", "--output-format", "json",
                             *args], cwd=cwd, input=text, capture_output=True, text=True, timeout=120)
    found = {(Path(f["filename"]).as_posix(), f["location"]["row"], f["code"]) for f in json.loads(result.stdout)}
    return result.returncode, found


def test_stdin_with_project_judges_the_text_with_the_project_around_it(project: Path) -> None:
    """The editor's text stands for the file: the model in the other file covers the block's Linear."""
    text = (project / "pkg/layers/mlp.py").read_text()
    assert _stdin("-", "--stdin-filename", "pkg/layers/mlp.py", "--no-cache", cwd=project, text=text)[0] == 1
    for _ in range(2):  # the second run from the project index
        assert _stdin("--project", "-", "--stdin-filename", "pkg/layers/mlp.py", cwd=project, text=text) == (0, set())
    # A block the live text adds is built by no model: reported, though the file on disk has no such block.
    extra = text + "\n\nclass Head(nn.Module):\n    def __init__(self):\n        super().__init__()\n" \
                   "        self.fc = nn.Linear(2, 2)\n"
    assert _stdin("--project", "-", "--stdin-filename", "pkg/layers/mlp.py", cwd=project, text=extra) == \
        (1, {("pkg/layers/mlp.py", 14, "INI001")})


def test_the_api_judges_files_with_the_project_around_them(project: Path, monkeypatch) -> None:
    from init_lint.api import check_project
    from init_lint.config import Settings

    monkeypatch.chdir(project)
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*.py"))
    assert check_project(["pkg/layers/mlp.py"], Settings(), context=files, jobs=1) == []
    assert [(f.path, f.line) for f in check_project(files, Settings(), jobs=1)] == [("pkg/layers/conv.py", 9)]
    alone = check_project(["pkg/layers/mlp.py"], Settings(), jobs=1)
    assert [f.line for f in alone] == [7, 8]

"""The language server's project context and the project index: a save writes only what changed, and
saves close together are written once."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from init_lint.config import Settings
from init_lint.frontends import lsp_project
from init_lint.frontends.lsp_project import ProjectContext

BLOCK = "import torch.nn as nn\n\n\nclass Block{n}(nn.Module):\n    def __init__(self):\n        super().__init__()\n" \
        "        self.fc = nn.Linear({n} + 1, 4)\n"


def _table(root: Path) -> tuple[Path, dict, Path]:
    [table] = (root / ".init_lint_cache").glob("project-*.json")
    head, _, body = table.read_bytes().partition(b"\n")
    header = json.loads(head)
    return table, json.loads(body), root / ".init_lint_cache" / header["data"]


def test_saves_append_only_the_changed_entries_and_write_the_table_once_per_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(lsp_project, "WRITE_DELAY", 0.5)
    for n in range(30):
        (tmp_path / f"block{n}.py").write_text(BLOCK.format(n=n))
        os.utime(tmp_path / f"block{n}.py", (1_600_000_000, 1_600_000_000))  # not racy: trusted by mtime
    context = ProjectContext(str(tmp_path), Settings(root=str(tmp_path)))
    context.load()
    assert context.ready.is_set() and context.error is None
    table, columns, data = _table(tmp_path)
    before, table_inode = data.read_bytes(), table.stat().st_ino
    replaced = []
    real_replace = os.replace

    def replacing(source, target, *args, **kwargs):
        replaced.append(os.path.basename(target))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replacing)
    saved = [tmp_path / "block3.py", tmp_path / "block7.py", tmp_path / "block3.py"]
    for number, path in enumerate(saved):
        path.write_text(BLOCK.format(n=path.stem[5:]).replace("Linear", "Bilinear") + f"# save {number}\n")
        context.refresh(str(path))  # a save whose text the editor did not check: analyzed from disk
        assert context.exports_on_disk(str(path))["classes"] == [f"Block{path.stem[5:]}"]
    assert replaced == [] and data.read_bytes() == before  # nothing written yet: the batch waits
    for _ in range(100):
        if replaced:
            break
        time.sleep(0.05)
    time.sleep(0.2)
    assert replaced == [table.name]  # one table for the three saves
    assert table.stat().st_ino != table_inode
    _, again, data_after = _table(tmp_path)
    after = data_after.read_bytes()
    assert data_after == data and after.startswith(before)  # appended: no other entry rewritten
    moved = {path for part in ("verdicts", "summary") for path, old, new in
             zip(again["path"], columns[part], again[part]) if old != new}
    assert moved == {"block3.py", "block7.py"}
    appended = sum(place[1] for part in ("verdicts", "summary") for place, path in zip(again[part], again["path"])
                   if path in moved)
    assert len(after) - len(before) == appended
    context.refresh(str(tmp_path / "block9.py"))  # unchanged on disk: from the index, nothing to write
    context.flush()
    assert replaced == [table.name]


def test_a_context_written_at_shutdown_loses_no_save(tmp_path, monkeypatch):
    monkeypatch.setattr(lsp_project, "WRITE_DELAY", 60.0)
    for n in range(3):
        (tmp_path / f"block{n}.py").write_text(BLOCK.format(n=n))
    contexts = lsp_project.Contexts(lambda context: None)
    contexts.folders = [str(tmp_path)]
    settings = Settings(root=str(tmp_path))
    context = contexts.for_document(str(tmp_path / "block0.py"), settings)
    assert context.ready.wait(60)
    (tmp_path / "block1.py").write_text(BLOCK.format(n=1) + "# saved\n")
    contexts.saved(str(tmp_path / "block1.py"), None, None)
    contexts.flush()
    _, columns, _ = _table(tmp_path)
    row = columns["path"].index("block1.py")
    assert columns["size"][row] == (tmp_path / "block1.py").stat().st_size

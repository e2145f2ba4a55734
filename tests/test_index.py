"""The persistent project index: warm runs give exactly the findings of cold runs, and a damaged index
is ignored (rebuilt), never an error."""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

import pytest

from init_lint import engine
from init_lint.config import Settings
from init_lint.index import ProjectStore
from init_lint.project_run import check_project

BLOCK = """\
import torch.nn as nn


class {name}(nn.Module):
    def __init__(self, dim):
        super().__init__()
{layers}
"""
LAYERS = {
    "linear": "        self.fc = nn.Linear(dim, dim)",
    "conv": "        self.conv = nn.Conv2d(dim, dim, 3)",
    "both": "        self.fc = nn.Linear(dim, dim)\n        self.conv = nn.Conv2d(dim, dim, 1)",
}
MODEL = """\
import torch.nn as nn

{imports}


class {name}(nn.Module):
    def __init__(self, dim=8):
        super().__init__()
        self.blocks = nn.ModuleList([{builds}])
        self.head = nn.Linear(dim, 2)
{apply}
    def _init_weights(self, m):
        if isinstance(m, ({covers})):
            nn.init.zeros_(m.bias)
            nn.init.normal_(m.weight, std=0.02)
"""
UTILITY = "import torch\nfrom pkg.layers import {name}\n\n\ndef count(x):\n    return torch.numel(x)\n"


class Tree:
    """A small generated project whose files are edited, deleted and renamed between runs."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.random = random.Random(seed)
        self.clock = 1_600_000_000  # every write gets its own mtime, well in the past: not racy
        (root / "pkg" / "layers").mkdir(parents=True)
        (root / "pkg" / "models").mkdir()
        (root / "pkg" / "__init__.py").write_text("")
        (root / "pkg" / "models" / "__init__.py").write_text("")
        self.blocks = [f"Block{i}" for i in range(4)]
        for name in self.blocks:
            self.write_block(name)
        self.write_layers_init()
        for index in range(3):
            self.write_model(f"model{index}")
        self.write(self.root / "pkg" / "util.py", UTILITY.format(name=self.blocks[0]))

    def write(self, path: Path, text: str) -> None:
        path.write_text(text)
        self.clock += 10
        os.utime(path, ns=(self.clock * 10**9, self.clock * 10**9))

    def write_block(self, name: str) -> None:
        layers = LAYERS[self.random.choice(sorted(LAYERS))]
        self.write(self.root / "pkg" / "layers" / f"{name.lower()}.py", BLOCK.format(name=name, layers=layers))

    def write_layers_init(self, keep: float = 1.0) -> None:
        """The package's re-exports (`keep`: the share kept): models importing through it resolve by them."""
        lines = [f"from .{name.lower()} import {name}" for name in self.blocks
                 if (self.root / "pkg" / "layers" / f"{name.lower()}.py").exists() and self.random.random() < keep]
        self.write(self.root / "pkg" / "layers" / "__init__.py", "\n".join(lines) + "\n")

    def write_model(self, stem: str) -> None:
        used = self.random.sample(self.blocks, 2)
        imports = "\n".join(f"from ..layers.{n.lower()} import {n}" if self.random.random() < 0.5
                            else f"from pkg.layers import {n}" for n in used)
        covers = ", ".join(self.random.sample(["nn.Linear", "nn.Conv2d"], self.random.randint(1, 2)))
        apply = "        self.apply(self._init_weights)\n" if self.random.random() < 0.7 else ""
        self.write(self.root / "pkg" / "models" / f"{stem}.py",
                   MODEL.format(name=stem.capitalize(), imports=imports, builds=", ".join(f"{n}(dim)" for n in used),
                                apply=apply, covers=covers))

    def files(self) -> list:
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*.py") if ".init_lint_cache" not in p.parts)

    def edit_randomly(self) -> str:
        models = sorted((self.root / "pkg" / "models").glob("model*.py"))
        action = self.random.choice(["edit model", "edit block", "delete", "rename", "add model", "touch",
                                     "re-exports"])
        if action == "edit model" and models:
            self.write_model(self.random.choice(models).stem)
        elif action == "edit block":
            self.write_block(self.random.choice(self.blocks))
        elif action == "delete" and len(models) > 1:
            self.random.choice(models).unlink()
        elif action == "rename" and models:
            source = self.random.choice(models)
            source.rename(source.with_name(f"model{self.random.randint(10, 99)}.py"))
        elif action == "re-exports":
            self.write_layers_init(keep=0.5)
        elif action == "touch":
            path = self.root / self.random.choice(self.files())
            self.write(path, path.read_text())
        else:
            self.write_model(f"model{self.random.randint(10, 99)}")
        return action


def _seen(outcomes) -> list:
    return [(o.path, o.error, sorted((f.code, f.line, f.column, f.message, f.fix, f.strict) for f in o.findings))
            for o in outcomes]


def _project(tree: Tree, settings: Settings, index: bool, named=None) -> list:
    files = tree.files()
    if named is None:
        return _seen(check_project(files, settings, jobs=1, index_root="." if index else None))
    return _seen(check_project(named, settings, context=files, jobs=1, index_root="." if index else None))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_warm_runs_find_what_cold_runs_find_after_random_edits(tmp_path, monkeypatch, seed):
    monkeypatch.chdir(tmp_path)
    tree = Tree(tmp_path, seed)
    settings = Settings(root=str(tmp_path))
    assert _project(tree, settings, True) == _project(tree, settings, False)
    for step in range(5):
        action = tree.edit_randomly()
        named = [tree.random.choice(tree.files())]
        assert _project(tree, settings, True, named) == _project(tree, settings, False, named), (step, action)
        assert _project(tree, settings, True) == _project(tree, settings, False), (step, action)
    assert len(list((tmp_path / ".init_lint_cache").glob("project-*.json"))) == 1


def _analyzed(monkeypatch) -> list:
    """The paths the engine analyzes from now on (in this process: jobs=1)."""
    seen: list = []
    check = engine._check

    def counting(path, *args, **kwargs):
        seen.append(path)
        return check(path, *args, **kwargs)

    monkeypatch.setattr(engine, "_check", counting)
    return seen


def test_a_warm_run_analyzes_only_what_changed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tree = Tree(tmp_path, 3)
    settings = Settings(root=str(tmp_path))
    first = _project(tree, settings, True)
    analyzed = _analyzed(monkeypatch)
    assert _project(tree, settings, True) == first and analyzed == []
    tree.write_model("model1")
    _project(tree, settings, True, ["pkg/layers/block0.py"])
    assert analyzed == ["pkg/models/model1.py"]
    # touched, same content: hashed, not analyzed again
    path = tmp_path / "pkg" / "util.py"
    tree.write(path, path.read_text())
    analyzed.clear()
    _project(tree, settings, True)
    assert analyzed == []


def test_an_edit_that_keeps_size_and_mtime_is_seen_when_the_entry_was_recorded_too_soon(tmp_path, monkeypatch):
    """git's racily clean entries: an mtime recorded within the clock's resolution of the read is not trusted."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "m.py"
    text = BLOCK.format(name="Net", layers=LAYERS["linear"])
    path.write_text(text)
    settings = Settings(root=str(tmp_path))
    first = check_project(["m.py"], settings, jobs=1, index_root=".")
    assert [f.code for f in first[0].findings] == ["INI001"]
    info = os.stat(path)
    path.write_text(text.replace("nn.Linear(dim, dim)", "nn.Identity()      "))  # same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert os.path.getsize(path) == len(text)
    again = check_project(["m.py"], settings, jobs=1, index_root=".")
    assert again[0].findings == []


DAMAGED = [b"", b"{not json", b"[]", b"null", json.dumps({"format": 1, "files": []}).encode(), b"\xff\xfe\x00",
           json.dumps({"format": 999, "files": {}}).encode()]


@pytest.mark.parametrize("content", DAMAGED, ids=[str(i) for i in range(len(DAMAGED))])
def test_a_damaged_index_is_ignored_and_rebuilt(run, tmp_path, content):
    tree = Tree(tmp_path, 4)
    first = run("check", "pkg", "--jobs", "1", "--output-format", "json")
    assert first[0] == 1
    [index] = (tmp_path / ".init_lint_cache").glob("project-*.json")
    index.write_bytes(content)
    assert run("check", "pkg", "--jobs", "1", "--output-format", "json") == first
    assert json.loads(index.read_bytes().partition(b"\n")[2])  # rebuilt
    assert tree.files()


def _rewrite(index: Path, change) -> None:
    head, _, body = index.read_bytes().partition(b"\n")
    files = json.loads(body)
    change(files)
    body = json.dumps(files).encode()
    header = json.loads(head)
    header["sha256"] = hashlib.sha256(body).hexdigest()
    index.write_bytes(json.dumps(header).encode() + b"\n" + body)


def test_an_index_edited_by_hand_is_ignored(run, tmp_path):
    Tree(tmp_path, 5)
    first = run("check", "pkg", "--jobs", "1", "--output-format", "json")
    [index] = (tmp_path / ".init_lint_cache").glob("project-*.json")
    head, _, body = index.read_bytes().partition(b"\n")
    files = json.loads(body)
    for entry in files.values():  # findings and exports that do not parse, hash left as it was
        entry[4], entry[5] = [{"code": "INI001"}], {"classes": "Net"}
    index.write_bytes(head + b"\n" + json.dumps(files).encode())
    assert run("check", "pkg", "--jobs", "1", "--output-format", "json") == first


def test_entries_of_the_wrong_shape_are_analyzed_again(run, tmp_path):
    Tree(tmp_path, 5)
    first = run("check", "pkg", "--jobs", "1", "--output-format", "json")
    [index] = (tmp_path / ".init_lint_cache").glob("project-*.json")
    broken = [[1, 2], None, "text", [0, 0, "x", "no", [], None, None, None], [0, 0, "x", False, {}, None, None, None]]

    def damage(files):
        for key, shape in zip(sorted(files), broken):
            files[key] = shape
        for number, key in enumerate(sorted(files)[len(broken):]):  # valid shape, content that does not parse
            if number % 2:
                files[key][4] = [{"code": "INI001"}]
                files[key][6], files[key][7] = [{"code": None}], "0" * 64
            else:
                files[key][5] = {"classes": 5, "bindings": [], "builds": {"x": 1}}

    _rewrite(index, damage)
    assert run("check", "pkg", "--jobs", "1", "--output-format", "json") == first


def test_a_symlinked_index_is_replaced_never_written_through(run, tmp_path):
    Tree(tmp_path, 6)
    first = run("check", "pkg", "--jobs", "1")
    [index] = (tmp_path / ".init_lint_cache").glob("project-*.json")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    index.unlink()
    index.symlink_to(victim)
    assert run("check", "pkg", "--jobs", "1") == first
    assert victim.read_text() == "precious"


def test_the_index_is_keyed_by_settings_and_holds_no_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tree = Tree(tmp_path, 7)
    check_project(tree.files(), Settings(root=str(tmp_path)), jobs=1, index_root=".")
    check_project(tree.files(), Settings(root=str(tmp_path), strict=True), jobs=1, index_root=".")
    indexes = list((tmp_path / ".init_lint_cache").glob("project-*.json"))
    assert len(indexes) == 2
    assert not any(str(tmp_path) in p.read_text() for p in indexes)
    store = ProjectStore(str(tmp_path), Settings(root=str(tmp_path)))
    assert sorted(store.entries) == tree.files()


def test_exports_with_every_level_are_valid_cache_entries():
    """A way covered below its model is exported at YES (3): such an entry was a cache miss on every run."""
    from init_lint.cache import valid_exports

    exports = {"classes": [], "bindings": {}, "builds": [["x.Y", {"*": [["M", 3, 0]], "Linear.bias": []}]],
               "refs": [], "maybe_builds": [{"Conv2d.weight": [["M", 2, 3]]}], "local_refs": []}
    assert valid_exports(exports)
    assert not valid_exports({**exports, "builds": [["x.Y", {"*": [["M", 4, 0]]}]]})

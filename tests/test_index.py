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


@pytest.mark.parametrize("seed,slack", [(1, None), (2, None), (3, None), (4, 0)])
def test_warm_runs_find_what_cold_runs_find_after_random_edits(tmp_path, monkeypatch, seed, slack):
    """Warm runs (partial loads: `named` runs read few payloads; partial writes: appended) find what
    cold runs find; with `slack` 0 the data file is also written afresh on most runs."""
    from init_lint import index

    if slack is not None:
        monkeypatch.setattr(index, "GARBAGE_SLACK", slack)
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


def _table(root: Path) -> tuple[Path, dict, dict, Path]:
    """The index's table file, its header and columns, and its data file."""
    [table] = (root / ".init_lint_cache").glob("project-*.json")
    head, _, body = table.read_bytes().partition(b"\n")
    header = json.loads(head)
    return table, header, json.loads(body), root / ".init_lint_cache" / header["data"]


def _write_table(table: Path, header: dict, columns: dict) -> None:
    """Write the table back with a matching hash, as init-lint would (an edit made by hand, hash and all)."""
    body = json.dumps(columns).encode()
    header = {**header, "sha256": hashlib.sha256(body).hexdigest()}
    table.write_bytes(json.dumps(header).encode() + b"\n" + body)


def _payload(data: Path, place: list) -> dict:
    with open(data, "rb") as handle:
        handle.seek(place[0])
        return json.loads(handle.read(place[1]))


def _rewrite_payloads(root: Path, change) -> None:
    """Change every payload (`change(part, payload)`), appended to the data file with hashes that match."""
    table, header, columns, data = _table(root)
    for part in ("verdicts", "summary"):
        for number, place in enumerate(columns[part]):
            payload = _payload(data, place)
            change(part, number, payload)
            blob = json.dumps(payload).encode()
            with open(data, "ab") as handle:
                columns[part][number] = [handle.tell(), len(blob), hashlib.sha256(blob).hexdigest()[:16]]
                handle.write(blob)
    _write_table(table, header, columns)


def test_an_index_edited_by_hand_is_ignored(run, tmp_path):
    Tree(tmp_path, 5)
    first = run("check", "pkg", "--jobs", "1", "--output-format", "json")
    [index] = (tmp_path / ".init_lint_cache").glob("project-*.json")
    head, _, body = index.read_bytes().partition(b"\n")
    columns = json.loads(body)
    columns["size"] = [size + 1 for size in columns["size"]]  # the hash left as it was
    index.write_bytes(head + b"\n" + json.dumps(columns).encode())
    assert run("check", "pkg", "--jobs", "1", "--output-format", "json") == first


@pytest.mark.parametrize("named", [["pkg"], ["pkg/layers/block1.py", "pkg/models/model1.py", "--project"]], ids=["folder", "pre-commit"])
def test_payloads_edited_by_hand_hashes_and_all_are_ignored(run, tmp_path, named):
    """Findings and exports that do not parse, in payloads whose hashes match: the whole index is dropped,
    also when the run reads only a few payloads."""
    Tree(tmp_path, 5)
    command = ("check", *named, "--jobs", "1", "--output-format", "json")
    first = run(*command, "--no-cache")
    assert run(*command) == first and first[1].count('"code"') >= 1

    def damage(part, number, payload):
        if part == "verdicts":
            payload["findings"] = [{"code": "INI001"}] if number % 2 else "x"
            payload["judged"], payload["judged_key"] = [{"code": None}], "0" * 64
        else:
            payload["exports"] = {"classes": 5, "bindings": [], "builds": {"x": 1}}
            payload["links"] = ["k", {"builds": 3}]

    _rewrite_payloads(tmp_path, damage)
    assert run(*command) == first
    assert run(*command) == first


@pytest.mark.parametrize("damage", ["truncated", "flipped", "missing", "a folder"])
def test_a_damaged_data_file_is_ignored_and_rebuilt(run, tmp_path, damage):
    Tree(tmp_path, 8)
    first = run("check", "pkg", "--jobs", "1", "--output-format", "json")
    _, _, _, data = _table(tmp_path)
    content = data.read_bytes()
    data.unlink()
    if damage == "truncated":
        data.write_bytes(content[: len(content) // 2])
    elif damage == "flipped":
        data.write_bytes(content.replace(b"INI001", b"INI002"))
    elif damage == "a folder":
        data.mkdir()
    assert run("check", "pkg", "--jobs", "1", "--output-format", "json") == first
    _, _, columns, data = _table(tmp_path)
    assert data.is_file() and all(_payload(data, place) is not None for place in columns["verdicts"])  # rebuilt


def test_tables_of_the_wrong_shape_are_ignored(run, tmp_path):
    Tree(tmp_path, 5)
    first = run("check", "pkg", "--jobs", "1", "--output-format", "json")
    table, header, columns, _ = _table(tmp_path)
    broken = [lambda c: c.pop("summary"), lambda c: c["size"].pop(), lambda c: c["racy"].__setitem__(0, 0),
              lambda c: c["size"].__setitem__(0, True), lambda c: c["verdicts"].__setitem__(0, [0, 0, "x"]),
              lambda c: c["summary"].__setitem__(1, [-5, 3, "x"]), lambda c: c["path"].__setitem__(1, c["path"][0]),
              lambda c: c["digest"].__setitem__(0, None), lambda c: c.__setitem__("interface", {})]
    for number, damage in enumerate(broken):
        changed = json.loads(json.dumps(columns))
        damage(changed)
        _write_table(table, header, changed)
        assert run("check", "pkg", "--jobs", "1", "--output-format", "json") == first, number
    for name in ("../escape.data", "other.data", 5):
        _write_table(table, {**header, "data": name}, columns)
        assert run("check", "pkg", "--jobs", "1", "--output-format", "json") == first, name


def _reads(monkeypatch) -> list:
    """The payloads read from the data file from now on, as (offset, length)."""
    from init_lint import index

    seen: list = []
    read = index.ProjectStore._read_payload

    def counting(self, at):
        seen.append(tuple(at[:2]))
        return read(self, at)

    monkeypatch.setattr(index.ProjectStore, "_read_payload", counting)
    return seen


def test_a_warm_pre_commit_run_reads_and_writes_only_the_payloads_it_needs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tree = Tree(tmp_path, 3)
    settings = Settings(root=str(tmp_path))
    cold = _project(tree, settings, True)
    _, _, columns, data = _table(tmp_path)
    before = data.read_bytes()
    reads = _reads(monkeypatch)
    assert _project(tree, settings, True, ["pkg/util.py"]) == _project(tree, settings, False, ["pkg/util.py"])
    # one file named, nothing changed, no finding to judge across files: its verdicts only
    assert reads == [tuple(columns["verdicts"][columns["path"].index("pkg/util.py")][:2])]
    assert data.read_bytes() == before  # nothing to write
    tree.write(tmp_path / "pkg" / "util.py", UTILITY.format(name="Block1"))
    reads.clear()
    _project(tree, settings, True, ["pkg/util.py"])
    assert reads == []  # analyzed again: nothing of it read
    after = data.read_bytes()
    assert after.startswith(before)  # appended, nothing rewritten
    _, _, columns, data_now = _table(tmp_path)
    assert data_now == data
    row = columns["path"].index("pkg/util.py")
    appended = [columns[part][row] for part in ("verdicts", "summary")]
    assert sorted(place[0] for place in appended) == [len(before), len(before) + appended[0][1]] \
        or sorted(place[0] for place in appended) == [len(before), len(before) + appended[1][1]]
    assert len(after) == len(before) + sum(place[1] for place in appended)
    # the whole folder in a new project state: judged across files again, every summary read (the link)
    assert _project(tree, settings, True) == _project(tree, settings, False) == cold
    # and again, nothing changed: every file's verdicts (what it reports), not one summary
    reads.clear()
    _, _, columns, _ = _table(tmp_path)
    _project(tree, settings, True)
    assert sorted(reads) == sorted(tuple(place[:2]) for place in columns["verdicts"])


def test_judging_across_files_again_rewrites_verdicts_not_summaries(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tree = Tree(tmp_path, 3)
    settings = Settings(root=str(tmp_path))
    _project(tree, settings, True)
    _, _, columns, data = _table(tmp_path)
    # a new project state (judged again), the same interface (no name resolves elsewhere: links kept)
    tree.write(tmp_path / "pkg" / "util.py", UTILITY.format(name="Block0") + "\n\nLIMIT = 3\n")
    size = data.stat().st_size
    assert _project(tree, settings, True) == _project(tree, settings, False)
    _, _, again, _ = _table(tmp_path)
    moved = {part: [p for p, old, new in zip(again["path"], columns[part], again[part]) if old != new]
             for part in ("verdicts", "summary")}
    assert moved["summary"] == ["pkg/util.py"]  # the files judged again kept their exports and links
    assert "pkg/util.py" in moved["verdicts"] and len(moved["verdicts"]) >= 2
    assert data.stat().st_size > size


def test_the_data_file_is_written_afresh_when_garbage_outweighs_it(tmp_path, monkeypatch):
    from init_lint import index

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(index, "GARBAGE_SLACK", 0)
    tree = Tree(tmp_path, 9)
    settings = Settings(root=str(tmp_path))
    _project(tree, settings, True)
    names = set()
    for _ in range(6):
        for block in tree.blocks:
            tree.write_block(block)
        assert _project(tree, settings, True) == _project(tree, settings, False)
        _, header, columns, data = _table(tmp_path)
        names.add(header["data"])
        live = sum(place[1] for part in ("verdicts", "summary") for place in columns[part])
        assert data.stat().st_size <= 2 * live
        assert [p.name for p in (tmp_path / ".init_lint_cache").glob("*.data")] == [header["data"]]
    assert len(names) > 1


def test_two_runs_that_loaded_the_same_index_both_commit_valid_tables(tmp_path, monkeypatch):
    """A run whose data file was replaced by another run's (written afresh) writes its own afresh."""
    from init_lint import index

    monkeypatch.chdir(tmp_path)
    tree = Tree(tmp_path, 10)
    settings = Settings(root=str(tmp_path))
    cold = _project(tree, settings, True)
    first, second = ProjectStore(".", settings), ProjectStore(".", settings)
    key = "pkg/util.py"
    for store in (first, second):
        store.findings(store.entries[key], key)
        store.record_judged(store.entries[key], [], "some state")
    first._fresh_data = True  # as after garbage: written afresh, the old data file removed
    first.save()
    _, header, _, _ = _table(tmp_path)
    second.save()
    _, again, _, _ = _table(tmp_path)
    assert again["data"] != header["data"]
    for store in (first, second):
        store.close()
    reread = ProjectStore(".", settings)
    assert all(reread.findings(entry, path) is not None for path, entry in reread.entries.items())
    reread.close()
    assert _project(tree, settings, True) == cold
    assert index.FORMAT == 2


def test_a_symlinked_data_file_is_never_read_nor_written_through(run, tmp_path):
    tree = Tree(tmp_path, 6)
    first = run("check", "pkg", "--jobs", "1")
    _, _, _, data = _table(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(data.read_bytes())
    data.unlink()
    data.symlink_to(victim)
    before = victim.read_bytes()
    assert run("check", "pkg", "--jobs", "1") == first
    tree.write_model("model0")
    run("check", "pkg", "--jobs", "1")
    assert victim.read_bytes() == before
    _, _, _, now = _table(tmp_path)
    assert now != data and not now.is_symlink()


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

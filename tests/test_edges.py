"""Edges of issues 14 and 16: the cache, odd files, no files, --diff on a broken file, --jobs, Ctrl-C.

Each test reproduces one item of those issues; each failed before the change that made it pass.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from init_lint.cli import main

REPO = Path(__file__).resolve().parent.parent

MODEL = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.out = nn.Linear(4, 2)
    """)


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """`main(argv)` in this process, in tmp_path; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def call(*argv: str):
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(REPO / "src"))
    return subprocess.run([sys.executable, "-m", "init_lint", *args], cwd=cwd, capture_output=True, timeout=timeout,
                          env=env)


def entries(root: Path) -> list[Path]:
    return [p for p in (root / ".init_lint_cache").rglob("*") if p.is_file() and p.name != ".gitignore"]


# ------------------------------------------------------------------ the cache


def test_a_symlinked_gitignore_never_makes_init_lint_write_outside(run, tmp_path):
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "m.py").write_text(MODEL)
    (project / ".init_lint_cache").mkdir()
    (project / ".init_lint_cache" / ".gitignore").symlink_to(outside / "victim")
    os.chdir(project)
    code, out, _ = run("check", "m.py")
    assert code == 1 and out.count("INI001") == 2
    assert not (outside / "victim").exists()
    assert list(outside.iterdir()) == []


def test_a_symlinked_gitignore_to_an_existing_file_is_not_overwritten(run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "m.py").write_text(MODEL)
    (tmp_path / ".init_lint_cache").mkdir()
    (tmp_path / ".init_lint_cache" / ".gitignore").symlink_to(victim)
    run("check", "m.py")
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("linked", [".init_lint_cache", ".init_lint_cache/v1"])
def test_a_symlinked_cache_folder_turns_the_cache_off(run, tmp_path, linked):
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "m.py").write_text(MODEL)
    (project / linked).parent.mkdir(parents=True, exist_ok=True)
    (project / linked).symlink_to(outside, target_is_directory=True)
    os.chdir(project)
    for _ in range(2):
        code, out, _ = run("check", "m.py")
        assert code == 1 and out.count("INI001") == 2
    assert list(outside.iterdir()) == []


def test_a_symlinked_cache_entry_is_replaced_not_written_through(run, tmp_path):
    (tmp_path / "m.py").write_text(MODEL)
    first = run("check", "m.py")
    [entry] = entries(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    entry.unlink()
    entry.symlink_to(victim)
    assert run("check", "m.py") == first
    assert victim.read_text() == "precious"


WRONG_SHAPES = [
    [], {}, 42, "text", None, {"findings": {}}, {"findings": [1, 2]}, {"findings": [{"code": "INI001"}]},
    {"findings": [], "exports": []}, {"findings": [], "exports": {"classes": "Net"}},
    {"findings": [{"code": "INI001", "message": "m", "filename": "", "location": {"row": "1", "column": 1},
                   "end_location": {"row": 1, "column": 1}}]},
    {"findings": [{"code": "INI001", "message": "m", "filename": "", "location": {"row": 1, "column": 1},
                   "end_location": {"row": 1, "column": 1}, "depends": ["Linear", [["weight", [["Net", 7, 0]]]]]}]},
    {"findings": [], "exports": {"classes": [], "bindings": {"a": 1}, "builds": [], "refs": [], "maybe_builds": [],
                                 "local_refs": []}},
    {"findings": [], "exports": {"classes": [], "bindings": {}, "builds": [["x"]], "refs": [], "maybe_builds": [],
                                 "local_refs": []}},
]


@pytest.mark.parametrize("shape", WRONG_SHAPES, ids=[str(i) for i in range(len(WRONG_SHAPES))])
@pytest.mark.parametrize("target", ["m.py", "."])
def test_a_cache_entry_of_the_wrong_shape_is_a_miss(run, tmp_path, shape, target):
    """Valid JSON, wrong shape: a miss, never INI900 nor a traceback (file mode and project mode)."""
    (tmp_path / "m.py").write_text(MODEL)
    (tmp_path / "other.py").write_text("import torch\nx = 1\n")
    first = run("check", target, "--jobs", "1")
    assert first[0] == 1 and "INI900" not in first[1]
    for entry in entries(tmp_path):
        entry.write_text(json.dumps(shape))
    assert run("check", target, "--jobs", "1") == first


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_the_cache_prints_the_path_as_typed_in_this_run(run, tmp_path, output_format):
    (tmp_path / "x.py").write_text(MODEL)
    run("check", ".", "--jobs", "1")  # fills the cache with ./x.py
    uncached = run("check", "x.py", "--output-format", output_format, "--no-cache")
    cached = run("check", "x.py", "--output-format", output_format)
    assert cached == uncached
    assert "./x.py" not in cached[1]


def test_the_cache_keys_paths_relative_to_its_root(run, tmp_path):
    """Moving the project keeps the cache valid (and no absolute path of the machine is stored)."""
    first = tmp_path / "a"
    first.mkdir()
    (first / "x.py").write_text(MODEL)
    os.chdir(first)
    expected = run("check", "x.py")
    stored = [e.read_text() for e in entries(first)]
    assert stored and not any(str(tmp_path) in text for text in stored)
    moved = tmp_path / "b"
    first.rename(moved)
    os.chdir(moved)
    before = {e: e.stat().st_mtime_ns for e in entries(moved)}
    assert run("check", "x.py") == expected
    assert {e: e.stat().st_mtime_ns for e in entries(moved)} == before  # a hit: nothing rewritten
